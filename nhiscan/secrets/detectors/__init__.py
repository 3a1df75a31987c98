"""nhiscan's own detectors, for the credentials of non-human identities that detect-secrets
lacks or handles weakly. Data, not logic: each entry is a line pattern, the lowercase keywords
the pre-filter looks for, an optional pure validator, and examples that the meta-test
(tests/secrets/test_detectors.py) checks: every ``examples`` line is found, every
``counter_examples`` line is not.

Pattern conventions: the pattern runs on one line (no newline inside a match). The named group
``secret`` is the secret (the whole match when absent); an optional named group ``id`` is a
public identifier that comes with it (an AWS access key id, a GCP private_key_id). Every match
must contain one of ``keywords`` (compared lowercased): the pre-filter only hands a detector the
lines that contain one of its keywords, so a keyword missing from a match loses that match.

Facts that need the whole file (an AWS key id and its secret key in the same file, the
``client_email`` next to a GCP ``private_key_id``) are joined by the functions in
``FILE_RULES``: ``(matches, lines) -> matches``.

Precision first: the fake values in examples are random; what the validators reject is what
people write instead of a credential (``AKIAXXXXXXXXXXXXXXXX``, ``<your-token>``, ``${VAR}``,
``changeme``) and the few values vendors publish in their documentation.

Known limits (each a recall choice made for precision, or a format left to detect-secrets):

- AWS secret access keys are found only after a name on the same line (aws_secret_access_key,
  SecretAccessKey, aws_secret, ...): Terraform's ``secret_key =`` and positional arguments
  (``BasicAWSCredentials("AKIA…", "…")``) are missed; the key id next to them is not.
- GitHub classic tokens must pass their CRC32 checksum; one that does not is still reported by
  detect-secrets' "GitHub Token". GitLab: only ``glpat-`` + 20 characters. Slack: rotating
  ``xoxe.`` tokens are not covered.
- Azure: a SAS is found when ``sv=`` comes before ``sig=`` (as every Azure tool writes it);
  Service Bus ``SharedAccessSignature sr=…&sig=…`` strings and Cosmos DB's
  ``AccountEndpoint=…;AccountKey=…`` are not covered; a storage key needs ``AccountName=``
  before ``AccountKey=``.
- PEM: a BEGIN line that ends its line is judged by ``private_key_bodies`` from the lines
  after it, so the table's line examples are one-line keys; a key with no END line keeps the
  BEGIN line as its secret (such keys all hash alike). PGP key blocks are left to
  detect-secrets.
- JWT: compact JWS only (three segments); JWE is not covered.
- Database URLs: a password with an unencoded ``@`` or ``/`` is cut there; Oracle's
  ``jdbc:oracle:thin:user/password@`` form is not covered.
"""

from __future__ import annotations

import re

from nhiscan.scanner.model import Provider
from nhiscan.secrets.detectors.checks import (
    _azure_key,
    _github_checksum,
    _jwt,
    _password,
    _pem,
    _random_looking,
    _random_mixed,
    _tail_random,
)
from nhiscan.secrets.detectors.files import (
    azure_client_id,
    azure_storage_account,
    gcp_client_email,
    pair_aws_keys,
    private_key_bodies,
)
from nhiscan.secrets.detectors.model import (
    _AZURE_STORAGE,
    AWS_KEY_ID,
    AWS_SECRET_KEY,
    AZURE_CLIENT_SECRET,
    AZURE_STORAGE_KEY,
    GCP_SA_KEY,
    PRIVATE_KEY,
    RANK,
    Detector,
    FileRule,
)

# -- the detectors ---------------------------------------------------------------------------

_AWS_SECRET_NAMES = (
    "secret_access_key",
    "secretaccesskey",
    "secret-access-key",
    "aws_secret",
    "awssecret",
    "aws-secret",
)
_DB_SCHEMES = ("postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver")

# One-line forms of PEM keys: an escaped newline or spaces between the lines.
_PEM_SEP = r"(?:(?:\\r)?\\n|[ \t]+)"
_PEM_B64 = r"[A-Za-z0-9+/=]+"

# Random fake values the examples are built from (no real credential is in this file).
_FAKE_PEM = (
    "MIIEvgKxFYRTtvTA3WHPpLzHUfdm8ZrYXs8pBxhyDdUac8Pe9Dmz9L0HQNvkyA7y",
    "L/lfzKaLZZkwtQofECspUTMJFwV7iM+jqua63idbbSiyWsw/gi4ec4NLAaF8JKJz",
    "iVL3Qe+WAVn3vzX6nZegWkdZfsZthHiyK3/t7jUciXbvt0m8kzthSJVxfpIyFzJJ",
    "BguPneQr9G3qh5+TYlu7aO==",
)
_FAKE_OPENSSH = (
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    "NJ7glQQgNuIJZFcZSi50ZLKabTNwUn1UUMw5MzWsmXQqTiRTi5ptCjvmnivG",
    "m0WnpCbFLDUap8zVuSI6Sk+9BLpZDmF6iR3E83PIX01CBAQI1UiMHczbbbz8Lg/f",
)
_FAKE_EC = (
    "MHcCAQEEICKdK3HMXC6YL2CL3lP1YRNxGXjHgo4GClSPOKyzViTctinO4jN439Bf",
    "EAHAp4AKanNIP2aYyz3hGB18xHIN3FKUoK3T552CyeZlr3b4ZGRTWH+z+31qvWI5",
    "IKICdrEz8ml0wTvdCOEo2MbyDjlefBDKuzF0YnNk==",
)
_FAKE_SESSION = (
    "IQoJb3JpZ2luX2Vj5rlGUOcEAFlrH/E7dCWOzy+CfQeYDPcpyZBY8H+s06sjtmVn6rkB8EyAf6R4DdArMEvfW0"
    "tBZs9qtndh8xClskLCp+W82rdV5hA+jnT58bf6ZxqYFoh4WNjtH9+i67OCk9cMqJFt+yFu3CO159ISvwDYVaogg"
)
_FAKE_JWT_HS = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJzdmMtY2kiLCJpc3MiOiJkZXBsb3kiLCJpYXQiOjE3NjcyMjU2MDB9."
    "1O2OQe4HaZ5tbfjjq-bNrYv_tDOCcMcaMSeJsoN1UQr"
)
_FAKE_JWT_ES = (
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJyb2JvdCIsImF1ZCI6ImFwaSJ9."
    "tSZdU1z8sZxVK7lHfGYR47f517DmUUzEfjUsNvWZKG_GlAqVNa_-AHWUXA7vmX3hriiapYD5jojrZETvpbWEun"
)
_JWT_SIG = "Vbp9h8g5kNT1YJcI9ldGNbC_d7J2lnzD0NDTtx_wjOB"
_SAS_QUERY = "sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&spr=https"

