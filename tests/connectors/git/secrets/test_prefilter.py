"""The pre-filter never loses a finding: on a generated corpus, every secret that
``detect-secrets scan --all-files`` reports (file, line, type, hashed secret), nhiscan's engine
reports on the same file and line, with that type among the match's ``detectors`` and the same
secret.

The corpus (seeded, written to tmp_path at test time) has a family per directory:

- ``plugins/``: files of many types (.py .js .ts .java .go .tf .xml .properties .php .c .cpp
  .cs .swift .m .sh .md .toml .npmrc .pem, no extension) holding every detect-secrets plugin's
  shapes, in the host language's assignment syntaxes, quoted and not, with mixed-case keywords
  (PASSWORD, Api_Key, CONTRASEÑA), near misses, pragma comments (inline and nextline, in each
  comment syntax), non-ASCII text on the same lines, CRLF, lone-CR and mixed line endings;
- ``yaml/``: YAML documents the YAML transformer rewrites (unquoted values, flow mappings,
  anchors and merges, ``!!binary``, lists);
- ``ini/``: INI-style files with ``[section]`` headers (.ini .cfg .conf .toml, AWS credentials
  files without extension) with unquoted, quoted and continued values;
- ``encoding/``: non-UTF-8 files, a BOM, and keywords or tokens that match only through Unicode
  (``re.IGNORECASE`` matches U+017F to s and U+212A to k; ``\\d`` any decimal digit);
- ``real/``: a sample of the installed ``detect_secrets`` (its plugins hold example secrets) and
  ``botocore`` sources.

detect-secrets runs in a subprocess exactly as its CLI runs (its settings are process-global and
nhiscan's ``plugins.configure()`` changes them). The families in ``ENGINE_EDGE_CASES`` once
lost findings because of the engine (not the pre-filter table) and are each tested on their own:
YAML values with newlines, header-less config files, and Unicode that lowercases to more
characters.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import random
import string
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import chain
from pathlib import Path

import pytest
import yaml

from nhiscan.connectors.git.secrets.engine import Scanner

SEED = 20261101
ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
HEX = "0123456789abcdef"

Finding = tuple[str, int, str, str]  # file, line, secret type, sha1 of the secret
Rng = random.Random


def _r(rng: Rng, alphabet: str, n: int) -> str:
    return "".join(rng.choices(alphabet, k=n))


# -- tokens: (key names, value factory) per detect-secrets plugin -----------------------------


def _aws_key_id(rng: Rng) -> str:
    prefix = rng.choice(["AKIA", "ASIA", "ABIA", "ACCA", "A3T" + rng.choice(UPPER_ALNUM)])
    return prefix + _r(rng, UPPER_ALNUM, 16)


def _artifactory(rng: Rng) -> str:
    if rng.random() < 0.5:
        return "AKC" + _r(rng, ALNUM, rng.randint(10, 73))
    return "AP" + rng.choice("0123456789ABCDEF") + _r(rng, ALNUM, rng.randint(8, 40))


def _azure(rng: Rng) -> str:
    key = _r(rng, ALNUM + "+/", 86) + "=="
    account = "st" + _r(rng, LOWER_ALNUM, 8)
    return (
        f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};"
        "EndpointSuffix=core.windows.net"
    )


def _basic_auth(rng: Rng) -> str:
    scheme = rng.choice(
        ["https", "http", "postgres", "postgresql", "mysql", "mongodb+srv", "redis", "amqp", "ftp"]
    )
    user = rng.choice(["admin", "app", "deploy", "svc-ci", "root", "backup_user"])
    password = _r(rng, ALNUM + "-_.~", rng.randint(6, 24))
    host = rng.choice(
        ["db.internal", "10.0.3.7", "cluster0.ab12c.mongodb.net", "mq.corp:5672", "registry.corp"]
    )
    return f"{scheme}://{user}:{password}@{host}/{rng.choice(['app', 'prod', '', 'vhost'])}"


def _cloudant(rng: Rng) -> str:
    account = rng.choice(["acme", "acme-bluemix", "team_42"])
    secret = _r(rng, HEX, 64) if rng.random() < 0.5 else _r(rng, string.ascii_lowercase, 24)
    return f"https://{account}:{secret}@{account}.cloudant.com"


def _cloudant_value(rng: Rng) -> str:
    return _r(rng, HEX, 64) if rng.random() < 0.5 else _r(rng, string.ascii_lowercase, 24)


def _discord(rng: Rng) -> str:
    first = rng.choice("MNO") + _r(rng, B64URL, rng.randint(23, 25))
    return f"{first}.{_r(rng, B64URL, 6)}.{_r(rng, B64URL, 27)}"


def _github(rng: Rng) -> str:
    return rng.choice(["ghp", "gho", "ghu", "ghs", "ghr"]) + "_" + _r(rng, ALNUM + "_", 36)


def _gitlab(rng: Rng) -> str:
    body = B64URL
    return rng.choice([
        rng.choice(["glpat", "gldt", "glft", "glsoat", "glrt"]) + "-"
        + _r(rng, body, rng.randint(20, 50)),
        "GR1348941" + _r(rng, body, rng.randint(20, 50)),
        "glcbt-" + rng.choice(["", _r(rng, HEX, 2) + "_"]) + _r(rng, body, rng.randint(20, 50)),
        "glimt-" + _r(rng, body, 25),
        "glptt-" + _r(rng, body, 40),
        "glagent-" + _r(rng, body, rng.randint(50, 90)),
        "gloas-" + _r(rng, body, 64),
    ])  # fmt: skip


def _entropy_b64(rng: Rng) -> str:
    """Around detect-secrets' limits: 20..64 characters from 8..66 distinct symbols."""
    length = rng.choice([20, 21, 22, 23, 24, 25, 26, 28, 32, 40, 44, 64])
    alphabet = rng.sample(ALNUM + "+/-_", rng.choice([8, 12, 16, 20, 24, 32, 48, 64]))
    value = _r(rng, "".join(alphabet), length)
    return value + rng.choice(["", "", "=", "=="])


