"""Judging found passwords and keys (scanner/secrets_judge.py): every judgement with examples it
must affect and twins it must not, and the whole path from a file's bytes to NHI200's severity
and the reason it shows."""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, replace

import pytest

from nhiscan.connectors.git.secrets.detectors import DETECTORS
from nhiscan.connectors.git.secrets.engine import Scanner
from nhiscan.connectors.git.secrets.exposure import exposure_of
from nhiscan.connectors.git.secrets.match import RANK_NHISCAN, RANK_SPECIFIC, Match
from nhiscan.connectors.git.secrets.traits import FORMAT_OWNERS, with_traits
from nhiscan.rules.secrets import SecretInRepository, SharedSecret
from nhiscan.rules.secrets_meta import severity_of
from nhiscan.scanner.model import Severity
from nhiscan.scanner.secrets_judge import FORMAT_CHECKED, JUDGEMENTS, PATH_TRAITS, TRAITS, judged
from tests.connectors.git.secrets.detector_examples import pgp_block
from tests.factories import context, estate, exposure

# Random values written for these tests: none is a credential anywhere.
REAL = "Vq7xK2mPz9LwR4tN"
PROD = "deploy/app.env"


@dataclass(frozen=True)
class Case:
    line: str
    secret: str
    path: str = PROD
    detector: str = "Database URL Password"
    following: tuple[str, ...] = ()  # the file's lines after ``line``
    others: tuple[tuple[str, int], ...] = ()  # other matches in the file: (detector, line)


def _url(user: str = "billing", password: str = REAL, host: str = "db") -> Case:
    return Case(f"DATABASE_URL=postgresql://{user}:{password}@{host}:5432/billing", password)


def _keyword(password: str, path: str = PROD) -> Case:
    return Case(f'password = "{password}"', password, path, "Secret Keyword")


def _ds(detector: str, secret: str) -> Case:
    return Case(f'KEY = "{secret}"', secret, detector=detector)


def _random_b64(seed: str, size: int) -> str:
    rng = random.Random(seed)
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(size))).decode()


def _hex(seed: str, algorithm: str = "sha256") -> str:
    return hashlib.new(algorithm, seed.encode()).hexdigest()


def _entropy(line: str, secret: str, detector: str = "Hex High Entropy String") -> Case:
    return Case(line, secret, detector=detector)


def _marker(line: str, *following: str) -> Case:
    return Case(line, "BEGIN PRIVATE KEY", PROD, "Private Key", following)


def _binary(seed: str, size: int) -> str:
    """Base64 of a made-up binary table: random fields padded with zero bytes, as a font's."""
    rng = random.Random(seed)
    data = b"".join(
        bytes(rng.randrange(1, 256) for _ in range(rng.randrange(2, 9))) + bytes(rng.randrange(7))
        for _ in range(size)
    )
    return base64.b64encode(data).decode()


_KEY_LINES = tuple(_random_b64("pem-body", 144)[i : i + 64] for i in range(0, 192, 64))
_PEM_B64 = base64.b64encode(
    "\n".join(["-----BEGIN PRIVATE KEY-----", *_KEY_LINES, "-----END PRIVATE KEY-----"]).encode()
).decode()
_PGP_ESCAPED = "\\n".join(pgp_block("judge-pgp"))
_PGP_PUBLIC = "\\n".join(pgp_block("judge-pub", first=0x99))
_PGP_BAD_CRC = "\\n".join(pgp_block("judge-crc", crc_delta=3))


_AZURE_KEY = _random_b64("azure-storage", 64)
_KEY_ID = "AKIAZ7VRSQ5DXJQ4YEPQ"
_SIG = "q7Lm2Vx9Rt4Kp8Wn3Zb6Yc1Hd5Jf0Gs%2BTu%3D"
_JWT_IO = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
    "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def _presigned(line: str) -> Case:
    return Case(line, _KEY_ID, PROD, "AWS Access Key ID")