DETECTORS: tuple[Detector, ...] = (
    Detector(
        name=AWS_KEY_ID,
        provider=Provider.AWS,
        # Long-term (AKIA) and temporary (ASIA) key ids: 4 letters then 16 base32 characters.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
        # The validator drops AWS's documented example ids (…EXAMPLE) and XXXX placeholders.
        pattern=re.compile(r"(?<![A-Z0-9])(?P<secret>(?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Z0-9])"),
        keywords=("akia", "asia"),
        rank=RANK,
        examples=(
            'aws_access_key_id = "AKIAZ7VRSQ5DXJQ4YEPX"',
            "ASIAZ7VRSQ5DXJQ4YEPX",
            "AWS_ACCESS_KEY_ID=AKIAIJG2K3TK5ULKBTRV",
            '{"AccessKeyId": "ASIA4QRUQZRFMEF3CPJE"}',
            '"credentials": "[ci]\\naws_access_key_id=\\nAKIA43WIOGPBDMEZSZCJ\\n"',
        ),
        counter_examples=(
            "AKIAZ7VRSQ5DXJQ4YEPX0",
            "akiaz7vrsq5dxjq4yepx",
            "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "AKIAZ7VRSQ5DXJQ4YEP",
            "AKIAZ7VRSQ5DXJQ4YEP1",
        ),
        validate=_random_looking,
    ),
    Detector(
        name=AWS_SECRET_KEY,
        provider=Provider.AWS,
        # 40 characters of base64 alphabet, found only after a name that says what it is (the
        # value alone is indistinguishable from any other 40-character string). Names as in
        # ~/.aws/credentials, environment variables, and the STS/IAM JSON responses:
        # https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
        # https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html
        pattern=re.compile(
            r"(?i:" + "|".join(_AWS_SECRET_NAMES) + r")[A-Za-z0-9_-]{0,24}"
            r"\\?[\"'`]?\]?[ \t]*(?:=>|:=|[:=,(]|[ \t])[ \t]*\\?[\"'`]?"
            r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
        keywords=_AWS_SECRET_NAMES,
        rank=RANK,
        examples=(
            "aws_secret_access_key = G7Pq3LfjsRbfYcV/3VoF/ZjbqHu7NJ1HS60YAPVl",
            'export AWS_SECRET_ACCESS_KEY="ges2K56QcDUMMrfIFQzap2zxQhWf7FxOOUJQ/HM3"',
            '    "SecretAccessKey": "4lGrNL5rZj0vUtH447G2YqNHKyNvBCAsCZovIpBP",',
            "  aws_secret: s7SndxwhelLk8d+f4Ottq1NT0z43BfNtpXYxtDB6",
            'os.environ["AWS_SECRET_ACCESS_KEY"] = "G7Pq3LfjsRbfYcV/3VoF/ZjbqHu7NJ1HS60YAPVl"',
            "aws configure set aws_secret_access_key 4lGrNL5rZj0vUtH447G2YqNHKyNvBCAsCZovIpBP",
        ),
        counter_examples=(
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            'aws_secret_access_key = os.environ["AWS_SECRET_ACCESS_KEY"]',
            "AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}",
            "aws_secret_access_key: <your-secret-access-key>",
            "aws_secret_access_key = XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "aws_secret_access_key = G7Pq3LfjsRbfYcV/3VoF/ZjbqHu7NJ1HS60YAPVlx",
            "aws_secret_access_key = g7pq3lfjsrbfycv/3vof/zjbqhu7nj1hs60yapvl",
            "secret_key = G7Pq3LfjsRbfYcV/3VoF/ZjbqHu7NJ1HS60YAPVl",
            "G7Pq3LfjsRbfYcV/3VoF/ZjbqHu7NJ1HS60YAPVl",
        ),
        validate=_random_mixed,
    ),
    Detector(
        name="AWS Session Token",
        provider=Provider.AWS,
        # STS session tokens are base64 of a serialized structure whose first bytes are fixed:
        # "\x01\n\x03aws" (AQoDYXdz, older), "\x15\n\x06er/aws"/"\x17\n\x06er/aws" (FQoG/FwoG),
        # "!\n\torigin_ec" (IQoJb3JpZ2luX2Vj, current). Plain or URL-encoded (presigned URLs'
        # X-Amz-Security-Token). https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html
        pattern=re.compile(
            r"(?<![A-Za-z0-9/+%])(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz)"
            r"(?:[A-Za-z0-9/+]|%2[BbFf]){100,4000}(?:=|%3[Dd]){0,2}(?![A-Za-z0-9/+=%])"
        ),
        keywords=("iqojb3jpz2lux2vj", "fwogzxivyxdz", "fqogzxivyxdz", "aqodyxdz"),
        rank=RANK,
        examples=(
            f"aws_session_token = {_FAKE_SESSION}",
            f'"SessionToken": "{_FAKE_SESSION.replace("/", "%2F").replace("+", "%2B")}"',
            "AWS_SESSION_TOKEN=FwoGZXIvYXdz6oAMi8aRG+E9FGYVIESMPcnL44ZEhZkdrm0SxEr2f2CghS3Tf+UlQIoWE"
            "Ee/wBcvzVOzPFP/JCjDAUpCKsi73FFg/ZSH9GVcZEPsk1iCFxjugpR9XFjfITDhr4iY8oSHoq==",
        ),
        counter_examples=(
            "aws_session_token = IQoJb3JpZ2luX2Vj",
            "aws_session_token = <session-token>",
            "aws_session_token = IQoJb3JpZ2luX2VjEXAMPLECne5C4HHCVsU+I0L85MMqJtEIRHHZjwKGpZBKoqlW89"
            "ZLc3+x1naZsWlXvmDL2rC+yAWh2Fs7A17kAqezSz2h5248k0JNy+qjrBNP4GRcRz6iL8B2m8wzTY3",
            f"aws_session_token = {_FAKE_SESSION[:90]}",
            f"aws_session_token = {_FAKE_SESSION.lower()}",
        ),
        validate=lambda token: "EXAMPLE" not in token and len(set(token)) >= 20,
    ),
    Detector(
        name=GCP_SA_KEY,
        provider=Provider.GCP,
        # The private_key_id of a service-account key file (40 lowercase hex): the public half
        # that names the key in IAM. The private key itself is PEM Private Key's.
        # https://cloud.google.com/iam/docs/keys-create-delete#creating
        pattern=re.compile(
            r"private_key_id\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?"
            r"(?P<secret>(?P<id>[0-9a-f]{40}))(?![0-9A-Za-z])"
        ),
        keywords=("private_key_id",),
        rank=RANK,
        examples=(
            '  "private_key_id": "b992c456a5f7fecad72ec1c5c0157cd926e82c12",',
            "private_key_id: 5e7bab91e1581e6d23a4640343d10f520e276282",
            '{\\"type\\": \\"service_account\\", '
            '\\"private_key_id\\": \\"fa02b92756ed999d6d8bd2e2e78fe554a4742429\\"}',
        ),
        counter_examples=(
            '"private_key_id": "<your-private-key-id>",',
            '"private_key_id": "${GCP_PRIVATE_KEY_ID}",',
            '"private_key_id": "b992c456a5f7fecad72ec1c5c0157cd926e82c1",',
            '"private_key_id": "0000000000000000000000000000000000000000",',
            '"private_key_id": "B992C456A5F7FECAD72EC1C5C0157CD926E82C12",',
            '"key_id": "b992c456a5f7fecad72ec1c5c0157cd926e82c12",',
        ),
        validate=_random_looking,
    ),
    Detector(
        name="GCP API Key",
        provider=Provider.GCP,
        # "AIza" then 35 characters of [0-9A-Za-z_-].
        # https://cloud.google.com/docs/authentication/api-keys
        pattern=re.compile(r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])"),
        keywords=("aiza",),
        rank=RANK,
        examples=(
            "GOOGLE_API_KEY=AIzaSyeYFKKGApDUYoLrZpNh-frrJCXDDgGF_DL",
            '"api_key": "AIzaSyae0Q-jOEj7RDVPTSXk0T5mlshK6eLUOYA",',
            '<script src="https://maps.googleapis.com/maps/api/js'
            '?key=AIzaSy0BNLLGIk0x6YmVNcYD8Z7JjAMTwMnbYIc&callback=init"></script>',
        ),
        counter_examples=(
            "GOOGLE_API_KEY=AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "GOOGLE_API_KEY=AIzaSy<your-api-key>",
            "GOOGLE_API_KEY=AIzaSyeYFKKGApDUYoLrZpNh",
            "google_api_key=aizasyeyfkkgapduyolrzpnh-frrjcxddggf_dl",
            "GOOGLE_API_KEY=AIzaSyeYFKKGApDUYoLrZpNh-frrJCXDDgGF_DLx",
        ),
        validate=_random_looking,
    ),
    Detector(
        name=AZURE_CLIENT_SECRET,
        provider=Provider.AZURE,
        # Entra ID application client secrets since 2021: 3 characters, a digit, the "Q~"
        # marker, then 31-34 of [A-Za-z0-9_~.-].
        # https://learn.microsoft.com/en-us/purview/sit-defn-azure-ad-client-secret
        pattern=re.compile(
            r"(?<![A-Za-z0-9_~.-])(?P<secret>[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})"
            r"(?![A-Za-z0-9_~.-])"
        ),
        keywords=("q~",),
        rank=RANK,
        examples=(
            "AZURE_CLIENT_SECRET=K9s1Q~BDd6A4dl0KxkoBS6JnsVxiFU4QKbUgmwcD",
            '"clientSecret": "ePj7Q~hzqZyA9JOQfjPC0nXKg07PY-pmRCTGQEdJ",',
            "client_secret = 'kA63Q~bbJJA3mjGinQ2515rT6_tu7VMa-RL0D3Qt'",
        ),
        counter_examples=(
            "AZURE_CLIENT_SECRET=abc1Q~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "AZURE_CLIENT_SECRET=K9s1q~BDd6A4dl0KxkoBS6JnsVxiFU4QKbUgmwcD",
            "AZURE_CLIENT_SECRET=K9sAQ~BDd6A4dl0KxkoBS6JnsVxiFU4QKbUgmwcD",
            "AZURE_CLIENT_SECRET=K9s1Q~BDd6A4dl0Kxko",
            "AZURE_CLIENT_SECRET=<client-secret>",
            "AZURE_CLIENT_SECRET=${AZURE_CLIENT_SECRET}",
        ),
        validate=lambda secret: _random_looking(secret[6:]),
    ),
    Detector(
        name=AZURE_STORAGE_KEY,
        provider=Provider.AZURE,
        # A storage account connection string: AccountName=…;AccountKey=<64 bytes, base64>.
        # The Azurite emulator's published account (devstoreaccount1) is no secret.
        # https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string
        # https://learn.microsoft.com/en-us/azure/storage/common/storage-use-azurite#connection-strings
        pattern=_AZURE_STORAGE,
        keywords=("accountkey=",),
        rank=RANK,
        examples=(
            "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=BS861pOQD4rX/h9Z"
            "cMp4Wi51VddLbqKgR/STfvdJZ24le9qoYtROMgo7eEUQ491ADLiWnuLcacDfdfGJNtLROq==;"
            "EndpointSuffix=core.windows.net",
            '"AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=fnstate01;'
            "AccountKey=ornk51CcZCrlWAuZr7HrMANWnWaesuFxqh79GpNA5BfftI1X1eaGveu4lfA9CFZczdzMVu"
            'Zdhf2uO75+8utcpX=="',
        ),
        counter_examples=(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=rnRG7mp4/OZ2"
            "1fPO40c+aUnNCUC4CMyTeFJUAY/epzcpKbOWSRaUMrxsZQJ4QJEb0yBapnPrgilLdXfHdg19tn==;",
            "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=<storage-key>;",
            "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=${STORAGE_KEY};",
            "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=BS861pOQD4rX/h9Z"
            "cMp4Wi51VddLbqKgR/STfvdJZ24le9qoYtROMgo7eEUQ491ADLiWn==;",
            "AccountKey=BS861pOQD4rX/h9ZcMp4Wi51VddLbqKgR/STfvdJZ24le9qoYtROMgo7eEUQ491ADLiWnuLca"
            "cDfdfGJNtLROq==",
        ),
        validate=_azure_key(64),
    ),
    Detector(
        name="Azure SAS Token",
        provider=Provider.AZURE,
        # A shared access signature: a URL query with the service version (sv=) and the
        # signature (sig=, an HMAC-SHA256: 32 bytes, base64, URL-encoded).
        # https://learn.microsoft.com/en-us/rest/api/storageservices/create-service-sas
        pattern=re.compile(
            r"(?<![A-Za-z0-9_])sv=[0-9]{4}-[0-9]{2}-[0-9]{2}"
            r"(?:&(?:amp;)?[a-z]{2,5}=[^&\s\"'`<>]{0,100}){0,12}?"
            r"&(?:amp;)?sig=(?P<secret>(?:[A-Za-z0-9+/]|%2[BbFf]){42,43}(?:=|%3[Dd])?)"
            r"(?![A-Za-z0-9+/=%])"
        ),
        keywords=("sig=",),
        rank=RANK,
        examples=(
            "https://acmebackups.blob.core.windows.net/db/nightly.bak"
            f"?{_SAS_QUERY}&sig=dYl45LbeLIVHDD8%2BsSmL6Ng6X51MEhiHT8gmVmZZKjg%3D",
            'AZURE_SAS_TOKEN="?sv=2021-08-06&se=2031-01-01&sr=c&sp=racwdl'
            '&sig=yvWatmZVdGtO48lNqlws8hd2rRzBIqzb%2BLhpZySUTuI%3D"',
            '<a href="https://x.blob.core.windows.net/c/b?sv=2021-08-06&amp;sr=b&amp;sp=r'
            '&amp;sig=EFOvVt8ZIPdJIYSNkRvapUyJI9HTRSTfJFSmLLR3PHQ%3D">',
        ),
        counter_examples=(
            "?sv=2021-08-06&se=2031-01-01&sr=c&sp=r&sig=<signature>",
            "?se=2031-01-01&sr=c&sp=r&sig=EFOvVt8ZIPdJIYSNkRvapUyJI9HTRSTfJFSmLLR3PHQ%3D",
            "?sv=2021-08-06&sr=c&sig=${SAS_SIGNATURE}",
            "?sv=2021-08-06&sr=c&sig=dYl45LbeLIVHDD8",
            "?sv=2021-08-06&sr=c&sig=EFOvVt8ZIPdJIYSNkRvapUyJI9HTRSTfJFSmLLR3PH%3D",
            "?sv=2021-08-06&sr=c&sig=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX%3D",
        ),
        validate=_azure_key(32),
    ),
    Detector(
        name="Azure Service Bus Connection String",
        provider=Provider.AZURE,
        # Service Bus / Event Hubs: Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=<32
        # bytes, base64>. https://learn.microsoft.com/en-us/azure/service-bus-messaging/service-bus-sas
        pattern=re.compile(
            r"(?i:Endpoint)=sb://[A-Za-z0-9.-]+/?;(?i:SharedAccessKeyName)=[^;\s\"'`]{1,256};"
            r"(?i:SharedAccessKey)=(?P<secret>[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])"
        ),
        keywords=("sharedaccesskey=",),
        rank=RANK,
        examples=(
            "Endpoint=sb://acme-prod.servicebus.windows.net/;SharedAccessKeyName=RootManageShared"
            "AccessKey;SharedAccessKey=HTQgaPXYg1SDayODXTuBFo3S98J+tLRFj3eFegSGmX4=",
            '"EventHub": "Endpoint=sb://telemetry.servicebus.windows.net/;SharedAccessKeyName=send;'
            'SharedAccessKey=shT1uHfiL29wUKEWMuO3uLZE5qZ1USvIG2r43tWRUuM=;EntityPath=events"',
        ),
        counter_examples=(
            "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;"
            "SharedAccessKey=<key>",
            "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;"
            "SharedAccessKey=${SERVICEBUS_KEY}",
            "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;"
            "SharedAccessKey=fpIYaQKWoO6nMiumb7aj66XmoEfYM/=",
            "SharedAccessKey=HTQgaPXYg1SDayODXTuBFo3S98J+tLRFj3eFegSGmX4=",
        ),
        validate=_azure_key(32),
    ),
    Detector(
        name="GitHub Classic Token",
        provider=None,
        # ghp_ (personal), gho_ (OAuth), ghu_ (user-to-server), ghs_ (server-to-server), ghr_
        # (refresh): 30 random base62 characters and a 6-character CRC32 checksum, checked.
        # https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
        pattern=re.compile(
            r"(?<![A-Za-z0-9_])(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}(?![A-Za-z0-9_])"
        ),
        keywords=("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        rank=RANK,
        examples=(
            "GITHUB_TOKEN=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",
            'token = "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"',
            "ghs_n5P4T372QQa9xvWfNxh6b8pIQDypvo2lN2b5",
            "https://x-access-token:ghu_Jpbo5FZtmJlQsFWET1pA6IR57kKEoV0cLnes@github.com/o/r.git",
            "refresh_token=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",
        ),
        counter_examples=(
            "GITHUB_TOKEN=ghp_OBxCUNdIKKaonFbqPZe2Ulnhx0vo9IU2OEoW",
            "GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "GITHUB_TOKEN=ghp_<your-token>",
            "GITHUB_TOKEN=ghp_hJgyuSiulH3l5nMhFnNONrPkhz7y7J0LisC",
            "GITHUB_TOKEN=GHP_hJgyuSiulH3l5nMhFnNONrPkhz7y7J0LisCB",
        ),
        validate=_github_checksum,
    ),
    Detector(
        name="GitHub Fine-grained Token",
        provider=None,
        # github_pat_ then 82 of [A-Za-z0-9_] (22 characters, "_", 59 characters).
        # https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats
        pattern=re.compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{82}(?![A-Za-z0-9_])"),
        keywords=("github_pat_",),
        rank=RANK,
        examples=(
            "GH_TOKEN=github_pat_117BHC7CANEZD07AJBE9LD_gw1At6pAa74Dr3XbFAD0SRO7ZYx4lzDWXUT1rs0I7C"
            "xWbyLnaPI3xTmwTVw",
            'auth: "github_pat_11Y49O687BSLGJN8DSWO7U_DIDxHWiNKblVgfsI75NZ95Z2Ji7ZjSu5kDmskcLWEVy'
            'wETubrEPfK25cGo0"',
        ),
        counter_examples=(
            "GH_TOKEN=github_pat_<your-token>",
            "GH_TOKEN=github_pat_" + "X" * 82,
            "GH_TOKEN=github_pat_117BHC7CANEZD07AJBE9LD_gw1At6pAa74Dr3XbFAD0SRO7Z",
            "GITHUB_PAT_117BHC7CANEZD07AJBE9LD_gw1At6pAa74Dr3XbFAD0SRO7ZYx4lzDWXUT1rs0I7CxWbyLnaPI3x"
            "TmwTVw",
        ),
        validate=_random_mixed,
    ),
    Detector(
        name="GitLab Personal Access Token",
        provider=None,
        # glpat- then 20 of [A-Za-z0-9_-]. https://docs.gitlab.com/ee/security/tokens/#token-prefixes
        pattern=re.compile(r"(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])"),
        keywords=("glpat-",),
        rank=RANK,
        examples=(
            "GITLAB_TOKEN=glpat-MxGTKf8bHytTONrq39ft",
            "git clone https://oauth2:glpat-USwPVdNbOdmGehUU4OTj@gitlab.com/acme/app.git",
            "private_token: 'glpat-tQZUed4qyntFimuHMEce'",
        ),
        counter_examples=(
            "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx",
            "GITLAB_TOKEN=glpat-<your_token_here>",
            "GITLAB_TOKEN=glpat-MxGTKf8bHytTONrq39f",
            "GITLAB_TOKEN=GLPAT-MxGTKf8bHytTONrq39ft",
        ),
        validate=lambda token: _random_looking(token[6:]),
    ),
    Detector(
        name="Slack API Token",
        provider=None,
        # Bot (xoxb-), user (xoxp-), workspace app (xoxa-), refresh (xoxr-) and session (xoxs-)
        # tokens: digit groups (team, user ids) then a random part.
        # https://api.slack.com/authentication/token-types
        pattern=re.compile(
            r"(?<![A-Za-z0-9-])xox[bpars]-(?:[0-9]-)?(?:[0-9]{8,14}-){1,3}[A-Za-z0-9]{24,64}"
            r"(?![A-Za-z0-9-])"
        ),
        keywords=("xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"),
        rank=RANK,
        examples=(
            "SLACK_BOT_TOKEN=xoxb-98689751636-534715409405-2JhjpnfAnkvkJazk9Ocl7geR",
            'slack_token: "xoxp-57220449829-10802376883-1609205852707-b5190ca4d0d012e0059bde910ea6'
            'b048"',
        ),
        counter_examples=(
            "SLACK_BOT_TOKEN=xoxb-your-token",
            "SLACK_BOT_TOKEN=xoxb-000000000000-000000000000-XXXXXXXXXXXXXXXXXXXXXXXX",
            "SLACK_BOT_TOKEN=xoxb-1234567890-1234567890123-abcdefghijklmnopqrstuvwx",
            "SLACK_BOT_TOKEN=xoxb-98689751636-534715409405-2JhjpnfAnkvk",
            "SLACK_BOT_TOKEN=XOXB-98689751636-534715409405-2JhjpnfAnkvkJazk9Ocl7geR",
        ),
        validate=_random_looking,
    ),
    Detector(
        name="Slack App Token",
        provider=None,
        # App-level tokens (Socket Mode): xapp-<n>-<app id>-<digits>-<random>.
        # https://api.slack.com/authentication/token-types#app-level
        pattern=re.compile(
            r"(?<![A-Za-z0-9-])xapp-[0-9]-[A-Z0-9]{8,14}-[0-9]{8,16}-[A-Za-z0-9]{32,80}"
            r"(?![A-Za-z0-9-])"
        ),
        keywords=("xapp-",),
        rank=RANK,
        examples=(
            "SLACK_APP_TOKEN=xapp-1-AXSA1U35XC4-1780843877154-e1d04a23839767f10aad8c29dda694bdc84f"
            "54b64ea57ba49864bb0182f26b72",
            "app_token = 'xapp-1-AXSA1U35XC4-1780843877154-e1d04a23839767f10aad8c29dda694bd'",
        ),
        counter_examples=(
            "SLACK_APP_TOKEN=xapp-1-<app-token>",
            "SLACK_APP_TOKEN=xapp-1-A0000000000-0000000000000-" + "0" * 64,
            "SLACK_APP_TOKEN=xapp-1-AXSA1U35XC4-1780843877154-e1d04a23839767f1",
        ),
        validate=_tail_random,
    ),
    Detector(
        name="Stripe Live Secret Key",
        provider=None,
        # Live-mode secret (sk_live_) and restricted (rk_live_) keys; test-mode keys (sk_test_)
        # reach no money and are left out. https://docs.stripe.com/keys
        pattern=re.compile(r"(?<![A-Za-z0-9_])(?:sk|rk)_live_[A-Za-z0-9]{24,99}(?![A-Za-z0-9_])"),
        keywords=("sk_live_", "rk_live_"),
        rank=RANK,
        examples=(
            "STRIPE_SECRET_KEY=sk_live_wRnNzuj2Eif5bsxEuIKv7q2C",
            "stripe.api_key = 'rk_live_2fIPElL59Pl7FpLWNiIl1gyfn3vdMNlcEc6HhBKbzBJViHshwnYvR3XLiIj"
            "I7k7M2qHWkehcXrvWUS887QkbpShUa6hY6vP3dR5'",
            "sk_live_514Bj8bvlKMGATY6qEdXotZk7I8zJtxGS5vdVdXX1HGptj2sbYCnxnfwwlRLuDQbl9d3Pc4nSDjA"
            "p5EOlxoJ03elwJJb1gjw2Fv",
        ),
        counter_examples=(
            "STRIPE_SECRET_KEY=sk_test_wRnNzuj2Eif5bsxEuIKv7q2C",
            "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "STRIPE_SECRET_KEY=sk_live_<your-key>",
            "STRIPE_SECRET_KEY=sk_live_wRnNzuj2Eif5",
            "STRIPE_SECRET_KEY=SK_LIVE_wRnNzuj2Eif5bsxEuIKv7q2C",
        ),
        validate=_tail_random,
    ),
    Detector(
        name="OpenAI API Key",
        provider=None,
        # Project (sk-proj-), service-account (sk-svcacct-) and admin (sk-admin-) keys, and the
        # legacy user keys; all carry "T3BlbkFJ" (base64 of "OpenAI") in the middle. The format
        # is not documented: https://platform.openai.com/docs/api-reference/authentication
        pattern=re.compile(
            r"(?<![A-Za-z0-9_-])sk-(?:[A-Za-z0-9_-]{16,250}T3BlbkFJ[A-Za-z0-9_-]{16,250}"
            r"|(?:proj|svcacct|admin)-[A-Za-z0-9_-]{80,300})(?![A-Za-z0-9_-])"
        ),
        keywords=("t3blbkfj", "sk-proj-", "sk-svcacct-", "sk-admin-"),
        rank=RANK,
        examples=(
            "OPENAI_API_KEY=sk-proj-xyO040FUOaNq0BERwPG5XTkzdZBAtzdNX5-3b9xzf52V8HOjPBKxiHFMP6h27"
            "vfYUiiN_XLCsdT3BlbkFJO9wGcX1M1efs3dwZhcH666UZqG0pjRlfz-csix_fh4dwUldo5dfGoHKy5oKD6m"
            "0gLMd7rCP8-E",
            'openai.api_key = "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"',
            "key: sk-svcacct-UJTk7bvK-X88biLzfERYJzV5x5WRjFOysjkmhyvHJlBa0Q0MTTyiYFY1qCmS6dbcmC3U"
            "IpA1xt5j7Jc9rJHwPa79AEmFftzF3ewqOCrV6tkuIkZe8jqtn-Qg",
        ),
        counter_examples=(
            "OPENAI_API_KEY=sk-proj-<your-key>",
            "OPENAI_API_KEY=sk-proj-" + "x" * 120,
            "OPENAI_API_KEY=sk-proj-xyO040FUOaNq0BERwPG5XTkzdZ",
            "OPENAI_API_KEY=sk-1234567890abcdefT3BlbkFJ1234567890abcdef",
            "OPENAI_API_KEY=sk-proj-this-is-not-a-real-key-it-is-a-long-description-of-what-goes-"
            "here-when-you-configure-the-app",
        ),
        validate=_random_mixed,
    ),
    Detector(
        name="Anthropic API Key",
        provider=None,
        # API (sk-ant-api03-) and Admin API (sk-ant-admin01-) keys.
        # https://docs.anthropic.com/en/api/getting-started#authentication
        pattern=re.compile(
            r"(?<![A-Za-z0-9_-])sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{80,100}(?![A-Za-z0-9_-])"
        ),
        keywords=("sk-ant-api03-", "sk-ant-admin01-"),
        rank=RANK,
        examples=(
            "ANTHROPIC_API_KEY=sk-ant-api03-2LsYnIaIF9FeFJQdGUNKpDztqjB6qBaIxPFkycA-qvKJX2zkJVpNi"
            "Inx52JdYbovWj4untXQzyELVHx7OFvwkJzZYc60iAA",
            'admin_key = "sk-ant-admin01-SV7x4EPoYhYonHj_ktE4lpqHFAH8S3fhE4gWsbNLjYxuIwglNS0_AMlu'
            'Yu_fMpk_lN2P_DsNQsrABo7PcKDhMMigddE-YAA"',
        ),
        counter_examples=(
            "ANTHROPIC_API_KEY=sk-ant-api03-<your-key>",
            "ANTHROPIC_API_KEY=sk-ant-api03-2LsYnIaIF9FeFJQdGUNKpDztqjB6qBaIxPFkycA",
            "ANTHROPIC_API_KEY=sk-ant-api03-" + "X" * 95,
            "ANTHROPIC_API_KEY=sk-ant-api03-gmTTV-Co_DBgA_bwDcLnNiQug5HOgVdUPPSSl1tggDI8OIqDxrdtz"
            "p0ULsSWwvwdmDgsvjP_s8yuIJuvURqsVHwhVArrz-c4ZYpIuPWpKmXRoglTSuvH26sF",
        ),
        validate=_random_mixed,
    ),
    Detector(
        name=PRIVATE_KEY,
        provider=None,
        # PEM private keys (PKCS#1 RSA, SEC1 EC, DSA, PKCS#8 plain and encrypted, OpenSSH):
        # RFC 7468 and https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.key
        # Two forms on a line: the whole key with escaped newlines or spaces (secret: its
        # base64), or a BEGIN line that ends the line, whose body is on the next lines: the
        # file rule private_key_bodies reads it, and drops the match when no key body follows
        # (a parser's marker constant, documentation). A bare BEGIN line is therefore no
        # line-level example: it is found here and judged by the file rule.
        pattern=re.compile(
            r"-----BEGIN (?P<kind>(?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?)PRIVATE KEY-----"
            rf"(?:{_PEM_SEP}*(?P<secret>(?:(?:Proc-Type|DEK-Info): [^\\\"']*{_PEM_SEP}+)*"
            rf"{_PEM_B64}(?:{_PEM_SEP}+{_PEM_B64})*){_PEM_SEP}*-----END (?P=kind)PRIVATE KEY-----"
            r"|(?=(?:\\[rn]|[ \t\"'`,;+)])*$))"
        ),
        keywords=("private key-----",),
        rank=RANK,
        examples=(
            '  "private_key": "-----BEGIN PRIVATE KEY-----\\n'
            + "\\n".join(_FAKE_PEM)
            + '\\n-----END PRIVATE KEY-----\\n",',
            'SSH_KEY="-----BEGIN OPENSSH PRIVATE KEY----- '
            + " ".join(_FAKE_OPENSSH)
            + ' -----END OPENSSH PRIVATE KEY-----"',
            "-----BEGIN EC PRIVATE KEY-----\\r\\n"
            + "\\r\\n".join(_FAKE_EC)
            + "\\r\\n-----END EC PRIVATE KEY-----",
        ),
        counter_examples=(
            '"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n"',
            "-----BEGIN RSA PRIVATE KEY----- <your key here> -----END RSA PRIVATE KEY-----",
            'if line.startswith("-----BEGIN PRIVATE KEY-----"):',
            '"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg==\\n-----END PRIVATE KEY-----"',
            "-----BEGIN PUBLIC KEY-----",
            "-----begin rsa private key-----",
            '"-----BEGIN PRIVATE KEY-----\\nMII...\\n-----END PRIVATE KEY-----"',
        ),
        validate=_pem,
    ),
    Detector(
        name="Signed JWT",
        provider=None,
        # Compact JWS: three base64url segments; the header is JSON with "alg" (RFC 7515 §7.1,
        # RFC 7519). Unsigned tokens (alg "none") and jwt.io's sample are left out.
        pattern=re.compile(
            r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{16,}"
            r"(?![A-Za-z0-9_.=-])"
        ),
        keywords=("eyj",),
        rank=RANK,
        examples=(
            f"Authorization: Bearer {_FAKE_JWT_HS}",
            f'CI_DEPLOY_TOKEN="{_FAKE_JWT_ES}"',
        ),
        counter_examples=(
            f"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.{_JWT_SIG}",
            f"eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.{_JWT_SIG}",
            f"eyJhbGciOiJIUzI1.eyJzdWIiOiJ4In0.{_JWT_SIG}",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9l"
            "IiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.short",
            "token = eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.<payload>.<signature>",
        ),
        validate=_jwt,
    ),
    Detector(
        name="Database URL Password",
        provider=None,
        # scheme://user:password@host for database and broker URLs (RFC 3986 userinfo):
        # https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS
        # https://www.mongodb.com/docs/manual/reference/connection-string/
        # https://www.iana.org/assignments/uri-schemes/prov/redis https://www.rabbitmq.com/docs/uri-spec
        # SQLAlchemy's scheme+driver and jdbc: prefixes included. The secret is the password;
        # the user's own name as password (postgres:postgres, guest:guest) and hosts under
        # example.com/.org/.net are documentation defaults.
        pattern=re.compile(
            r"(?<![A-Za-z0-9+.-])(?:jdbc:)?(?i:postgres(?:ql)?|mysql|mariadb|mongodb|rediss?"
            r"|amqps?|mssql|sqlserver)(?:\+[A-Za-z0-9_]+)?://"
            r"(?P<user>[^\s:@/?#\"'`<>\\]{0,64}):(?!(?P=user)@)"
            r"(?P<secret>[^\s@/?#\"'`<>\\]{3,128})@"
            r"(?!(?:[A-Za-z0-9-]+\.)*example\.(?:com|org|net)(?![A-Za-z0-9.-]))[A-Za-z0-9\[_]"
        ),
        keywords=_DB_SCHEMES,
        rank=RANK,
        examples=(
            "DATABASE_URL=postgres://app:GsR8f49SnA1AQg3I@db.internal:5432/app",
            'SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://reports:6tTuOAy4NwhPgDMu@10.0.3.7/r"',
            "MONGO_URI=mongodb+srv://ingest:lNk5X7qMeSBcEcCX@cluster0.ab1cd.mongodb.net/?w=majority",
            "REDIS_URL=rediss://:Kvhp1Eike4WOPUAH@cache.internal:6380/0",
            "BROKER_URL=amqp://worker:GsR8f49SnA1AQg3I@rabbit.internal:5672/",
            "url: jdbc:mysql://etl:6tTuOAy4NwhPgDMu@mysql.internal:3306/warehouse",
        ),
        counter_examples=(
            "postgres://user:password@localhost/db",
            "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app",
            "mongodb+srv://<username>:<password>@cluster0.mongodb.net",
            "mysql://root:****@localhost/db",
            "redis://:@localhost:6379",
            "amqp://guest:guest@localhost:5672/",
            "postgres://postgres:postgres@localhost:5432/test",
            "postgresql://app:changeme@db/app",
            "postgres://app:xxx@db/app",
            'f"postgresql://{user}:{password}@{host}/app"',
            '"postgres://app:%s@%s/app" % (pw, host)',
            "postgres://app:DB_PASSWORD@db/app",
            "postgres://app:%3Cpassword%3E@db/app",
            "postgresql://scott:tiger@localhost/test",
            "postgres://app:GsR8f49SnA1AQg3I@db.example.com/app",
            "postgres://app:ab@db/app",
            "postgres://db.internal:5432/app",
            "https://app:GsR8f49SnA1AQg3I@db.internal/app",
        ),
        validate=_password,
    ),
    Detector(
        name="JDBC Password Property",
        provider=None,
        # JDBC URLs carrying the password as a property (;password= for SQL Server, ?password=
        # for PostgreSQL/MySQL/MariaDB).
        # https://learn.microsoft.com/en-us/sql/connect/jdbc/building-the-connection-url
        # https://jdbc.postgresql.org/documentation/use/#connection-parameters
        pattern=re.compile(
            r"(?<![A-Za-z0-9])jdbc:[a-z0-9]+:(?:[a-z0-9]+:)?//[^\s\"'`<>]{0,200}?[?&;]"
            r"(?i:password|pwd)=(?P<secret>[^&;\s\"'`<>]{3,128})"
        ),
        keywords=("jdbc:",),
        rank=RANK,
        examples=(
            "jdbc:sqlserver://sql.internal:1433;databaseName=billing;user=svc_billing;"
            "password=GsR8f49SnA1AQg3I;encrypt=true",
            'url = "jdbc:postgresql://pg.internal:5432/app?user=app&password=6tTuOAy4NwhPgDMu"',
        ),
        counter_examples=(
            "jdbc:postgresql://pg:5432/app?user=app&password=${DB_PASSWORD}",
            "jdbc:sqlserver://sql:1433;user=sa;password=<password>",
            "jdbc:mysql://db:3306/app?user=root&password=password",
            "jdbc:postgresql://pg:5432/app?user=app",
        ),
        validate=_password,
    ),
)

__all__ = [
    "AWS_KEY_ID",
    "AWS_SECRET_KEY",
    "AZURE_CLIENT_SECRET",
    "AZURE_STORAGE_KEY",
    "DETECTORS",
    "FILE_RULES",
    "GCP_SA_KEY",
    "PRIVATE_KEY",
    "RANK",
    "Detector",
    "FileRule",
    "azure_client_id",
    "azure_storage_account",
    "gcp_client_email",
    "pair_aws_keys",
    "private_key_bodies",
]

FILE_RULES: tuple[FileRule, ...] = (
    pair_aws_keys,
    gcp_client_email,
    azure_client_id,
    azure_storage_account,
    private_key_bodies,
)