def _entropy_hex(rng: Rng) -> str:
    length = rng.choice([7, 8, 9, 10, 11, 12, 16, 20, 24, 32, 40, 64])
    if rng.random() < 0.2:
        return _r(rng, string.digits, length)
    alphabet = rng.sample(HEX + "ABCDEF", rng.choice([3, 4, 6, 8, 10, 16, 22]))
    return _r(rng, "".join(alphabet), length)


def _ibm_iam(rng: Rng) -> str:
    return _r(rng, B64URL, 44)


def _ip(rng: Rng) -> str:
    kind = rng.random()
    if kind < 0.35:  # private or loopback
        first = rng.choice(["10", "127", "192.168", "172." + str(rng.randint(16, 31))])
        rest = 4 - first.count(".") - 1
        address = ".".join([first, *(str(rng.randint(0, 255)) for _ in range(rest))])
    else:
        address = ".".join(str(rng.randint(1, 223)) for _ in range(4))
    return address + (f":{rng.randint(1, 65535)}" if rng.random() < 0.3 else "")


def _jwt(rng: Rng) -> str:
    def segment(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {"sub": str(rng.randrange(10**8)), "iat": rng.randrange(1_600_000_000, 1_800_000_000)}
    return f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{segment(claims)}.{_r(rng, B64URL, 43)}"


def _mailchimp(rng: Rng) -> str:
    return _r(rng, LOWER_ALNUM, 32) + "-us" + str(rng.randint(1, 21))


def _openai(rng: Rng) -> str:
    middle = rng.choice(["", "proj-" + _r(rng, B64URL, 20), _r(rng, ALNUM, 4) + "-"])
    return f"sk-{middle}{_r(rng, ALNUM, 20)}T3BlbkFJ{_r(rng, ALNUM, 20)}"


def _pypi(rng: Rng) -> str:
    prefix = rng.choice(["pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw"])
    return prefix + _r(rng, B64URL, rng.randint(70, 140))


def _sendgrid(rng: Rng) -> str:
    return f"SG.{_r(rng, B64URL, 22)}.{_r(rng, B64URL, 43)}"


def _slack(rng: Rng) -> str:
    if rng.random() < 0.5:
        groups = "-".join(str(rng.randrange(10**9, 10**12)) for _ in range(rng.randint(1, 3)))
        return f"xox{rng.choice('abposr')}-{groups}-{_r(rng, LOWER_ALNUM, 24)}"
    return (
        f"https://hooks.slack.com/services/T{_r(rng, UPPER_ALNUM, 8)}/B{_r(rng, UPPER_ALNUM, 10)}"
        f"/{_r(rng, ALNUM, 24)}"
    )


def _softlayer(rng: Rng) -> str:
    return _r(rng, LOWER_ALNUM, 64)


def _softlayer_url(rng: Rng) -> str:
    return f"https://api.softlayer.com/soap/{rng.choice(['v3', 'v3.1'])}/{_r(rng, LOWER_ALNUM, 64)}"


def _square(rng: Rng) -> str:
    return "sq0csp-" + _r(rng, ALNUM + "-_", 43)


def _stripe(rng: Rng) -> str:
    return rng.choice(["sk", "rk"]) + "_live_" + _r(rng, ALNUM, 24)


def _telegram(rng: Rng) -> str:
    return f"{rng.randrange(10**7, 10**10)}:{_r(rng, B64URL, 35)}"


def _twilio(rng: Rng) -> str:
    return rng.choice(["AC", "SK"]) + _r(rng, LOWER_ALNUM, 32)


def _word_secret(rng: Rng) -> str:
    """What people put after ``password =``: words, digits, punctuation, spaces."""
    return rng.choice([
        _r(rng, ALNUM, rng.randint(6, 20)),
        rng.choice(["hunter", "Summer", "correct horse battery", "changeme", "P@ssw0rd"])
        + str(rng.randint(1, 9999)),
        _r(rng, ALNUM + "!#%&*-_.?", rng.randint(8, 30)),
        "Zm9v" + _r(rng, B64, 12) + "==",
        "contraseña-" + _r(rng, LOWER_ALNUM, 6),
    ])  # fmt: skip


# value factory, key names that go with it
# fmt: off
TOKENS: dict[str, tuple[Callable[[Rng], str], tuple[str, ...]]] = {
    "aws-key-id": (_aws_key_id, ("aws_access_key_id", "AccessKeyId", "key_id", "creds")),
    "aws-secret": (
        lambda rng: _r(rng, ALNUM + "/+", 40),
        ("aws_secret_access_key", "AWS_SECRET_KEY", "awsSecretKey", "aws_session_token",
         "aws.pass", "AWS_DB_PWD"),
    ),
    "artifactory": (_artifactory, ("artifactory_token", "ARTIFACTORY_PASSWORD", "rt_api", "auth")),
    "azure": (_azure, ("connection_string", "AZURE_STORAGE_CONNECTION_STRING", "conn")),
    "basic-auth": (_basic_auth, ("url", "DATABASE_URL", "broker_url", "dsn", "endpoint")),
    "cloudant-url": (_cloudant, ("cloudant_url", "couch", "db")),
    "cloudant": (
        _cloudant_value, ("cloudant_password", "cl_api_key", "clou-token", "CLOUDANT_PWD", "cl_pw")
    ),
    "discord": (_discord, ("discord_token", "DISCORD_BOT_TOKEN", "bot")),
    "github": (_github, ("github_token", "GH_TOKEN", "token", "ghToken")),
    "gitlab": (_gitlab, ("gitlab_token", "CI_JOB_TOKEN", "registration", "glToken")),
    "entropy-b64": (
        _entropy_b64, ("nonce", "data", "signature", "secret", "session_key", "salt", "blob")
    ),
    "entropy-hex": (_entropy_hex, ("digest", "sha", "checksum", "fingerprint", "hex_key", "color")),
    "ibm-iam": (
        _ibm_iam,
        ("ibm_cloud_iam_api_key", "IBM-CLOUD-APIKEY", "iam_token", "cloud_iam_password", "apikey",
         "ibmpass"),
    ),
    "ibm-cos": (
        lambda rng: _r(rng, HEX, 48),
        ("cos_hmac_secret_access_key", "ibm-cos-secret-key", "secret_key",
         "IBM_COS_SECRETACCESSKEY"),
    ),
    "ip": (_ip, ("host", "server", "listen", "upstream", "peer")),
    "jwt": (_jwt, ("jwt", "id_token", "Authorization", "bearer")),
    "mailchimp": (_mailchimp, ("mailchimp_key", "MC_API", "mc")),
    "openai": (_openai, ("openai_api_key", "OPENAI_KEY", "llm")),
    "pypi": (_pypi, ("pypi_token", "TWINE_PASSWORD", "upload")),
    "sendgrid": (_sendgrid, ("sendgrid_api_key", "SG_KEY", "mail")),
    "slack": (_slack, ("slack_token", "SLACK_WEBHOOK_URL", "hook", "slackBot")),
    "softlayer": (_softlayer, ("softlayer_api_key", "sl_token", "SL-PASSWORD", "softlayerapipwd")),
    "softlayer-url": (_softlayer_url, ("softlayer_endpoint", "soap")),
    "square": (_square, ("square_secret", "SQUARE_OAUTH", "sq")),
    "stripe": (_stripe, ("stripe_key", "STRIPE_SECRET_KEY", "payments")),
    "telegram": (_telegram, ("telegram_bot_token", "TG_TOKEN", "bot")),
    "twilio": (_twilio, ("twilio_sid", "TWILIO_API_KEY", "account")),
    "keyword": (
        _word_secret,
        ("password", "PASSWORD", "Api_Key", "apikey", "db_pass", "DATABASE_PASSWORD", "privateKey",
         "client_key", "secret", "SECRET_TOKEN", "contraseña", "CONTRASEÑA", "Contrasena", "pwd",
         "passwd", "KEY_PASS", "service_key", "authKey", "account_key", "db_key", "priv_key",
         "my_password_hash", "userPassword"),
    ),
}
# fmt: on


def _key_case(rng: Rng, key: str) -> str:
    style = rng.random()
    if style < 0.15:
        return key.upper()
    if style < 0.25:
        return key.title()
    if style < 0.35 and "_" in key:
        head, *rest = key.split("_")
        return head + "".join(part.title() for part in rest)
    return key


def _token(rng: Rng, family: str | None = None) -> tuple[str, str]:
    factory, keys = TOKENS[family or rng.choice(list(TOKENS))]
    return _key_case(rng, rng.choice(keys)), factory(rng)


# -- hosts: how each file type assigns and comments -------------------------------------------

# fmt: off
HOSTS: dict[str, tuple[tuple[str, ...], tuple[str, str]]] = {
    ".py": (('{k} = "{v}"', "{k} = '{v}'", 'settings["{k}"] = "{v}"', 'connect({k}="{v}")',
             '    "{k}": "{v}",', "{k}: str = '{v}'", 'if {k} == "{v}":', 'log("{v}")'), ("#", "")),
    ".js": (("const {k} = '{v}';", '  {k}: "{v}",', "process.env.{K} = `{v}`;", 'let {k} = "{v}"',
             "if ({k} === '{v}') {{", "fetch('{v}')"), ("//", "")),
    ".ts": (("export const {k}: string = '{v}';", '  {k}: "{v}",', "{k} => '{v}'"), ("//", "")),
    ".java": (('private static final String {K} = "{v}";', 'props.put("{k}", "{v}");',
               'String {k} = "{v}";'), ("//", "")),
    ".go": (('{k} := "{v}"', 'var {k} = "{v}"', '\t{K}: "{v}",', 'os.Setenv("{K}", "{v}")'),
            ("//", "")),
    ".tf": (('  {k} = "{v}"', '  default = "{v}"'), ("#", "")),
    ".xml": (('<{k}>{v}</{k}>', '<add key="{k}" value="{v}" />',
              '<property name="{k}">{v}</property>'),
             ("<!--", " -->")),
    ".properties": (("{k}={v}", "{k} = {v}", "{k}: {v}"), ("#", "")),
    ".php": (("${k} = '{v}';", "'{k}' => \"{v}\",", 'define("{K}", "{v}");'), ("//", "")),
    ".c": (('char {k}[] = "{v}";', 'const char *{k} = "{v}";'), ("/*", " */")),
    ".cpp": (('std::string {k}("{v}");', '{k}.assign("{v}", 17);', 'auto {k} = "{v}";'),
             ("//", "")),
    ".cs": (('var {k} = @"{v}";', 'string {k} = "{v}";'), ("//", "")),
    ".swift": (('let {k} = "{v}"',), ("//", "")),
    ".m": (('NSString *{k} = @"{v}";',), ("//", "")),
    ".sh": (('export {K}="{v}"', "{K}='{v}'", 'curl -H "X-Token: {v}" https://api.example.com',
             "docker login -p {v} registry"), ("#", "")),
    ".md": (("Use `{k}={v}` to configure it.", '    {k}: "{v}"', "| {k} | {v} |"),
            ("<!--", " -->")),
    ".toml": (('{k} = "{v}"', "{k} = '{v}'"), ("#", "")),
    ".sql": (("INSERT INTO creds (name, {k}) VALUES ('svc', '{v}');",), ("--", "")),
    "": (('export {K}="{v}"', "{K}={v}", 'echo "{v}" | login'), ("#", "")),
}
# fmt: on

FILLER = (
    "import os",
    "from pathlib import Path",
    "def handler(event, context):",
    "    return {{'statusCode': 200}}",
    "}}",
    "end",
    "set -euo pipefail",
    "The token rotates every day; ask the platform team for a new password.",
    "See https://docs.example.com/{w}/setup#keys for details.",
    "version = '{n}.{m}.{n}'",
    "build: {n}.{m}.{m}.{n}",
    'request_id = "{uuid}"',
    "sha256 = '{digest}'",
    "password = get_password('{w}')",
    'password = "${{DB_PASSWORD}}"',
    'token = "{{{{ vault.{w}.token }}}}"',
    "api_key = os.environ['API_KEY']",
    "secret = None",
    'short = "{short}"',
    "color: '#a1b2c3'",
    "// {w} {w} {w}",
    "# TODO({w}): remove the hard-coded key before release",
    "for (int i = 0; i < {n}; i++) {{",
    "SELECT id, name FROM {w} WHERE id = {n};",
)

WORDS = ("billing", "orders", "auth", "gateway", "inventory", "search", "users", "audit")
UNICODE = ("mot de passe: été", "日本語のコメント", "пароль", "🎉 done", "naïve café", "İstanbul")


def _filler(rng: Rng) -> str:
    return rng.choice(FILLER).format(
        w=rng.choice(WORDS), n=rng.randint(0, 99), m=rng.randint(0, 9),
        uuid=uuid.UUID(int=rng.getrandbits(128)),
        digest=_r(rng, HEX, 64), short=_r(rng, ALNUM, rng.randint(4, 22)),
    )  # fmt: skip


def _comment(ext: str, text: str) -> str:
    start, end = HOSTS[ext][1]
    return f"{start} {text}{end}"


def _secret_line(rng: Rng, ext: str, family: str | None = None) -> list[str]:
    key, value = _token(rng, family)
    template = rng.choice(HOSTS[ext][0])
    line = template.format(k=key, K=key.upper(), v=value)
    roll = rng.random()
    if roll < 0.06:
        return [line + "  " + _comment(ext, "pragma: allowlist secret")]
    if roll < 0.10:
        return [_comment(ext, "pragma: allowlist nextline secret"), line]
    if roll < 0.13:
        return [line + " " + _comment(ext, "pragma: whitelist secret")]
    if roll < 0.20:
        return [line + "  " + _comment(ext, rng.choice(UNICODE))]
    if roll < 0.25:  # two secrets on one line
        other_key, other = _token(rng)
        return [f"{line} {_comment(ext, f'{other_key}={other!r}')}"]
    return [line]


def _generic_file(rng: Rng, ext: str, families: list[str]) -> list[str]:
    lines: list[str] = []
    if ext in (".sh", ""):
        lines.append("#!/bin/sh")
    for family in families:
        lines.extend(_filler(rng) for _ in range(rng.randint(0, 4)))
        lines.extend(_secret_line(rng, ext, family))
    lines.extend(_filler(rng) for _ in range(rng.randint(1, 3)))
    return lines


def _private_key_file(rng: Rng) -> list[str]:
    kind = rng.choice(["RSA ", "DSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "])
    if rng.random() < 0.15:
        return [
            "PuTTY-User-Key-File-2: ssh-rsa",
            "Encryption: none",
            f"Private-Lines: {_r(rng, B64, 64)}",
        ]
    if rng.random() < 0.1:
        head, tail = "-----BEGIN PGP PRIVATE KEY BLOCK-----", "-----END PGP PRIVATE KEY BLOCK-----"
    elif rng.random() < 0.1:
        head, tail = (
            "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
            "---- END SSH2 ENCRYPTED PRIVATE KEY ----",
        )
    else:
        head, tail = f"-----BEGIN {kind}PRIVATE KEY-----", f"-----END {kind}PRIVATE KEY-----"
    body = [_r(rng, B64, 64) for _ in range(rng.randint(3, 12))]
    return [head, *body, tail]


def _npmrc(rng: Rng) -> list[str]:
    token = rng.choice(["npm_" + _r(rng, ALNUM, 36), str(uuid.UUID(int=rng.getrandbits(128)))])
    host = rng.choice(["registry.npmjs.org", "npm.pkg.github.com", "artifacts.corp/api/npm/npm"])
    return [
        "registry=https://registry.npmjs.org/",
        f"//{host}/:_authToken={token}",
        "always-auth=true",
    ]


def _endings(rng: Rng, text: str) -> bytes:
    roll = rng.random()
    if roll < 0.12:
        text = text.replace("\n", "\r\n")
    elif roll < 0.17:
        text = text.replace("\n", "\r")
    elif roll < 0.20:
        text = "".join(part + rng.choice(["\n", "\r\n", "\r"]) for part in text.split("\n"))
    return text.encode("utf-8")


def plugin_files(rng: Rng, count: int = 200) -> Iterator[tuple[str, bytes]]:
    families = list(TOKENS)
    for n in range(count):
        ext = rng.choice(list(HOSTS))
        # every token family in every position at least a few times, then random mixes
        chosen = [families[(n * 3 + i) % len(families)] for i in range(3)]
        chosen += rng.sample(families, rng.randint(0, 4))
        lines = _generic_file(rng, ext, chosen)
        yield f"{rng.choice(WORDS)}_{n}{ext}", _endings(rng, "\n".join(lines) + "\n")
    for n in range(12):
        yield f"keys/id_{n}.pem", _endings(rng, "\n".join(_private_key_file(rng)) + "\n")
    for n in range(6):
        yield f"npm/{n}/.npmrc", _endings(rng, "\n".join(_npmrc(rng)) + "\n")


# -- YAML the transformer rewrites ------------------------------------------------------------


def _yaml_scalar(rng: Rng, value: str) -> str:
    plain_ok = value[0] not in "@`!&*%|>'\"#[]{},?-:" and ": " not in value and " #" not in value
    style = rng.random()
    if plain_ok and style < 0.5:
        return value
    if style < 0.75 or "'" in value:
        return json.dumps(value)  # a valid YAML double-quoted scalar
    return f"'{value}'"


def _yaml_doc(rng: Rng, multiline: bool = False, dotted: bool = False) -> str:
    def item(indent: str) -> str:
        key, value = _token(rng)
        return f"{indent}{key}: {_yaml_scalar(rng, value)}"

    out = ["# generated service configuration", f"service: {rng.choice(WORDS)}", "spec:"]
    out += ["  replicas: 3", "  image: registry.corp/app:1.4.2", "  database:"]
    if dotted:
        out.insert(1, f"owner: {json.dumps('İZMİR İSTANBUL ' * rng.randint(3, 8))}")
    out += [item("    ") for _ in range(rng.randint(1, 4))]
    if multiline:
        out += _yaml_multiline(rng)
    out += ["  tokens:", *(f"    - {_yaml_scalar(rng, _token(rng)[1])}" for _ in range(2))]
    out += ["    - name: primary", item("      ")]
    key, value = _token(rng)
    out.append(f"  flow: {{{key}: {json.dumps(value)}, region: us-east-1}}")
    out += ["defaults: &defaults", item("  "), item("  "), "prod:", "  <<: *defaults", item("  ")]
    out.append(f"blob: !!binary {base64.b64encode(rng.randbytes(rng.randint(12, 60))).decode()}")
    out.append(f"inline: [a, b, {json.dumps(_token(rng)[1])}]")
    out += [item(""), f"PASSWORD: {_word_secret(rng)}", f"Api_Key: {_r(rng, ALNUM, 32)}"]
    out.append(f"CONTRASEÑA: {_r(rng, ALNUM, 12)}")
    out.append(f"note: {json.dumps(rng.choice(UNICODE))}  # pragma: allowlist secret")
    out.append(f"secret_value: {_r(rng, ALNUM, 40)}  # pragma: allowlist secret")
    out += [item("") for _ in range(rng.randint(1, 4))]
    text = "\n".join(out) + "\n"
    yaml.safe_load(text)  # the generator's own check: the transformer must be able to parse it
    return text


def _yaml_multiline(rng: Rng) -> list[str]:
    key, value = _token(rng)
    return [
        "    init: |",
        "      #!/bin/sh",
        f"      export {key.upper()}={value}",
        "    summary: >",
        "      folded text that goes",
        "      on for a while",
        "    script: |-",
        f"      echo {_filler(rng)!r}",
        f"    pem: {json.dumps(chr(10).join(_private_key_file(rng)))}",
        "    plain: a plain scalar",
        "      continued on the next line",
    ]


def yaml_files(rng: Rng, count: int = 30, **kinds: bool) -> Iterator[tuple[str, bytes]]:
    for n in range(count):
        ext = rng.choice([".yaml", ".yml"])
        yield f"{rng.choice(WORDS)}_{n}{ext}", _endings(rng, _yaml_doc(rng, **kinds))


# -- INI-style files (the config transformer) -------------------------------------------------


def _ini_doc(rng: Rng, dotted: bool = False) -> str:
    out = ["; generated", "# comment"]
    for n, section in enumerate(
        rng.sample(["database", "api", "default", "cache", "auth", "profile prod"], 3)
    ):
        out.append(f"[{section}]")
        if dotted and n == 0:
            out.append(f"city = {'İZMİR ' * rng.randint(4, 10)}")
        keys: set[str] = set()
        for _ in range(rng.randint(2, 5)):
            key, value = _token(rng)
            if key.lower() in keys or "%" in value:
                continue
            keys.add(key.lower())
            roll = rng.random()
            if roll < 0.1:
                out.append("# pragma: allowlist nextline secret")
            if roll < 0.6:
                out.append(f"{key} = {value}")
            elif roll < 0.75:
                out.append(f"{key}: {value}")
            elif roll < 0.9:
                out.append(f'{key} = "{value}"')
            else:
                out += [f"{key} =", f"    {_r(rng, ALNUM, 10)}", f"    {value}"]
        out.append("")
    return "\n".join(out) + "\n"


def _aws_credentials(rng: Rng) -> str:
    out: list[str] = []
    for profile in ("default", "prod", "ci"):
        out += [f"[{profile}]", f"aws_access_key_id = {_aws_key_id(rng)}"]
        out += [f"aws_secret_access_key = {_r(rng, ALNUM + '/+', 40)}", "region = eu-west-1", ""]
    return "\n".join(out)


def ini_files(rng: Rng, count: int = 30, dotted: bool = False) -> Iterator[tuple[str, bytes]]:
    for n in range(count):
        ext = rng.choice([".ini", ".cfg", ".conf", ".toml", ""])
        yield f"{rng.choice(WORDS)}_{n}{ext}", _endings(rng, _ini_doc(rng, dotted))
    for n in range(4 if not dotted else 0):
        yield f"aws_{n}/credentials", _endings(rng, _aws_credentials(rng))


# -- encodings and Unicode --------------------------------------------------------------------

# re.IGNORECASE matches U+017F (long s) to s and U+212A (KELVIN SIGN) to k; \d matches any
# Unicode decimal digit. detect-secrets' case-insensitive and \d patterns match these.
LONG_S, KELVIN = "\u017f", "\u212a"
FOLDED = (
    'pa{s}{s}word = "{w}"', 'api_{k}ey = "{w}"', '{s}ecret: "{w}"', 'aws_{s}ecret_to{k}en = "{a}"',
    'contra{s}eña = "{w}"', 'cloudant_pa{s}{s}word = "{h64}"', 'ibm_cos_{s}ecret_key = "{h48}"',
    'iam_to{k}en = "{b44}"', '{s}oftlayer_api_{k}ey = "{l64}"',
    'hook = "https://hoo{k}s.{s}lack.com/services/T{U}/B{U}/{w}"',
    'url = "https://api.{s}oftlayer.com/soap/v3/{l64}"', 'PA{s}{s}WORD = "{w}"',
)  # fmt: skip
UNICODE_DIGITS = "٣３۵߂१"  # Arabic-Indic, fullwidth, extended Arabic-Indic, NKo, Devanagari


def _folded_line(rng: Rng) -> str:
    return rng.choice(FOLDED).format(
        w=_r(rng, ALNUM, 16), a=_r(rng, ALNUM, 40), h64=_r(rng, HEX, 64), h48=_r(rng, HEX, 48),
        b44=_r(rng, B64URL, 44), l64=_r(rng, LOWER_ALNUM, 64), U=_r(rng, UPPER_ALNUM, 9),
        s=LONG_S, k=KELVIN,
    )  # fmt: skip


def _unicode_digit_line(rng: Rng) -> str:
    digit = rng.choice(UNICODE_DIGITS)
    if rng.random() < 0.5:
        body = list(_discord(rng))
        for i in rng.sample(range(1, 24), 3):
            body[i] = digit
        return f'discord = "{"".join(body)}"'
    return f"artifactory_password = AP{digit}{_r(rng, ALNUM, 12)}"


def encoding_files(rng: Rng) -> Iterator[tuple[str, bytes]]:
    for n in range(12):
        ext = rng.choice([".py", ".js", ".go", ".properties", ".md"])
        lines = _generic_file(rng, ext, rng.sample(list(TOKENS), 3))
        for _ in range(3):
            lines.insert(rng.randrange(len(lines)), _folded_line(rng))
        lines.insert(rng.randrange(len(lines)), _unicode_digit_line(rng))
        yield f"unicode_{n}{ext}", _endings(rng, "\n".join(lines) + "\n")
    for n in range(4):  # not UTF-8: detect-secrets skips these files whole
        text = "\n".join(_generic_file(rng, ".py", rng.sample(list(TOKENS), 3)))
        yield (
            f"latin1_{n}.py",
            ("# café crème\n" + text + "\n").encode("latin-1", "replace"),
        )
    for n in range(3):  # a UTF-8 byte order mark before the first line
        text = "\n".join(_generic_file(rng, ".js", rng.sample(list(TOKENS), 3)))
        yield f"bom_{n}.js", b"\xef\xbb\xbf" + text.encode() + b"\n"
    yield (
        "cp1252.txt",
        "password = \u201csmart quotes\u201d \u2013 \u201cZx8vQ2mL5nR7tK3wY9bH4jD6fG1\u201d".encode(
            "cp1252"
        ),
    )


# -- real text ---------------------------------------------------------------------------------


def real_files(rng: Rng, budget: int = 150_000) -> Iterator[tuple[str, bytes]]:
    import botocore
    import detect_secrets

    for package, share in ((detect_secrets, 0.55), (botocore, 0.45)):
        root = Path(package.__file__).parent
        candidates = sorted(p for p in root.rglob("*.py") if p.stat().st_size < 40_000)
        rng.shuffle(candidates)
        left = int(budget * share)
        for path in candidates:
            size = path.stat().st_size
            if size > left:
                continue
            left -= size
            yield f"{root.name}/{path.relative_to(root).as_posix()}", path.read_bytes()


# -- the corpus ---------------------------------------------------------------------------------

MAIN_FAMILIES: dict[str, Callable[[Rng], Iterator[tuple[str, bytes]]]] = {
    "plugins": plugin_files,
    "yaml": yaml_files,
    "ini": ini_files,
    "encoding": encoding_files,
    "real": real_files,
}


def _dotenv_files(rng: Rng) -> Iterator[tuple[str, bytes]]:
    for n in range(8):
        lines = ["# local settings"]
        for _ in range(rng.randint(2, 5)):
            key, value = _token(rng, rng.choice(["keyword", "entropy-b64", "aws-secret"]))
            lines.append(f"{key.upper()}={value}")
        name = rng.choice([".env", "settings", "app.env", "local.txt"])
        yield f"{n}/{name}", ("\n".join(lines) + "\n").encode()


# Families that once lost findings in the engine (not the pre-filter table), and why: each is
# checked on its own, so a regression names the case.
ENGINE_EDGE_CASES: dict[str, tuple[str, Callable[[Rng], Iterator[tuple[str, bytes]]]]] = {
    "yaml-multiline": (
        "a YAML value holding newlines (block scalar, escaped \\n) is one transformed line with "
        "newlines inside; the engine's pre-filter joins the transformed lines with \\n and counts "
        "newlines, so every hit after it lands on a later line",
        lambda rng: yaml_files(rng, count=10, multiline=True),
    ),
    "eager-config": (
        "detect-secrets' eager config transformer adds a [global] header itself, so header-less "
        "KEY=value files of no known type (.env, no extension, .txt) are parsed; the engine runs "
        "it only when the file contains '['",
        _dotenv_files,
    ),
    "dotted-capital-i": (
        "in transformed (YAML/INI) text the pre-filter lowercases Unicode: 'İ'.lower() is two "
        "characters, so every keyword position after an İ is shifted onto a later line",
        lambda rng: chain(yaml_files(rng, count=6, dotted=True), ini_files(rng, 6, dotted=True)),
    ),
}


def write_corpus(
    root: Path, families: dict[str, Callable[[Rng], Iterator[tuple[str, bytes]]]]
) -> dict[str, bytes]:
    """Each family's files under a directory named after it; returns {relative path: bytes}."""
    files: dict[str, bytes] = {}
    for name, family in families.items():
        rng = random.Random(f"{SEED}:{name}")
        for tail, data in family(rng):
            rel = f"{name}/{tail}"
            assert rel not in files, rel
            files[rel] = data
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return files


# -- both scanners -------------------------------------------------------------------------------


def detect_secrets_findings(root: Path) -> set[Finding]:
    """``detect-secrets scan --all-files .`` in the corpus, as a user runs it."""
    env = {**os.environ, "PYTHONUTF8": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "detect_secrets", "scan", "--all-files", "--no-verify", "."],
        cwd=root, env=env, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    results = json.loads(done.stdout)["results"]
    return {
        (name, item["line_number"], item["type"], item["hashed_secret"])
        for name, items in results.items()
        for item in items
    }


@cache
def _scanner() -> Scanner:
    return Scanner()


def nhiscan_findings(files: dict[str, bytes]) -> set[Finding]:
    scanner = _scanner()
    found: set[Finding] = set()
    for rel, data in files.items():
        result = scanner.scan(data, rel)
        assert result.skipped is None, (rel, result.skipped)
        for match in result.matches:
            digest = hashlib.sha1(match.secret.encode("utf-8")).hexdigest()
            found.update((rel, match.line, name, digest) for name in match.detectors)
            for name, secret in match.absorbed:  # folded into a longer secret on the line
                folded = hashlib.sha1(secret.encode("utf-8")).hexdigest()
                found.add((rel, match.line, name, folded))
    return found


def losses(reference: set[Finding], found: set[Finding]) -> list[str]:
    on_line: dict[tuple[str, int], set[str]] = {}
    for rel, line, name, _ in found:
        on_line.setdefault((rel, line), set()).add(name)
    return [
        f"{rel}:{line}: {name} (nhiscan on that line: {sorted(on_line.get((rel, line), ()))})"
        for rel, line, name, digest in sorted(reference - found)
    ]


def _plugin_types() -> set[str]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    return set(get_mapping_from_secret_type_to_class())


# -- tests ----------------------------------------------------------------------------------------

# The default filters drop every IPPublicDetector finding (is_not_alphanumeric_string: an
# address has no letter), so `detect-secrets scan` never reports one; the table test covers it.
NEVER_REPORTED = {"Public IP (ipv4)"}


Corpus = tuple[dict[str, bytes], set[Finding]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Every family, main and edge cases, in one directory: one detect-secrets run for all."""
    root = tmp_path_factory.mktemp("corpus")
    pending = {name: family for name, (_, family) in ENGINE_EDGE_CASES.items()}
    files = write_corpus(root, {**MAIN_FAMILIES, **pending})
    return files, detect_secrets_findings(root)


def _only(corpus: Corpus, families: Iterable[str]) -> Corpus:
    keep = set(families)
    files, reference = corpus
    return (
        {rel: data for rel, data in files.items() if rel.split("/")[0] in keep},
        {finding for finding in reference if finding[0].split("/")[0] in keep},
    )


def test_the_corpus_exercises_every_plugin_and_family(corpus: Corpus) -> None:
    files, reference = _only(corpus, MAIN_FAMILIES)
    assert len(files) >= 300 and sum(map(len, files.values())) < 450_000
    reported = {name for _, _, name, _ in reference}
    assert _plugin_types() - NEVER_REPORTED <= reported, _plugin_types() - reported
    assert {rel.split("/")[0] for rel, *_ in reference} == set(MAIN_FAMILIES)


def test_the_prefilter_loses_nothing_detect_secrets_finds(corpus: Corpus) -> None:
    files, reference = _only(corpus, MAIN_FAMILIES)
    missing = losses(reference, nhiscan_findings(files))
    assert not missing, f"{len(missing)} of {len(reference)} lost:\n" + "\n".join(missing)


def _views(rel: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(line a plugin sees, the engine's pre-filter view of it) for every raw and transformed
    line: both are pre-filtered as latin-1 bytes, transformed ones UTF-8 encoded first (with a
    newline inside a value as a space: ``transform.as_raw``)."""
    from detect_secrets.transformers import get_transformed_file

    from nhiscan.connectors.git.secrets.transform import encoded

    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    for raw in data.split(b"\n"):
        yield raw.decode("utf-8", "replace").rstrip(), raw.decode("latin-1")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    for eager in (False, True):
        named = io.StringIO(text)
        named.name = rel  # type: ignore[misc]
        for line in get_transformed_file(named, use_eager_transformers=eager) or ():
            yield line.rstrip(), encoded([line])[0].decode("latin-1")


def test_every_plugin_match_is_marked_by_its_prefilter(corpus: Corpus) -> None:
    """Below detect-secrets' filters: wherever a plugin matches a line of the corpus (or of a
    pending family), that plugin's pre-filter marks the line as the engine reads it."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    from nhiscan.connectors.git.secrets import plugins as table

    checks = [
        (cls(), table.PREFILTERS[cls.__name__])
        for cls in get_mapping_from_secret_type_to_class().values()
    ]
    compiled = {id(pf): table.compiled_patterns(pf) for _, pf in checks}
    files = corpus[0]
    matched: set[str] = set()
    unmarked: list[str] = []
    for rel, data in files.items():
        for line, view in _views(rel, data):
            lowered = view.lower()
            for plugin, pf in checks:
                marked = any(lit in lowered for lit in pf.literals) or any(
                    p.search(view) for p in compiled[id(pf)]
                )
                if marked and plugin.secret_type in matched:
                    continue
                if plugin.analyze_line(filename=rel, line=line, line_number=1):
                    matched.add(plugin.secret_type)
                    if not marked:
                        unmarked.append(f"{rel}: {plugin.secret_type}: {line[:120]!r}")
    assert matched == _plugin_types(), _plugin_types() - matched
    assert not unmarked, "\n".join(unmarked)


@pytest.mark.parametrize(
    "family",
    [pytest.param(name, id=name) for name in ENGINE_EDGE_CASES],
)
def test_engine_edge_cases(corpus: Corpus, family: str) -> None:
    files, reference = _only(corpus, [family])
    assert reference, "the family must give detect-secrets something to find"
    missing = losses(reference, nhiscan_findings(files))
    assert not missing, f"{len(missing)} of {len(reference)} lost:\n" + "\n".join(missing)
