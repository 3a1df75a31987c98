"""True and false examples for each of nhiscan's secret detectors
(nhiscan/connectors/git/secrets/detectors/), checked by test_detectors.py: every example is
found by its detector, every counter-example is not. Every value here is random or a documented
placeholder; none is a real credential."""

from __future__ import annotations

import base64
import random

from nhiscan.connectors.git.secrets.detectors import (
    AWS_KEY_ID,
    AWS_SECRET_KEY,
    AZURE_CLIENT_SECRET,
    AZURE_STORAGE_KEY,
    GCP_SA_KEY,
    PRIVATE_KEY,
)
from tests.connectors.git.secrets.eval_corpus import line_examples

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


def crc24(data: bytes) -> int:
    """RFC 4880 §6.1's CRC-24 (check value: 0x21CF02 for b"123456789")."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc = (crc << 1) ^ (0x1864CFB if crc & 0x800000 else 0)
    return crc & 0xFFFFFF


def pgp_block(seed: str, first: int = 0x95, *, crc_delta: int = 0) -> list[str]:
    """An armored private key block of random packets (old-format tag ``first``: 0x95 a
    secret key, 0x99 a public key) with its CRC-24 line, as lines."""
    rng = random.Random(seed)
    packets = bytes([first, 1, 40]) + bytes(rng.randrange(256) for _ in range(296))
    body = base64.b64encode(packets).decode()
    crc = (crc24(packets) + crc_delta) & 0xFFFFFF
    return [
        "-----BEGIN PGP PRIVATE KEY BLOCK-----",
        "Comment: release signing",
        "",
        *(body[i : i + 64] for i in range(0, len(body), 64)),
        "=" + base64.b64encode(crc.to_bytes(3, "big")).decode(),
        "-----END PGP PRIVATE KEY BLOCK-----",
    ]


def _escaped(lines: list[str]) -> str:
    return "\\n".join(lines)


# detector name -> (examples: lines it must find, counter-examples: lines it must not)
EXAMPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    AWS_KEY_ID: (
        (
            'aws_access_key_id = "AKIAZ7VRSQ5DXJQ4YEPX"',
            "ASIAZ7VRSQ5DXJQ4YEPX",
            "AWS_ACCESS_KEY_ID=AKIAIJG2K3TK5ULKBTRV",
            '{"AccessKeyId": "ASIA4QRUQZRFMEF3CPJE"}',
            '"credentials": "[ci]\\naws_access_key_id=\\nAKIA43WIOGPBDMEZSZCJ\\n"',
        ),
        (
            "AKIAZ7VRSQ5DXJQ4YEPX0",
            "akiaz7vrsq5dxjq4yepx",
            "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "AKIAZ7VRSQ5DXJQ4YEP",
            "AKIAZ7VRSQ5DXJQ4YEP1",
        ),
    ),
    AWS_SECRET_KEY: (
        (
            "aws_secret_access_key = G7Pq3LfjsRbfYcV/3VoF/ZjbqHu7NJ1HS60YAPVl",
            'export AWS_SECRET_ACCESS_KEY="ges2K56QcDUMMrfIFQzap2zxQhWf7FxOOUJQ/HM3"',
            '    "SecretAccessKey": "4lGrNL5rZj0vUtH447G2YqNHKyNvBCAsCZovIpBP",',
            "  aws_secret: s7SndxwhelLk8d+f4Ottq1NT0z43BfNtpXYxtDB6",
            'os.environ["AWS_SECRET_ACCESS_KEY"] = "G7Pq3LfjsRbfYcV/3VoF/ZjbqHu7NJ1HS60YAPVl"',
            "aws configure set aws_secret_access_key 4lGrNL5rZj0vUtH447G2YqNHKyNvBCAsCZovIpBP",
            "aws.secretKey=u2Hq8RfNc0Lx7WbZ3pKt9Ve/MdJ4sAyG1oQi6TnE",
            '-Daws.secretAccessKey="Xn4Wq/7Lb2RcT9sKe1ZpV0jHdMy6AuF3gQo8Bi5N"',
        ),
        (
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
    ),
    "AWS Session Token": (
        (
            f"aws_session_token = {_FAKE_SESSION}",
            f'"SessionToken": "{_FAKE_SESSION.replace("/", "%2F").replace("+", "%2B")}"',
            "AWS_SESSION_TOKEN=FwoGZXIvYXdz6oAMi8aRG+E9FGYVIESMPcnL44ZEhZkdrm0SxEr2f2CghS3Tf+UlQIoWE"
            "Ee/wBcvzVOzPFP/JCjDAUpCKsi73FFg/ZSH9GVcZEPsk1iCFxjugpR9XFjfITDhr4iY8oSHoq==",
        ),
        (
            "aws_session_token = IQoJb3JpZ2luX2Vj",
            "aws_session_token = <session-token>",
            "aws_session_token = IQoJb3JpZ2luX2VjEXAMPLECne5C4HHCVsU+I0L85MMqJtEIRHHZjwKGpZBKoqlW89"
            "ZLc3+x1naZsWlXvmDL2rC+yAWh2Fs7A17kAqezSz2h5248k0JNy+qjrBNP4GRcRz6iL8B2m8wzTY3",
            f"aws_session_token = {_FAKE_SESSION[:90]}",
            f"aws_session_token = {_FAKE_SESSION.lower()}",
        ),
    ),
    GCP_SA_KEY: (
        (
            '  "private_key_id": "b992c456a5f7fecad72ec1c5c0157cd926e82c12",',
            "private_key_id: 5e7bab91e1581e6d23a4640343d10f520e276282",
            '{\\"type\\": \\"service_account\\", '
            '\\"private_key_id\\": \\"fa02b92756ed999d6d8bd2e2e78fe554a4742429\\"}',
        ),
        (
            '"private_key_id": "<your-private-key-id>",',
            '"private_key_id": "${GCP_PRIVATE_KEY_ID}",',
            '"private_key_id": "b992c456a5f7fecad72ec1c5c0157cd926e82c1",',
            '"private_key_id": "0000000000000000000000000000000000000000",',
            '"private_key_id": "B992C456A5F7FECAD72EC1C5C0157CD926E82C12",',
            '"key_id": "b992c456a5f7fecad72ec1c5c0157cd926e82c12",',
        ),
    ),
    "GCP API Key": (
        (
            "GOOGLE_API_KEY=AIzaSyeYFKKGApDUYoLrZpNh-frrJCXDDgGF_DL",
            '"api_key": "AIzaSyae0Q-jOEj7RDVPTSXk0T5mlshK6eLUOYA",',
            '<script src="https://maps.googleapis.com/maps/api/js'
            '?key=AIzaSy0BNLLGIk0x6YmVNcYD8Z7JjAMTwMnbYIc&callback=init"></script>',
        ),
        (
            "GOOGLE_API_KEY=AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "GOOGLE_API_KEY=AIzaSy<your-api-key>",
            "GOOGLE_API_KEY=AIzaSyeYFKKGApDUYoLrZpNh",
            "google_api_key=aizasyeyfkkgapduyolrzpnh-frrjcxddggf_dl",
            "GOOGLE_API_KEY=AIzaSyeYFKKGApDUYoLrZpNh-frrJCXDDgGF_DLx",
        ),
    ),
    AZURE_CLIENT_SECRET: (
        (
            "AZURE_CLIENT_SECRET=K9s1Q~BDd6A4dl0KxkoBS6JnsVxiFU4QKbUgmwcD",
            '"clientSecret": "ePj7Q~hzqZyA9JOQfjPC0nXKg07PY-pmRCTGQEdJ",',
            "client_secret = 'kA63Q~bbJJA3mjGinQ2515rT6_tu7VMa-RL0D3Qt'",
        ),
        (
            "AZURE_CLIENT_SECRET=abc1Q~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "AZURE_CLIENT_SECRET=K9s1q~BDd6A4dl0KxkoBS6JnsVxiFU4QKbUgmwcD",
            "AZURE_CLIENT_SECRET=K9sAQ~BDd6A4dl0KxkoBS6JnsVxiFU4QKbUgmwcD",
            "AZURE_CLIENT_SECRET=K9s1Q~BDd6A4dl0Kxko",
            "AZURE_CLIENT_SECRET=<client-secret>",
            "AZURE_CLIENT_SECRET=${AZURE_CLIENT_SECRET}",
        ),
    ),
    AZURE_STORAGE_KEY: (
        (
            "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=BS861pOQD4rX/h9Z"
            "cMp4Wi51VddLbqKgR/STfvdJZ24le9qoYtROMgo7eEUQ491ADLiWnuLcacDfdfGJNtLROq==;"
            "EndpointSuffix=core.windows.net",
            '"AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=fnstate01;'
            "AccountKey=ornk51CcZCrlWAuZr7HrMANWnWaesuFxqh79GpNA5BfftI1X1eaGveu4lfA9CFZczdzMVu"
            'Zdhf2uO75+8utcpX=="',
        ),
        (
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=rnRG7mp4/OZ2"
            "1fPO40c+aUnNCUC4CMyTeFJUAY/epzcpKbOWSRaUMrxsZQJ4QJEb0yBapnPrgilLdXfHdg19tn==;",
            "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=<storage-key>;",
            "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=${STORAGE_KEY};",
            "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=BS861pOQD4rX/h9Z"
            "cMp4Wi51VddLbqKgR/STfvdJZ24le9qoYtROMgo7eEUQ491ADLiWn==;",
            "AccountKey=BS861pOQD4rX/h9ZcMp4Wi51VddLbqKgR/STfvdJZ24le9qoYtROMgo7eEUQ491ADLiWnuLca"
            "cDfdfGJNtLROq==",
        ),
    ),
    "Azure SAS Token": (
        (
            "https://acmebackups.blob.core.windows.net/db/nightly.bak"
            f"?{_SAS_QUERY}&sig=dYl45LbeLIVHDD8%2BsSmL6Ng6X51MEhiHT8gmVmZZKjg%3D",
            'AZURE_SAS_TOKEN="?sv=2021-08-06&se=2031-01-01&sr=c&sp=racwdl'
            '&sig=yvWatmZVdGtO48lNqlws8hd2rRzBIqzb%2BLhpZySUTuI%3D"',
            '<a href="https://x.blob.core.windows.net/c/b?sv=2021-08-06&amp;sr=b&amp;sp=r'
            '&amp;sig=EFOvVt8ZIPdJIYSNkRvapUyJI9HTRSTfJFSmLLR3PHQ%3D">',
        ),
        (
            "?sv=2021-08-06&se=2031-01-01&sr=c&sp=r&sig=<signature>",
            "?se=2031-01-01&sr=c&sp=r&sig=EFOvVt8ZIPdJIYSNkRvapUyJI9HTRSTfJFSmLLR3PHQ%3D",
            "?sv=2021-08-06&sr=c&sig=${SAS_SIGNATURE}",
            "?sv=2021-08-06&sr=c&sig=dYl45LbeLIVHDD8",
            "?sv=2021-08-06&sr=c&sig=EFOvVt8ZIPdJIYSNkRvapUyJI9HTRSTfJFSmLLR3PH%3D",
            "?sv=2021-08-06&sr=c&sig=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX%3D",
        ),
    ),
    "Azure Service Bus Connection String": (
        (
            "Endpoint=sb://acme-prod.servicebus.windows.net/;SharedAccessKeyName=RootManageShared"
            "AccessKey;SharedAccessKey=HTQgaPXYg1SDayODXTuBFo3S98J+tLRFj3eFegSGmX4=",
            '"EventHub": "Endpoint=sb://telemetry.servicebus.windows.net/;SharedAccessKeyName=send;'
            'SharedAccessKey=shT1uHfiL29wUKEWMuO3uLZE5qZ1USvIG2r43tWRUuM=;EntityPath=events"',
        ),
        (
            "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;"
            "SharedAccessKey=<key>",
            "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;"
            "SharedAccessKey=${SERVICEBUS_KEY}",
            "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;"
            "SharedAccessKey=fpIYaQKWoO6nMiumb7aj66XmoEfYM/=",
            "SharedAccessKey=HTQgaPXYg1SDayODXTuBFo3S98J+tLRFj3eFegSGmX4=",
        ),
    ),
    "GitHub Classic Token": (
        (
            "GITHUB_TOKEN=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",
            'token = "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"',
            "ghs_n5P4T372QQa9xvWfNxh6b8pIQDypvo2lN2b5",
            "https://x-access-token:ghu_Jpbo5FZtmJlQsFWET1pA6IR57kKEoV0cLnes@github.com/o/r.git",
            "refresh_token=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",
        ),
        (
            "GITHUB_TOKEN=ghp_OBxCUNdIKKaonFbqPZe2Ulnhx0vo9IU2OEoW",
            "GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "GITHUB_TOKEN=ghp_<your-token>",
            "GITHUB_TOKEN=ghp_hJgyuSiulH3l5nMhFnNONrPkhz7y7J0LisC",
            "GITHUB_TOKEN=GHP_hJgyuSiulH3l5nMhFnNONrPkhz7y7J0LisCB",
        ),
    ),
    "GitHub Fine-grained Token": (
        (
            "GH_TOKEN=github_pat_117BHC7CANEZD07AJBE9LD_gw1At6pAa74Dr3XbFAD0SRO7ZYx4lzDWXUT1rs0I7C"
            "xWbyLnaPI3xTmwTVw",
            'auth: "github_pat_11Y49O687BSLGJN8DSWO7U_DIDxHWiNKblVgfsI75NZ95Z2Ji7ZjSu5kDmskcLWEVy'
            'wETubrEPfK25cGo0"',
        ),
        (
            "GH_TOKEN=github_pat_<your-token>",
            "GH_TOKEN=github_pat_" + "X" * 82,
            "GH_TOKEN=github_pat_117BHC7CANEZD07AJBE9LD_gw1At6pAa74Dr3XbFAD0SRO7Z",
            "GITHUB_PAT_117BHC7CANEZD07AJBE9LD_gw1At6pAa74Dr3XbFAD0SRO7ZYx4lzDWXUT1rs0I7CxWbyLnaPI3x"
            "TmwTVw",
        ),
    ),
    "GitLab Personal Access Token": (
        (
            "GITLAB_TOKEN=glpat-MxGTKf8bHytTONrq39ft",
            "git clone https://oauth2:glpat-USwPVdNbOdmGehUU4OTj@gitlab.com/acme/app.git",
            "private_token: 'glpat-tQZUed4qyntFimuHMEce'",
        ),
        (
            "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx",
            "GITLAB_TOKEN=glpat-<your_token_here>",
            "GITLAB_TOKEN=glpat-MxGTKf8bHytTONrq39f",
            "GITLAB_TOKEN=GLPAT-MxGTKf8bHytTONrq39ft",
        ),
    ),
    "Slack API Token": (
        (
            "SLACK_BOT_TOKEN=xoxb-98689751636-534715409405-2JhjpnfAnkvkJazk9Ocl7geR",
            'slack_token: "xoxp-57220449829-10802376883-1609205852707-b5190ca4d0d012e0059bde910ea6'
            'b048"',
        ),
        (
            "SLACK_BOT_TOKEN=xoxb-your-token",
            "SLACK_BOT_TOKEN=xoxb-000000000000-000000000000-XXXXXXXXXXXXXXXXXXXXXXXX",
            "SLACK_BOT_TOKEN=xoxb-1234567890-1234567890123-abcdefghijklmnopqrstuvwx",
            "SLACK_BOT_TOKEN=xoxb-98689751636-534715409405-2JhjpnfAnkvk",
            "SLACK_BOT_TOKEN=XOXB-98689751636-534715409405-2JhjpnfAnkvkJazk9Ocl7geR",
        ),
    ),
    "Slack App Token": (
        (
            "SLACK_APP_TOKEN=xapp-1-AXSA1U35XC4-1780843877154-e1d04a23839767f10aad8c29dda694bdc84f"
            "54b64ea57ba49864bb0182f26b72",
            "app_token = 'xapp-1-AXSA1U35XC4-1780843877154-e1d04a23839767f10aad8c29dda694bd'",
        ),
        (
            "SLACK_APP_TOKEN=xapp-1-<app-token>",
            "SLACK_APP_TOKEN=xapp-1-A0000000000-0000000000000-" + "0" * 64,
            "SLACK_APP_TOKEN=xapp-1-AXSA1U35XC4-1780843877154-e1d04a23839767f1",
        ),
    ),
    "Stripe Live Secret Key": (
        (
            "STRIPE_SECRET_KEY=sk_live_wRnNzuj2Eif5bsxEuIKv7q2C",
            "stripe.api_key = 'rk_live_2fIPElL59Pl7FpLWNiIl1gyfn3vdMNlcEc6HhBKbzBJViHshwnYvR3XLiIj"
            "I7k7M2qHWkehcXrvWUS887QkbpShUa6hY6vP3dR5'",
            "sk_live_514Bj8bvlKMGATY6qEdXotZk7I8zJtxGS5vdVdXX1HGptj2sbYCnxnfwwlRLuDQbl9d3Pc4nSDjA"
            "p5EOlxoJ03elwJJb1gjw2Fv",
        ),
        (
            "STRIPE_SECRET_KEY=sk_test_wRnNzuj2Eif5bsxEuIKv7q2C",
            "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "STRIPE_SECRET_KEY=sk_live_<your-key>",
            "STRIPE_SECRET_KEY=sk_live_wRnNzuj2Eif5",
            "STRIPE_SECRET_KEY=SK_LIVE_wRnNzuj2Eif5bsxEuIKv7q2C",
        ),
    ),
    "OpenAI API Key": (
        (
            "OPENAI_API_KEY=sk-proj-xyO040FUOaNq0BERwPG5XTkzdZBAtzdNX5-3b9xzf52V8HOjPBKxiHFMP6h27"
            "vfYUiiN_XLCsdT3BlbkFJO9wGcX1M1efs3dwZhcH666UZqG0pjRlfz-csix_fh4dwUldo5dfGoHKy5oKD6m"
            "0gLMd7rCP8-E",
            'openai.api_key = "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"',
            "key: sk-svcacct-UJTk7bvK-X88biLzfERYJzV5x5WRjFOysjkmhyvHJlBa0Q0MTTyiYFY1qCmS6dbcmC3U"
            "IpA1xt5j7Jc9rJHwPa79AEmFftzF3ewqOCrV6tkuIkZe8jqtn-Qg",
        ),
        (
            "OPENAI_API_KEY=sk-proj-<your-key>",
            "OPENAI_API_KEY=sk-proj-" + "x" * 120,
            "OPENAI_API_KEY=sk-proj-xyO040FUOaNq0BERwPG5XTkzdZ",
            "OPENAI_API_KEY=sk-1234567890abcdefT3BlbkFJ1234567890abcdef",
            "OPENAI_API_KEY=sk-proj-this-is-not-a-real-key-it-is-a-long-description-of-what-goes-"
            "here-when-you-configure-the-app",
        ),
    ),
    "Anthropic API Key": (
        (
            "ANTHROPIC_API_KEY=sk-ant-api03-2LsYnIaIF9FeFJQdGUNKpDztqjB6qBaIxPFkycA-qvKJX2zkJVpNi"
            "Inx52JdYbovWj4untXQzyELVHx7OFvwkJzZYc60iAA",
            'admin_key = "sk-ant-admin01-SV7x4EPoYhYonHj_ktE4lpqHFAH8S3fhE4gWsbNLjYxuIwglNS0_AMlu'
            'Yu_fMpk_lN2P_DsNQsrABo7PcKDhMMigddE-YAA"',
        ),
        (
            "ANTHROPIC_API_KEY=sk-ant-api03-<your-key>",
            "ANTHROPIC_API_KEY=sk-ant-api03-2LsYnIaIF9FeFJQdGUNKpDztqjB6qBaIxPFkycA",
            "ANTHROPIC_API_KEY=sk-ant-api03-" + "X" * 95,
            "ANTHROPIC_API_KEY=sk-ant-api03-gmTTV-Co_DBgA_bwDcLnNiQug5HOgVdUPPSSl1tggDI8OIqDxrdtz"
            "p0ULsSWwvwdmDgsvjP_s8yuIJuvURqsVHwhVArrz-c4ZYpIuPWpKmXRoglTSuvH26sF",
        ),
    ),
    PRIVATE_KEY: (
        (
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
        (
            '"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n"',
            "-----BEGIN RSA PRIVATE KEY----- <your key here> -----END RSA PRIVATE KEY-----",
            'if line.startswith("-----BEGIN PRIVATE KEY-----"):',
            '"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg==\\n-----END PRIVATE KEY-----"',
            "-----BEGIN PUBLIC KEY-----",
            "-----begin rsa private key-----",
            '"-----BEGIN PRIVATE KEY-----\\nMII...\\n-----END PRIVATE KEY-----"',
        ),
    ),
    "Signed JWT": (
        (
            f"Authorization: Bearer {_FAKE_JWT_HS}",
            f'CI_DEPLOY_TOKEN="{_FAKE_JWT_ES}"',
        ),
        (
            f"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.{_JWT_SIG}",
            f"eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.{_JWT_SIG}",
            f"eyJhbGciOiJIUzI1.eyJzdWIiOiJ4In0.{_JWT_SIG}",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9l"
            "IiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.short",
            "token = eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.<payload>.<signature>",
        ),
    ),
    "Database URL Password": (
        (
            "DATABASE_URL=postgres://app:GsR8f49SnA1AQg3I@db.internal:5432/app",
            'SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://reports:6tTuOAy4NwhPgDMu@10.0.3.7/r"',
            "MONGO_URI=mongodb+srv://ingest:lNk5X7qMeSBcEcCX@cluster0.ab1cd.mongodb.net/?w=majority",
            "REDIS_URL=rediss://:Kvhp1Eike4WOPUAH@cache.internal:6380/0",
            "BROKER_URL=amqp://worker:GsR8f49SnA1AQg3I@rabbit.internal:5672/",
            "url: jdbc:mysql://etl:6tTuOAy4NwhPgDMu@mysql.internal:3306/warehouse",
        ),
        (
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
    ),
    "JDBC Password Property": (
        (
            "jdbc:sqlserver://sql.internal:1433;databaseName=billing;user=svc_billing;"
            "password=GsR8f49SnA1AQg3I;encrypt=true",
            'url = "jdbc:postgresql://pg.internal:5432/app?user=app&password=6tTuOAy4NwhPgDMu"',
        ),
        (
            "jdbc:postgresql://pg:5432/app?user=app&password=${DB_PASSWORD}",
            "jdbc:sqlserver://sql:1433;user=sa;password=<password>",
            "jdbc:mysql://db:3306/app?user=root&password=password",
            "jdbc:postgresql://pg:5432/app?user=app",
        ),
    ),
    "XML Password Element": (
        (
            "      <password>Vq7#rT2mLx9pKd4w</password>",
            "<server><id>releases</id><username>ci</username><passphrase>hN4qW8zTr2Lm</passphrase>",
            '        <add key="ClearTextPassword" value="u7Rk2Lp9QwXz4Tn8Vb3Ys6Hd" />',
            "<PASSWORD>Zp3Lq8Vr2Kt7</PASSWORD>",
        ),
        (
            "<password>{COQLCE6DU6GtcS5P=}</password>",  # Maven's encrypted form
            "<password>${env.REPO_PASSWORD}</password>",
            "<password>password</password>",
            '<add key="ClearTextPassword" value="%NUGET_PAT%" />',
            "<password></password>",
            "<password>****</password>",
            '(?P<password>[^\\s@/?#\\"]{1,256})@',  # a regex's group, in code
        ),
    ),
    "HTTP Authorization Header": (
        (
            'headers = {"Authorization": "Bearer 7Kq2Lm9Zp4RvX8wTn3Yc5Hb6"}',
            "Authorization: token Zq8vLr2mXw9TkB4sYh7Gf4DsA9Lk2Mn8",
            'conn.setRequestProperty("Authorization", "Basic '
            + "Y2k6SHQ4cVoydk43eExtNFRwVw=="
            + '");',
            "    authorization: Bearer Rb7Kq2Lm9Zp4Vx8WnT3c",
        ),
        (
            'headers = {"Authorization": "Bearer " + token}',
            "Authorization: Bearer ${API_TOKEN}",
            "Authorization: Bearer <your-token>",
            "Authorization: Bearer YOUR_ACCESS_TOKEN_HERE",
            "Authorization: Basic " + "dXNlcjpwYXNzd29yZA==",  # user:password
            "Authorization: Bearer xxxxxxxxxxxxxxxxxxxx",
        ),
    ),
    "Azure IoT Hub Connection String": (
        (
            "IOTHUB_CONNECTION_STRING=HostName=acme-hub.azure-devices.net;"
            "SharedAccessKeyName=iothubowner;SharedAccessKey=SLQgnuKVBv2p6qBJpA53+s1LneRJoOYnvMqOV0koUDA=",
            '"device": "HostName=acme-hub.azure-devices.net;DeviceId=sensor-7;'
            'SharedAccessKey=/b4o1NO1/PcaAlFj1W20qORbKpRPCQKjbeK+Zjq74Lo="',
        ),
        (
            "HostName=acme-hub.azure-devices.net;SharedAccessKeyName=iothubowner;"
            "SharedAccessKey=<primary-key>",
            "HostName=acme-hub.azure-devices.net;DeviceId=sensor-7;SharedAccessKey="
            + "A" * 43
            + "=",
            "HostName=acme-hub.azure-devices.net;DeviceId=sensor-7;x509=true",
        ),
    ),
    "Azure SignalR Connection String": (
        (
            "Azure__SignalR__ConnectionString=Endpoint=https://acme-chat.service.signalr.net;"
            "AccessKey=DZqkf38biQktOFPYWyDQCR83ZXYZ4r0FQzCy2iw60I8=;Version=1.0;",
            '"WebPubSub": "Endpoint=https://acme-hub.webpubsub.azure.com;AccessKey=3dIdhC3baphp2Hu9hB1agrjuaQdxGufiMOrcIgxoD4A=;Version=1.0;"',
        ),
        (
            "Endpoint=https://acme-chat.service.signalr.net;AccessKey=<access-key>;Version=1.0;",
            "Endpoint=https://acme-chat.service.signalr.net;AuthType=azure.msi;Version=1.0;",
            "Endpoint=https://acme-chat.service.signalr.net;AccessKey="
            + "x" * 44
            + ";Version=1.0;",
        ),
    ),
    "Azure App Configuration Connection String": (
        (
            "AZURE_APPCONFIGURATION_CONNECTIONSTRING=Endpoint=https://acme-cfg.azconfig.io;"
            "Id=Qx7r-l9-s0:Kd2mZpW8vB4nT6yL;Secret=3l1lm8sc20ZzbU3n4MZqPxXywhmeKrXD5JLkBM/hHsQ=",
            '{"AppConfig": "Endpoint=https://acme-cfg.azconfig.io/;Id=Zp3w-l1-s0:Rt5mQ8vW2nB7;Secret=tpB/wDTS/8KqkqAbS3rXR+ca0APKENHcUM0GlCv52KA="}',
        ),
        (
            "Endpoint=https://acme-cfg.azconfig.io;Id=<id>;Secret=<secret>",
            "Endpoint=https://acme-cfg.azconfig.io;Id=abc;Secret=${APPCONFIG_SECRET}",
        ),
    ),
    "PGP Private Key Block": (
        (
            f'"signing_key": "{_escaped(pgp_block("pgp-a"))}"',
            f"GPG_KEY='{_escaped(pgp_block('pgp-b')[:1] + pgp_block('pgp-b')[3:])}'",
        ),
        (
            f'"key": "{_escaped(pgp_block("pgp-c", crc_delta=1))}"',  # the CRC does not hold
            f'"key": "{_escaped(pgp_block("pgp-d", first=0x99))}"',  # a public key's packets
            '"key": "-----BEGIN PGP PRIVATE KEY BLOCK-----\\n...\\n'
            '-----END PGP PRIVATE KEY BLOCK-----"',
        ),
    ),
    # base64 of "user:password" (random passwords written for these tests).
    "Container Registry Auth": (
        (
            '"registry.acme.io": { "auth": "ZGVwbG95Ym90OlJrOHFaMnZON3hMbTRUcFc=" }',
            '{"auths":{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":{"auth":"QVdTOmV5SndZWGxzYjJGa0lqb2lObWhHY1ZwM1VUSjJUamRZSWl3aWRtVnljMmx2YmlJNklqSWlmUQ=="}}}',
            '"{\\"auths\\":{\\"gcr.io\\":{\\"auth\\":\\"X2pzb25fa2V5OnE5V21aNHhUMnZMcjhLcE4=\\"}}}"',
        ),
        (
            '"auth": "dXNlcjpwYXNzd29yZA=="',  # user:password
            '"auth": "ZGVwbG95Ym90OiR7UkVHSVNUUllfUEFTU1dPUkR9"',  # a template
            '"auth": "bm8gY29sb24gaW4gdGhpcyB2YWx1ZQ=="',  # no user:password inside
            '"auth": "basic"',
            '"auth": "$REGISTRY_AUTH"',
        ),
    ),
}

# The vendor table's examples come from the evaluation corpus's generators (random bodies of
# each documented format, and near misses made from them).
EXAMPLES.update(line_examples())
