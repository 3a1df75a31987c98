"""nhiscan's own detectors, for the credentials of non-human identities that detect-secrets
lacks or handles weakly. Data, not logic: each entry is a line pattern, the lowercase keywords
the pre-filter looks for and an optional pure validator. Each detector's true and false
examples are test data (tests/connectors/git/secrets/detector_examples.py, keyed by detector
name), checked by the meta-test in tests/connectors/git/secrets/test_detectors.py: every example
line is found, every counter-example is not, and no detector is without examples.

Pattern conventions: the pattern runs on one line (no newline inside a match). The named group
``secret`` is the secret (the whole match when absent); an optional named group ``id`` is a
public identifier that comes with it (an AWS access key id, a GCP private_key_id). Every match
must contain one of ``keywords`` (compared lowercased): the pre-filter only hands a detector the
lines that contain one of its keywords, so a keyword missing from a match loses that match.
Patterns must stay linear on a long line (a 32 KiB window of minified code): no quantified
group whose body is itself quantified or can match the same text two ways (``(?:[ \t]+)*``
is exponential on a run of spaces); bound what may repeat.

The vendors' formats (forges, CI, registries, chat, payment, observability, AI APIs, SaaS,
secret managers, credentials in curl commands) are rows of ``vendors.py``, business services'
(payments, shipping, support, chat webhooks) of ``business.py``; the encoded-value rows
(base64, ``\\u`` escapes, URL encoding, a name and its value on two lines) come last and
are decoded by a file rule (``decoded.py``). Every row refuses the vendors' documentation
samples (``checks_vendor.DOCUMENTED_EXAMPLES``).

Facts that need the whole file (an AWS key id and its secret key in the same file, the
``client_email`` next to a GCP ``private_key_id``) are joined by the functions in
``FILE_RULES``: ``(matches, lines) -> matches``.

Precision first: the fake values in the examples are random; what the validators reject is what
people write instead of a credential (``AKIAXXXXXXXXXXXXXXXX``, ``<your-token>``, ``${VAR}``,
``changeme``) and the few values vendors publish in their documentation.

Known limits (each a recall choice made for precision, or a format left to detect-secrets):

- AWS secret access keys are found after a name on the same line (aws_secret_access_key,
  SecretAccessKey, aws_secret, ...), or without one within three lines of their key id
  (Terraform's ``secret_key =``, ``BasicAWSCredentials("AKIA…", "…")``: the file rule
  ``aws_secret_beside_key_id``); alone and unnamed, a 40-character value is not one.
- GitHub classic tokens must pass their CRC32 checksum; one that does not is still reported by
  detect-secrets' "GitHub Token". GitLab: ``glpat-`` + 20 characters here, the other
  prefixes in ``vendors.py``.
- Azure: a SAS is found when ``sv=`` comes before ``sig=`` (as every Azure tool writes it);
  Service Bus ``SharedAccessSignature sr=…&sig=…`` strings and Cosmos DB's
  ``AccountEndpoint=…;AccountKey=…`` are not covered; a storage key needs ``AccountName=``
  before ``AccountKey=``.
- PEM: a BEGIN line that ends its line is judged by ``private_key_bodies`` from the lines
  after it, so the line-level examples are one-line keys; a key with no END line keeps the
  BEGIN line as its secret (such keys all hash alike). PGP private key blocks: ``pgp.py``
  (the packets must start with a secret key and pass the armor's CRC-24 when it is there).
- JWT: compact JWS only (three segments); JWE is not covered.
- Database URLs: a password with an unencoded ``@`` or ``/`` is cut there; Oracle's
  ``jdbc:oracle:thin:user/password@`` form is not covered.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial

from nhiscan.connectors.git.secrets.detectors.business import BUSINESS_DETECTORS
from nhiscan.connectors.git.secrets.detectors.checks import (
    _azure_key,
    _github_checksum,
    _jwt,
    _password,
    _pem,
    _random_looking,
    _random_mixed,
    _tail_random,
)
from nhiscan.connectors.git.secrets.detectors.checks_vendor import not_documented
from nhiscan.connectors.git.secrets.detectors.decoded import decoded_matches, encoded_detectors
from nhiscan.connectors.git.secrets.detectors.files import (
    aws_secret_beside_key_id,
    azure_client_id,
    azure_storage_account,
    gcp_client_email,
    pair_aws_keys,
    private_key_bodies,
)
from nhiscan.connectors.git.secrets.detectors.model import (
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
from nhiscan.connectors.git.secrets.detectors.pgp import PGP_DETECTOR, pgp_key_bodies
from nhiscan.connectors.git.secrets.detectors.platforms import PLATFORM_DETECTORS
from nhiscan.connectors.git.secrets.detectors.putty import putty_key_bodies
from nhiscan.connectors.git.secrets.detectors.services import SERVICE_DETECTORS
from nhiscan.connectors.git.secrets.detectors.vendors import VENDOR_DETECTORS, value_names
from nhiscan.scanner.model import Provider

# -- the detectors ---------------------------------------------------------------------------

_AWS_SECRET_NAMES = (
    "secret_access_key",
    "secretaccesskey",
    "secret-access-key",
    "aws_secret",
    "awssecret",
    "aws-secret",
    # the AWS SDK for Java's system property (v1; v2's aws.secretAccessKey is matched above):
    # https://docs.aws.amazon.com/sdk-for-java/v1/developer-guide/credentials.html
    "aws.secret",
)
_DB_SCHEMES = ("postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver")

# One-line forms of PEM keys: escaped newlines or spaces between the lines. One separator
# character (or escape) per repetition, never a run inside a repeated group: ``(?:[ \t]+)*``
# is a nested quantifier, exponential on a long run of spaces that ends without a key.
_PEM_SEP = r"(?:(?:\\r)?\\n|[ \t])"
_PEM_B64 = r"[A-Za-z0-9+/=]+"

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
        # Spaces around the separator are possessive (``*+``): three overlapping runs of
        # ``[ \t]*`` were quadratic on a long run of spaces after a name.
        pattern=re.compile(
            r"(?i:" + "|".join(map(re.escape, _AWS_SECRET_NAMES)) + r")[A-Za-z0-9_-]{0,24}"
            r"\\?[\"'`]?\]?(?:[ \t]*+(?:=>|:=|[:=,(])|[ \t])[ \t]*+\\?[\"'`]?"
            r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
        keywords=_AWS_SECRET_NAMES,
        rank=RANK,
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
        validate=_random_mixed,
    ),
    Detector(
        name="GitLab Personal Access Token",
        provider=None,
        # glpat- then 20 of [A-Za-z0-9_-]. https://docs.gitlab.com/ee/security/tokens/#token-prefixes
        pattern=re.compile(r"(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])"),
        keywords=("glpat-",),
        rank=RANK,
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
        validate=_tail_random,
    ),
    Detector(
        name="Stripe Live Secret Key",
        provider=None,
        # Live-mode secret (sk_live_) and restricted (rk_live_) keys; test-mode keys (sk_test_)
        # reach no money and are left out. https://docs.stripe.com/keys
        pattern=re.compile(r"(?<![A-Za-z0-9_])(?:sk|rk)_live_[A-Za-z0-9]{24,247}(?![A-Za-z0-9_])"),
        keywords=("sk_live_", "rk_live_"),
        rank=RANK,
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
            rf"(?:{_PEM_SEP}*(?P<secret>(?:(?:Proc-Type|DEK-Info): [^\\\"'\s]*{_PEM_SEP}+)*"
            rf"{_PEM_B64}(?:{_PEM_SEP}+{_PEM_B64})*){_PEM_SEP}*-----END (?P=kind)PRIVATE KEY-----"
            r"|(?=(?:\\[rn]|[ \t\"'`,;+)])*$))"
        ),
        keywords=("private key-----",),
        rank=RANK,
        validate=_pem,
    ),
    PGP_DETECTOR,
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
        validate=_password,
    ),
    Detector(
        name="XML Password Element",
        provider=None,
        # A literal password in an XML element or in NuGet's cleartext credential: the servers
        # of Maven's settings.xml (<password>, <passphrase>), NuGet.Config's
        # packageSourceCredentials (ClearTextPassword), and any configuration written so. A
        # value in braces is Maven's encrypted form (or a template), ${...} a property: no
        # password (``_password``).
        # https://maven.apache.org/settings.html#servers
        # https://maven.apache.org/guides/mini/guide-encryption.html
        # https://learn.microsoft.com/en-us/nuget/reference/nuget-config-file#packagesourcecredentials
        pattern=re.compile(
            r"(?:<(?i:password|passphrase)>|(?P<nuget><add[ \t]+key=\"(?i:cleartextpassword)\""
            r"[ \t]+value=\"))(?P<secret>[^\"<>\s]{3,256})(?(nuget)\"|</(?i:password|passphrase)>)"
        ),
        keywords=("<password>", "<passphrase>", "cleartextpassword"),
        rank=RANK,
        validate=_password,
    ),
    *VENDOR_DETECTORS,
    *SERVICE_DETECTORS,
    *PLATFORM_DETECTORS,
    *BUSINESS_DETECTORS,
)
DETECTORS = tuple(replace(d, validate=not_documented(d.validate)) for d in DETECTORS)
# The encoded-value rows (decoded.py): their keywords are the other rows' prefixes, encoded.
DETECTORS += encoded_detectors(DETECTORS, value_names(DETECTORS))

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
    partial(decoded_matches, DETECTORS),  # first: what it finds is joined like the rest
    aws_secret_beside_key_id,
    pair_aws_keys,
    gcp_client_email,
    azure_client_id,
    azure_storage_account,
    private_key_bodies,
    pgp_key_bodies,
    putty_key_bodies,
)