# judgement -> (examples it must affect, twins it must not)
EXAMPLES: dict[str, tuple[list[Case], list[Case]]] = {
    "api-documentation": (
        [
            Case(
                f'"documentation":"<p>A token looks like this:</p> <code>sp=r&amp;sig={_SIG}'
                '</code>"',
                _SIG,
                "botocore/data/storage/2020-01-01/service-2.json",
                "Azure SAS Token",
            ),
            Case(
                f'"smithy.api#documentation": "Example: {_KEY_ID}"',
                _KEY_ID,
                PROD,
                "AWS Access Key ID",
            ),
        ],
        [
            # After the documentation string closed: a value of the model, not its prose.
            Case(
                f'"documentation":"The key.", "default":"{_KEY_ID}"',
                _KEY_ID,
                PROD,
                "AWS Access Key ID",
            ),
            Case(f'"description": "Example: {_KEY_ID}"', _KEY_ID, PROD, "AWS Access Key ID"),
            _presigned(f'aws_access_key_id = "{_KEY_ID}"'),
        ],
    ),
    "presigned-url": (
        [
            _presigned(
                f'"url": "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256'
                f"&X-Amz-Credential={_KEY_ID}%2F20190215%2Fus-east-1%2Fs3%2Faws4_request"
                f'&X-Amz-Signature=0f3c"'
            ),
            _presigned(f"X-Amz-Credential={_KEY_ID}/20240101/eu-west-1/s3/aws4_request"),
            _presigned(
                f"https://b.s3.amazonaws.com/k?AWSAccessKeyId={_KEY_ID}&Expires=1700000000"
                "&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D"
            ),
            Case(f"X-Amz-Credential={_KEY_ID}%2F2019", _KEY_ID, PROD, "AWS Access Key"),
        ],
        [
            _presigned(f'aws_access_key_id = "{_KEY_ID}"'),
            # The same id also written bare on the line: the key is in the code too.
            _presigned(f'KEY = "{_KEY_ID}"  # X-Amz-Credential={_KEY_ID}%2F20190215'),
            _presigned(f"?AWSAccessKeyId={_KEY_ID}&Expires=1700000000"),  # SigV2, no signature
        ],
    ),
    "encoded-file": (
        [
            _ds(
                "Base64 High Entropy String",
                "iVBORw0KGgoqHcmH+CXU1ZhQiCWtCsneLoANFYmieTYaMCeUSSsWLSmMg2JrZjwaGGXqomKusxkNp2DHDpKQSkfLnz6w6KUsKUh05HB9ycHbcKM/UtrHacz3mcWmJbTAYweQJSafyHBkE57ResAoo3ybEvc5zSLZ3Jo+2Tyomz0=",
            ),
            _ds(
                "Base64 High Entropy String",
                "H4sIAGEpmGT+dX9T8Z6M8QYz5C4qaD9b6ScxQ/8PMWOtjUGft03V7Cx4m7HaBTi1BnaOtLH/DQt2br5KYDNN7/UPgzlvywYqwuuDRpRFiu9WRivVrPhaK6s26Ltd1CI/9sg1wiTwUJ9/TpjEHwMlTi1Irv1HpjW5q7yspw==",
            ),
        ],
        [
            _ds(
                "Base64 High Entropy String",
                "YykbF/pPkWge3rrd81Ivzh3zXF54yX88kZmxiNt7k6+Lwx1Lqcw0Aj3a/fwm+Qs6F1OQaZjnEnEdlDoXS+XSVi0Lo3qnVFrdlz6psL1tV/dWhioATooMYhZTt3AYQjyH",
            ),  # random bytes
            _ds(
                "Base64 High Entropy String", "iVBORw0KGgr/DCJeuXv90N0aEjk6y0tbh1nUfDpWhT9NzMtB7J4="
            ),  # too short to be a file
        ],
    ),
    "masked-value": (
        [
            _ds("AWS Access Key", "AKIAXXXXXXXXXXXXXXXX"),
            _ds("Stripe Access Key", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"),
            _ds("GitHub Token", "ghp_************************************"),
            _ds("GitLab Token", "glpat-vvvvvvvvvvvvvvvvvvvv"),  # a plugin with no nhiscan owner
            _ds("Discord Bot Token", "MTIzNDU2Nzg5MDEyMzQ1Njc4.XXXXXX.XXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        ],
        [
            _ds("GitHub Token", "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"),  # bad CRC: low, kept
            _ds("AWS Access Key", "AKIAZ7VRSQ5DXJQ4YEP8"),  # impossible, not masked: low
            _ds("GitLab Token", "glpat-Zq8vLr2mXw9TkB4sYh7G"),
        ],
    ),
    "documented-example": (
        [
            # detect-secrets' JWT plugin reports jwt.io's sample without its signature.
            Case(f'token = "{_JWT_IO}"', _JWT_IO.rsplit(".", 1)[0] + ".", PROD, "JSON Web Token"),
            _ds("AWS Access Key", "AKIAIOSFODNN7EXAMPLE"),
            _ds("Base64 High Entropy String", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            _ds("Secret Keyword", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            _ds("Slack Token", "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"),
        ],
        [
            _ds("AWS Access Key", "AKIAZ7VRSQ5DXJQ4YEPX"),
            _ds("Secret Keyword", "Example-Vq7xK2mPz9LwR4tN"),  # not AWS's spelling
        ],
    ),
    "sample-failed-format": (
        [
            Case(
                "GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
                "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
                ".env.sample",
                "GitHub Token",
            ),
            Case(
                'KEY = "AKIAZ7VRSQ5DXJQ4YEP8"',
                "AKIAZ7VRSQ5DXJQ4YEP8",
                "docs/setup.md",
                "AWS Access Key",
            ),
        ],
        [
            # The same rejected values in a file that ships: low, not dropped.
            _ds("GitHub Token", "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"),
            # A value the format accepts, in a template: a real token pasted there.
            Case("GITHUB_TOKEN=ghp_x", "ghp_x", ".env.sample", "GitHub Classic Token"),
        ],
    ),
    "failed-format-check": (
        [
            _ds("AWS Access Key", "AKIAXXXXXXXXXXXXXXXX"),  # a placeholder
            _ds("AWS Access Key", "AKIAZ7VRSQ5DXJQ4YEP8"),  # 8 is not base32: impossible
            _ds("GitHub Token", "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"),  # bad CRC32
            _ds("Stripe Access Key", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"),
            # The shape inside a longer run: a DNA sequence, base64, an ARN's account and name.
            Case(
                "'AGCTTACCAGATTGAGAAACAATTTGGTAAAG'", "ACCAGATTGAGAAACAATTT", PROD, "AWS Access Key"
            ),
            Case(
                'b="jBIAEoAKIAZ7VRSQ5DXJQ4YEPXQ+8/"', "AKIAZ7VRSQ5DXJQ4YEPX", PROD, "AWS Access Key"
            ),
            Case(
                'b="jBIAEoABIAZ7VRSQ5DXJQ4YEPXQ+8/"', "ABIAZ7VRSQ5DXJQ4YEPX", PROD, "AWS Access Key"
            ),
            Case(
                "arn:aws:sns:us-west-2:111111111111:Glacier-InventoryRetrieval-topic-Example",
                "1111111111:Glacier-InventoryRetrieval-topic",
                PROD,
                "Telegram Bot Token",
            ),
            _ds("Slack Token", "xoxb-0-x"),
            _ds("NPM tokens", "npm_" + "a" * 36),  # fails the CRC32 of npm's format
            # A secret access key's shape in lower case only: no random key is (read by the
            # body alone: nhiscan's row wants a name the plugin's context does not).
            _ds("AWS Access Key", "hq3vz8rt1mk5nw2px7yl4cb9df6gj0sa3er8tu5i"),
            # The storage emulator's published account, with a made-up key.
            Case(
                f"AccountName=devstoreaccount1;AccountKey={_AZURE_KEY};",
                f"AccountKey={_AZURE_KEY}",
                PROD,
                "Azure Storage Account access key",
            ),
        ],
        [
            _ds("AWS Access Key", "Hq3vZ8rT1mK5nW2pX7yL4cB9dF6gJ0sA3eR8tU5i"),  # a secret key
            Case(
                f"AccountName=billingstore;AccountKey={_AZURE_KEY};",
                f"AccountKey={_AZURE_KEY}",
                PROD,
                "Azure Storage Account access key",
            ),
            _ds("AWS Access Key", "A3TXZ7VRSQ5DXJQ4YEPX"),  # a prefix nhiscan does not read...
            _ds("AWS Access Key", "ABIAZ7VRSQ5DXJQ4YEPX"),  # ...written on its own
            _ds("GitLab Token", "glpat-xxxxxxxxxxxxxxxxxxxx"),  # no nhiscan owner for all gl*
            # Written alone as the format reads it: the owner accepts it.
            _ds("AWS Access Key", "AKIAZ7VRSQ5DXJQ4YEPX"),
            _ds("Telegram Bot Token", "4839574812:AAHq3vZ8rT1mK5nW2pX7yL4cB9dF6gJ0sA3"),
            # A transformer's line (a folded YAML value) does not hold it: judged alone.
            Case("key: >-", "AKIAZ7VRSQ5DXJQ4YEPX", PROD, "AWS Access Key"),
        ],
    ),
    "counted-value": (
        [
            _keyword("re_123456789"),
            _keyword("sk_test_0123456789012345678901234567890123456789"),
            _keyword("abcdefgh"),
            _ds("Base64 High Entropy String", "pk_12345678_ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            _keyword("tok-live-123456789abcdef"),
        ],
        [
            _keyword(REAL),
            _keyword("re_8kQ2vZ7mLp4XhT3n"),
            _keyword("Abcd1234!"),  # counts twice, but not four steps in five
            _ds("Base64 High Entropy String", _random_b64("counted", 30)),
        ],
    ),
    "digest": (
        [
            _entropy(f"FROM python:3.12-slim@sha256:{_hex('img')}", _hex("img")),
            _entropy(f'EXPECTED_MD5 = "{_hex("a", "md5")}"', _hex("a", "md5")),
            _entropy(f'EXPECTED_SHA1 = "{_hex("b", "sha1")}"', _hex("b", "sha1")),
            _entropy(f"commit {_hex('c', 'sha1')}", _hex("c", "sha1")),
            _entropy(f'"ETag": "{_hex("d", "md5")}"', _hex("d", "md5")),
            _entropy(f"tree {_hex('e', 'sha1')}", _hex("e", "sha1")),
            _entropy(f"checksum: {_hex('f', 'sha512')}", _hex("f", "sha512")),
            _entropy(
                f'"integrity": "sha512-{base64.b64encode(hashlib.sha512(b"g").digest()).decode()}"',
                "sha512-" + base64.b64encode(hashlib.sha512(b"g").digest()).decode(),
                "Base64 High Entropy String",
            ),
        ],
        [
            _entropy(f'DD_API_KEY="{_hex("h", "md5")}"', _hex("h", "md5")),  # a hex key
            _entropy(f"secret_sha256 = {_hex('i')}", _hex("i")),  # the line says secret
            _entropy(f"session_token = {_hex('j')}", _hex("j")),
            _entropy(f"value = {_hex('k')}", _hex("k")),  # nothing says digest
            _entropy(f"md5 = {_hex('l', 'md5')}0", _hex("l", "md5") + "0"),  # no digest's length
            _entropy(
                f"hash = {_random_b64('m', 30)}", _random_b64("m", 30), "Base64 High Entropy String"
            ),  # 30 bytes: no digest's length
        ],
    ),
    "binary-data": (
        [
            _ds("Base64 High Entropy String", _binary("font-1", 40)),
            _ds("Base64 High Entropy String", _binary("font-2", 400)[1:301]),  # cut mid-group
        ],
        [
            # Random key material of the sizes keys come in, and a few zeros by chance.
            *(_ds("Base64 High Entropy String", _random_b64(f"k{n}", n)) for n in (32, 48, 64)),
            _ds(
                "Base64 High Entropy String",
                base64.b64encode(
                    b"\x00\x00\x00\x00" + base64.b64decode(_random_b64("few-zeros", 60))
                ).decode(),
            ),
            # An OpenSSH private key's header: length fields full of zeros, then the key.
            _ds(
                "Base64 High Entropy String",
                base64.b64encode(
                    b"openssh-key-v1\x00\x00\x00\x00\x04none\x00\x00\x00\x04none\x00\x00\x00"
                    b"\x00\x00\x00\x00\x01\x00\x00\x00\x33\x00\x00\x00\x0bssh-ed25519"
                    + base64.b64decode(_random_b64("ssh", 48))
                ).decode(),
            ),
        ],
    ),
    "key-reported-below": (
        [
            # detect-secrets' YAML reading: the marker on the key's line, the key on the next.
            Case(
                "  tls.key: |",
                "BEGIN PRIVATE KEY",
                PROD,
                "Private Key",
                ("    -----BEGIN PRIVATE KEY-----", *_KEY_LINES),
                (("PEM Private Key", 2),),
            ),
            Case(
                "signing_key: |",
                "BEGIN PGP PRIVATE KEY BLOCK",
                PROD,
                "Private Key",
                ("", "  -----BEGIN PGP PRIVATE KEY BLOCK-----"),
                (("PGP Private Key Block", 3),),
            ),
        ],
        [
            # The marker on its own line: that line is the key's (judged by its body).
            Case(
                "-----BEGIN PRIVATE KEY-----",
                "BEGIN PRIVATE KEY",
                PROD,
                "Private Key",
                _KEY_LINES,
                (("PEM Private Key", 1),),
            ),
            # No key read below (a body nhiscan refused, or another file's key far below).
            Case(
                "  tls.key: |",
                "BEGIN PRIVATE KEY",
                PROD,
                "Private Key",
                ("    -----BEGIN PRIVATE KEY-----", *_KEY_LINES),
            ),
            Case(
                "  tls.key: |",
                "BEGIN PRIVATE KEY",
                PROD,
                "Private Key",
                ("    -----BEGIN PRIVATE KEY-----", *_KEY_LINES),
                (("PEM Private Key", 9),),
            ),
        ],
    ),
    "no-key-body": (
        [
            _marker('"-----BEGIN EC PRIVATE KEY-----\\n...\\n-----END EC PRIVATE KEY-----"'),
            _marker("-----BEGIN PRIVATE KEY----- <paste the key> -----END PRIVATE KEY-----"),
            _marker(
                'if pem.startswith("-----BEGIN RSA PRIVATE KEY-----"):', "    return load(pem)"
            ),
            _marker(
                '"-----BEGIN PRIVATE KEY-----\\nMIIBOgIBAAJBAKj==\\n-----END PRIVATE KEY-----"'
            ),
            _marker(
                "-----BEGIN OPENSSH PRIVATE KEY-----", "…", "-----END OPENSSH PRIVATE KEY-----"
            ),
            _marker(
                '"-----BEGIN PGP PRIVATE KEY BLOCK-----\\n…\\n-----END PGP PRIVATE KEY BLOCK-----"'
            ),
            # PuTTY's header as a parser's constant, and a skeleton without its private blob.
            _marker('if first_line.startswith("PuTTY-User-Key-File-2:"):', "    return parse(f)"),
            _marker("PuTTY-User-Key-File-3: ssh-ed25519", "Encryption: none", "Comment: ..."),
        ],
        [
            _marker("-----BEGIN PRIVATE KEY-----", *_KEY_LINES, "-----END PRIVATE KEY-----"),
            _marker(
                '"-----BEGIN RSA PRIVATE KEY-----\\n'
                + "\\n".join(_KEY_LINES)
                + '\\n-----END RSA PRIVATE KEY-----"'
            ),
            # A truncated paste: the body is there, END is not.
            _marker("    -----BEGIN EC PRIVATE KEY-----", *(f"    {k}" for k in _KEY_LINES)),
            _marker(f'"{_PGP_ESCAPED}"'),
            # Found on the decoded lines of a base64 value (a Kubernetes tls.key): the line as
            # written does not show the block, so it is not judged.
            _marker(f"  tls.key: {_PEM_B64}"),
            _marker(
                "PuTTY-User-Key-File-2: ssh-rsa",
                "Encryption: none",
                "Comment: deploy",
                "Public-Lines: 1",
                _KEY_LINES[0],
                "Private-Lines: 2",
                *_KEY_LINES[1:],
            ),
            _marker(  # one escaped line, in JSON
                '"PuTTY-User-Key-File-2: ssh-rsa\\nEncryption: none\\nPublic-Lines: 1\\n'
                + _KEY_LINES[0]
                + "\\nPrivate-Lines: 1\\n"
                + _KEY_LINES[1]
                + '"'
            ),
        ],
    ),
    "public-key-block": (
        [_marker(f'"{_PGP_PUBLIC}"')],
        [_marker(f'"{_PGP_ESCAPED}"'), _marker(*pgp_block("judge-multi"))],
    ),
    "failed-key-checksum": (
        [
            _marker(f'"{_PGP_BAD_CRC}"'),
            _marker(*pgp_block("judge-crc-lines", crc_delta=1)),
        ],
        [_marker(f'"{_PGP_ESCAPED}"'), _marker(*pgp_block("judge-multi"))],
    ),
    "variable-password": (
        [_keyword("AWS_SECRET_ACCESS_KEY"), _url(password="PG_PASS"), _keyword("API_TOKEN2")],
        [_keyword("K7QX_ZP2M9_RT4W"), _keyword(REAL), _keyword("TOKEN")],
    ),
    "code-reference": (
        [
            _keyword('os.environ["DB_PASSWORD"]'),
            _keyword("os.environ[\\"),  # as detect-secrets cuts it in a config file
            _keyword('os.getenv("DB_PASSWORD")'),
            _keyword("process.env.DB_PASSWORD"),
            _keyword("settings.SECRET_KEY"),
            _keyword("get_secret('db')"),
            _keyword("vault.read(path)"),
        ],
        [
            _keyword(REAL),
            _keyword("v2.Xk29fJq3Lm8Rt"),  # a dotted token
            _keyword("Passw7(Kq2Lm9"),  # a bracket in a password
            _keyword("Zq8vLr2m.Xw9TkB4s"),
        ],
    ),
    "encoded-placeholder": (
        [
            _keyword("cGFzc3dvcmQ="),  # password
            _keyword("Y2hhbmdlbWU="),  # changeme
            _keyword("JHtEQl9QQVNTV09SRH0="),  # ${DB_PASSWORD}
            _ds(
                "Base64 High Entropy String",
                base64.b64encode(b"ghp_" + b"X" * 36).decode(),
            ),
        ],
        [
            _keyword(base64.b64encode(REAL.encode()).decode()),
            _keyword(_random_b64("encoded", 24)),
            _ds("Base64 High Entropy String", _random_b64("encoded-2", 40)),
        ],
    ),
    "template-password": (
        [
            _url(password="${DB_PASSWORD}"),
            _url(password="<password>"),
            _keyword("%s"),
            _keyword("{db_password}"),
            _keyword("$DB_PASS"),
        ],
        [_url(), _url(password="Zx$9kLm2QpR7")],
    ),
    "masked-password": (
        [
            _url(password="********"),
            _url(password="xxxxxxxx"),
            _keyword("..."),
            _keyword("AIza8aLrez5lFo_XXXXXXXXXXXXXXXXXXXXXXXX"),  # a prefix, then padding
            _keyword("sk-proj-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
            _keyword("sk-ant-..."),
            _keyword("MII…"),
        ],
        [
            _url(password="x8Kq2Lm9Zp4R"),
            _keyword("Zq8vLr2mXw9TkB4sYh7Gf4DsA9Lk2Mn8qPo3Ui5Yt1AAAAAAAA"),  # a short run
        ],
    ),
    "placeholder-password": (
        [
            _url(password="password"),
            _url(password="changeme"),
            _url(password="P@ssw0rd"),
            _url(password="my_secret_password"),
            _url(password="password123"),
            _url(password="tiger"),
            _url(password="admin123"),
            _url(password="s3cr3tpw"),
            _keyword("your-password-here"),
            _keyword("pk_live_notarealkeyonlyasample"),
            _keyword("STRIPE_TEST-SANDBOXKEY-X"),
            _keyword("yourApiKeyHere"),
            _keyword("sk_test_thisisnotarealkey"),
            _keyword("Password1!"),
        ],
        [
            _url(),
            _url(password="Passw7Kq2Lm9Zp4R"),
            _keyword("h3Rt9sLq2VbXw8Ne"),
            # Letters alone after a prefix that says test: random, no words.
            _keyword("test_QwERtzXKmbvHyuPLaNsD"),
            _keyword("sk_test_hJKqTRwzXbNmvLpA"),
            # A person's password that holds a placeholder word among others.
            _url(password="Compassion2024"),
            _keyword("rootbeerfloat"),
            _keyword("passionfruit_salad"),
            _url(password="changeme", host="pg-prod.acme.io"),  # deployed: lowered, not dropped
        ],
    ),
    "sample-default-password": (
        [
            Case(
                "https://user:pass@httpbin.org/basic-auth/user/pass",
                "pass",
                "docs/user/advanced.rst",
                "Basic Auth Credentials",
            ),
            Case(
                "DATABASE_URL=postgresql://app:changeme@pg.acme.io/app",
                "changeme",
                "tests/test_settings.py",
            ),
        ],
        [
            Case(
                "https://user:pass@httpbin.org/basic-auth/user/pass",
                "pass",
                PROD,
                "Basic Auth Credentials",
            ),
            Case(
                "DATABASE_URL=postgresql://app:Vq7xK2mPz9LwR4tN@pg.acme.io/app",
                "Vq7xK2mPz9LwR4tN",
                "tests/test_settings.py",
            ),
        ],
    ),
    "default-password": (
        [
            _url(password="changeme", host="pg-prod.acme.io"),
            _url(user="postgres", password="postgres", host="10.0.3.7"),
            Case(
                "amqp://guest:guest@mq.internal.acme.io:5672/",
                "guest",
                detector="Basic Auth Credentials",
            ),
        ],
        [
            _url(password="changeme"),  # a compose service's name: dropped
            _url(password="changeme", host="localhost"),
            _url(password="changeme", host="db.example.com"),
            _url(password="changeme", host="${DB_HOST}"),
            _url(host="pg-prod.acme.io"),  # a real-looking password: no default
            _keyword("changeme"),  # no host at all
        ],
    ),
    "user-as-password": (
        [
            Case("amqp://rabbit:rabbit@mq:5672/", "rabbit", detector="Basic Auth Credentials"),
            _url(user="postgres", password="postgres"),
        ],
        [
            Case(
                "amqp://rabbit:Rb7Kq2Lm9Zp4@mq:5672/",
                "Rb7Kq2Lm9Zp4",
                detector="Basic Auth Credentials",
            ),
            # A token written as both user and password is no image's default.
            _url(user="Tk7Qm2Zp9Lx4", password="Tk7Qm2Zp9Lx4"),
        ],
    ),
    "short-password": (
        [_url(password="k9Z"), _url(password="a7Kq2L")],
        [_url(password="a7Kq2Lm9")],
    ),
    "reserved-host": (
        [
            _url(host="db.example.com"),
            _url(host="example.org"),
            _url(host="pg.test"),
            _url(host="db.invalid"),
            _url(host="192.0.2.10"),
            _url(host="[2001:db8::5]"),
            _url(host="warehouse.example"),
        ],
        [
            _url(host="db.examples.io"),
            _url(host="pg.testing.acme.io"),
            _url(host="db-prod.internal"),
        ],
    ),
    "placeholder-host": (
        [
            _url(host="your-db-host"),
            _url(host="<host>"),
            _url(host="${DB_HOST}"),
            _url(host="hostname"),
            _url(host="db.yourdomain.com"),
        ],
        # Short names are how docker-compose and Kubernetes name a database: not placeholders.
        [_url(host="db"), _url(host="host"), _url(host="postgres"), _url(host="mysql-primary")],
    ),
    "loopback-host": (
        [
            _url(host="localhost"),
            _url(host="127.0.0.1"),
            _url(host="[::1]"),
            _url(host="api.localhost"),
        ],
        [_url(host="localhost-proxy.acme.io"), _url(host="10.0.0.12")],
    ),
    "placeholder-user": (
        [_url(user="user"), _url(user="scott"), _url(user="<user>"), _url(user="username")],
        [_url(user="billing"), _url(user="svc_reports")],
    ),
    "sample-password": (
        [
            Case(_url().line, REAL, "tests/test_db.py"),
            Case(_url().line, REAL, "docs/setup.rst"),
            Case(_url().line, REAL, ".env.example"),
            Case(_url().line, REAL, "deploy/config.sample.yml"),
            Case(_url().line, REAL, "README.md"),
            Case(_url().line, REAL, "examples/app/cfg.py"),
            Case(_url().line, REAL, "pkg/db_test.go"),
            Case(_url().line, REAL, "test_settings.py"),
            Case(_url().line, REAL, "site-packages/acme_db-1.2.dist-info/METADATA"),
            Case(_url().line, REAL, "acme_db.egg-info/PKG-INFO"),
            _keyword(REAL, "src/fixtures/users.json"),
        ],
        [
            Case(_url().line, REAL, "app/settings.py"),
            Case(_url().line, REAL, "deploy/.env"),
            Case(_url().line, REAL, "web/templates/base.html"),
            Case(_url().line, REAL, "latest/config.py"),
            Case(_url().line, REAL, "contest/db.py"),
            Case(_url().line, REAL, "acme_db/info/METADATA"),
        ],
    ),
    "sample-token": (
        [
            Case("TOKEN = 'eyJ…'", "eyJ…", "tests/test_auth.py", "Signed JWT"),
            Case("Authorization: Bearer eyJ…", "eyJ…", "docs/api.md", "JSON Web Token"),
        ],
        [Case("TOKEN = 'eyJ…'", "eyJ…", "app/client.py", "Signed JWT")],
    ),
    "sample-private-key": (
        [Case("-----BEGIN PRIVATE KEY-----", "k", "tests/certs/server.key", "PEM Private Key")],
        [Case("-----BEGIN PRIVATE KEY-----", "k", "deploy/tls/server.key", "PEM Private Key")],
    ),
}


def _verdict(case: Case, paths: list[str] | None = None):  # type: ignore[no-untyped-def]
    rank = RANK_NHISCAN if case.detector in {d.name for d in DETECTORS} else RANK_SPECIFIC
    found = Match(detector=case.detector, detectors=(case.detector,), provider=None,
                  secret=case.secret, line=1, rank=rank)  # fmt: skip
    others = [
        Match(detector=name, detectors=(name,), provider=None, secret=f"other-{line}", line=line,
              rank=RANK_NHISCAN)
        for name, line in case.others
    ]  # fmt: skip
    traced, *_ = with_traits([found, *others], [case.line, *case.following])
    return judged(case.detector, severity_of(case.detector), traced.traits, paths or [case.path])


def test_every_judgement_has_examples_and_twins_and_a_known_trait() -> None:
    assert {j.name for j in JUDGEMENTS} == EXAMPLES.keys()
    known = {t.name for t in TRAITS} | PATH_TRAITS.keys()
    known |= {"failed-format-check", "masked-value", "documented-example", "encoded-file"}
    known |= {"digest", "binary-data", "no-key-body", "public-key-block", "failed-key-checksum"}
    known |= {"presigned-url", "key-reported-below", "api-documentation"}
    assert FORMAT_OWNERS.keys() == FORMAT_CHECKED
    owners = {name for formats in FORMAT_OWNERS.values() for _, name in formats}
    assert owners - {"AWS key id (other prefixes)"} <= {d.name for d in DETECTORS}
    assert all(j.trait in known for j in JUDGEMENTS)
    assert {t.name for t in TRAITS} <= {j.trait for j in JUDGEMENTS}  # no trait unused
    assert all(affected and twins for affected, twins in EXAMPLES.values())
    assert all(j.reason for j in JUDGEMENTS)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_judgement_affects_its_examples_and_not_its_twins(name: str) -> None:
    affected, twins = EXAMPLES[name]
    for case in affected:
        assert name in [j.name for j in _verdict(case).applied], case
    for case in twins:
        assert name not in [j.name for j in _verdict(case).applied], case


def test_a_real_looking_password_on_a_real_host_in_production_config_stays_high() -> None:
    for case in (_url(), _url(host="pg-prod.internal.acme.io"), _url(host="db", user="app")):
        verdict = _verdict(case)
        assert verdict.severity is Severity.HIGH and verdict.applied == ()


def test_the_lowest_ceiling_wins_a_drop_drops_and_a_production_place_outweighs_tests() -> None:
    both = _verdict(_url(user="scott", host="localhost"))  # medium and medium
    assert both.severity is Severity.MEDIUM
    doc = _verdict(_url(host="db.example.com"))
    assert doc.severity is Severity.INFO
    assert _verdict(_url(password="${PW}")).severity is None
    shipped = _verdict(_url(), ["tests/test_db.py", "deploy/app.env"])
    assert shipped.severity is Severity.HIGH


def test_generic_keyword_findings_stay_low_and_vendor_formats_are_not_judged_by_path() -> None:
    assert _verdict(_keyword(REAL)).severity is Severity.LOW
    token = Case("GITHUB_TOKEN=ghp_x", "ghp_x", "tests/conftest.py", "GitHub Classic Token")
    assert _verdict(token).severity is Severity.HIGH and _verdict(token).applied == ()


def _findings(files: dict[str, str]):  # type: ignore[no-untyped-def]
    scanner = Scanner()
    exposures = []
    for path, text in files.items():
        for match in scanner.scan(text.encode(), path).matches:
            exposures.append(exposure_of(match, repository="app", path=path, line=match.line))
    return list(SecretInRepository().evaluate(estate(*exposures), context()))


def test_from_bytes_to_finding_the_judged_severity_and_its_reason_are_shown() -> None:
    findings = _findings(
        {
            "tests/test_engine.py": 'URL = "postgresql://scott:Wm4pT8xZq2LkR7vB@localhost/test"\n',
            "tests/test_fixture.py": 'URL = "postgresql://scott:tiger@localhost/test"\n',
            "deploy/app.env": f"DATABASE_URL=postgresql://billing:{REAL}@db:5432/billing\n",
            "docs/install.rst": "   mysql://root:${MYSQL_PASSWORD}@db/app\n",
        }
    )
    by_path = {f.evidence["exposures"][0]["path"]: f for f in findings}
    assert "docs/install.rst" not in by_path  # a template is no credential: dropped
    assert "tests/test_fixture.py" not in by_path  # a placeholder password: dropped
    shipped = by_path["deploy/app.env"]
    assert shipped.severity is Severity.HIGH and "judged" not in shipped.evidence
    sample = by_path["tests/test_engine.py"]
    assert sample.severity is Severity.LOW
    assert {"placeholder-user", "loopback-host", "sample-password"} <= set(
        sample.evidence["judged"]
    )
    assert "placeholder" in sample.evidence["judged_because"]
    assert "Judged low: " in sample.title


def test_a_shared_password_is_judged_too() -> None:
    def shared(*traits: str) -> list[Severity]:
        found = [
            replace(exposure(REAL, repository=r), detector="Database URL Password", traits=traits)
            for r in ("r1", "r2")
        ]
        return [f.severity for f in SharedSecret().evaluate(estate(*found), context())]

    assert shared() == [Severity.MEDIUM]
    assert shared("short-password") == [Severity.LOW]
    assert shared("placeholder-password") == []
    assert shared("template-password") == []


def test_random_keys_of_every_usual_size_are_never_taken_for_lookalikes() -> None:
    """The generic rules are sound: random key material (base64 and hex of 16 to 64 bytes, a
    vendor-like prefix then random letters and digits) has none of the traits that drop it."""
    rng = random.Random("lookalikes")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    for n in range(400):
        size = (16, 20, 24, 32, 48, 64)[n % 6]
        raw = bytes(rng.randrange(256) for _ in range(size))
        token = "sk_test_" + "".join(rng.choice(alphabet) for _ in range(24))
        cases = [
            _ds("Base64 High Entropy String", base64.b64encode(raw).decode()),
            _entropy(f"value = {raw.hex()}", raw.hex()),
            _keyword(base64.b64encode(raw).decode()),
            _keyword(token),
        ]
        for case in cases:
            verdict = _verdict(case)
            assert verdict.severity is not None, (case, [j.name for j in verdict.applied])


def test_from_bytes_lookalikes_are_no_findings_and_real_keys_stay() -> None:
    lookalikes = {
        "Dockerfile": f"FROM python@sha256:{_hex('base')}\n",
        "deploy/secret.yaml": "kind: Secret\ndata:\n  password: cGFzc3dvcmQ=\n",
        "src/keys.py": 'if pem.startswith("-----BEGIN PRIVATE KEY-----"):\n    load(pem)\n',
        "web/font.js": "".join(f'  "{_binary(f"f{i}", 60)}",\n' for i in range(3)),
        "config.txt": 'db_password = os.getenv("DB_PASSWORD")\n',
        "deploy/broker.env": "BROKER_URL=amqp://guest:guest@rabbit:5672/\n",
    }
    # Each is matched by a plugin (what the rules judge), and none is reported.
    assert all(Scanner().scan(text.encode(), path).matches for path, text in lookalikes.items())
    pem = "\n".join(["-----BEGIN PRIVATE KEY-----", *_KEY_LINES, "-----END PRIVATE KEY-----"])
    real = {
        "deploy/tls.key": pem + "\n",
        "deploy/app.cfg": f"signing_secret = {_random_b64('kept', 32)}\n",
        "deploy/db.env": "DATABASE_URL=postgres://app:Wq8vLr2mXk9TzB4s@pg.internal/app\n",
    }
    findings = _findings(lookalikes | real)
    assert {f.evidence["exposures"][0]["path"] for f in findings} == real.keys()


def test_a_key_in_a_yaml_block_value_is_one_finding_not_a_marker_beside_it() -> None:
    pem = ["-----BEGIN PRIVATE KEY-----", *_KEY_LINES, "-----END PRIVATE KEY-----"]
    text = "tls:\n  key: |\n" + "".join(f"    {line}\n" for line in pem) + "other: 1\n"
    matched = Scanner().scan(text.encode(), "deploy/tls.yaml").matches
    # detect-secrets' marker on the key's line, nhiscan's key on the next: both matched...
    assert {(m.line, m.detector) for m in matched} >= {(2, "Private Key"), (3, "PEM Private Key")}
    # ...and reported once, by the key.
    (finding,) = _findings({"deploy/tls.yaml": text})
    assert finding.severity is Severity.HIGH and "PEM Private Key" in finding.title
