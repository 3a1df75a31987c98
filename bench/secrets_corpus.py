"""Generators for the secrets benchmarks, deterministic by seed: realistic source files in
several languages, planted secrets of many kinds, a working tree, a long git history written
with ``git fast-import`` (streamed, never held in memory), and a repository with staged files.

Used by bench_secrets_tree.py, bench_secrets_history.py and bench_secrets_staged.py; run alone
it writes a small sample tree: ``python bench/secrets_corpus.py DIR``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

Rng = random.Random

# Part of every cache key: bump it when a generator's output changes.
GENERATOR_VERSION = 2

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"

# Words of application code. The keyword-ish ones are what makes secret scanners look closer:
# key and token are common words of code, password and secret (SENSITIVE) are rarer.
_WORD_TEXT = (
    "account user order invoice payment session cache request response client server config "
    "handler event queue message record item batch job worker policy role bucket region stream "
    "buffer value index schema field model view route service provider resource metric log "
    "trace span auth permission tenant project cluster node pod image volume report export "
    "import upload download retry timeout limit offset page cursor filter sort query result "
    "status state error reason detail name label tag owner group member team org plan price "
    "amount currency total count size length width height color theme locale zone date time "
    "start end created updated deleted version build release deploy stage env target source "
    "path file dir url host port address endpoint backend frontend proxy gateway router api "
    "key key token hash salt cipher signature cert"
)
WORDS = tuple(_WORD_TEXT.split(" "))
TLDS = ("com", "io", "net", "org", "dev", "internal")
AUTHORS = tuple(
    f"{first} {last} <{first.lower()}.{last.lower()}@example.com>"
    for first, last in (
        ("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper"), ("Linus", "Torvalds"),
        ("Barbara", "Liskov"), ("Ken", "Thompson"), ("Margaret", "Hamilton"), ("Dennis", "Ritchie"),
        ("Frances", "Allen"), ("Edsger", "Dijkstra"), ("Radia", "Perlman"), ("John", "Backus"),
    )
)  # fmt: skip


def _r(rng: Rng, alphabet: str, n: int) -> str:
    return "".join(rng.choices(alphabet, k=n))


# -- placeholders: <<name>> in a template becomes generated text ------------------------------


SENSITIVE = ("password", "secret", "passwd", "api_key", "private_key")


def _words(rng: Rng, lo: int = 1, hi: int = 3) -> list[str]:
    words = rng.choices(WORDS, k=rng.randint(lo, hi))
    if rng.random() < 0.004:
        words[0] = rng.choice(SENSITIVE)
    return words


FILL: dict[str, Callable[[Rng], str]] = {
    "id": lambda rng: "_".join(_words(rng)),
    "camel": lambda rng: (lambda w: w[0] + "".join(x.title() for x in w[1:]))(_words(rng)),
    "Id": lambda rng: "".join(w.title() for w in _words(rng)),
    "ID": lambda rng: "_".join(_words(rng)).upper(),
    "word": lambda rng: rng.choice(WORDS),
    "num": lambda rng: str(rng.choice([0, 1, 2, 3, 5, 8, 10, 30, 60, 100, 256, 1024, 3600])),
    "sentence": lambda rng: " ".join(_words(rng, 4, 12)).capitalize(),
    "long": lambda rng: " ".join(_words(rng, 10, 24)).capitalize() + ".",
    "url": lambda rng: (
        f"https://{rng.choice(WORDS)}.{rng.choice(WORDS)}.{rng.choice(TLDS)}/"
        f"{'/'.join(_words(rng))}?{rng.choice(WORDS)}={rng.randint(1, 999)}"
    ),
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128))),
    "sha": lambda rng: _r(rng, HEX, rng.choice([40, 64])),
    "b64": lambda rng: base64.b64encode(rng.randbytes(rng.randint(24, 300))).decode(),
    "ver": lambda rng: f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
    "ip": lambda rng: f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    "path": lambda rng: "/" + "/".join(_words(rng, 2, 4)),
    "email": lambda rng: f"{rng.choice(WORDS)}@{rng.choice(WORDS)}.example.com",
    "date": lambda rng: f"20{rng.randint(18, 26)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}",
}
_PLACEHOLDER = re.compile(r"<<(\w+)>>")


def fill(rng: Rng, template: str) -> str:
    return _PLACEHOLDER.sub(lambda m: FILL[m.group(1)](rng), template)


# -- languages: a header, blocks of code, and how a value is assigned ------------------------


@dataclass(frozen=True, slots=True)
class Language:
    ext: str
    header: str
    blocks: tuple[str, ...]
    assign: str  # {key} {value}: one line that sets a value, as this language writes it
    share: float  # of the generated bytes
    # Blocks with hashes and base64 (fixtures, checksums, bundles): 1 block in RARE_EVERY.
    rare: tuple[str, ...] = ()


RARE_EVERY = 80


PYTHON = Language(
    ".py",
    '"""<<long>>"""\n\nfrom __future__ import annotations\n\nimport logging\nimport os\n'
    "from dataclasses import dataclass\n\nfrom <<id>>.<<id>> import <<Id>>, <<id>>\n\n"
    'log = logging.getLogger(__name__)\n<<ID>> = os.environ.get("<<ID>>", "<<word>>")\n',
    (
        'def <<id>>(<<id>>, <<id>>=None, *, <<id>>: int = <<num>>):\n    """<<sentence>>."""\n'
        '    <<id>> = <<id>>.get("<<id>>", <<num>>)\n    if <<id>> is None:\n'
        '        raise ValueError(f"<<sentence>>: {<<id>>!r}")\n    for <<id>> in <<id>>:\n'
        "        <<id>>.append(<<id>>(<<id>>, timeout=<<num>>))\n"
        '    log.info("<<sentence>> %s", <<id>>)\n    return <<id>>\n',
        "@dataclass(frozen=True)\nclass <<Id>>:\n    <<id>>: str\n    <<id>>: int = <<num>>\n"
        '    <<id>>: str = "<<url>>"\n\n    def <<id>>(self) -> dict[str, object]:\n'
        '        # <<long>>\n        return {"<<id>>": self.<<id>>, "<<id>>": "<<uuid>>"}\n',
        'class <<Id>>(<<Id>>):\n    <<ID>> = "<<sentence>>"\n\n'
        "    def __init__(self, <<id>>, <<id>>=<<num>>):\n        super().__init__()\n"
        "        self._<<id>> = <<id>>\n        self._<<id>> = {}\n"
        '        self.<<id>>_key = f"<<word>>:{<<id>>}"\n\n'
        "    def <<id>>(self, <<id>>):\n        try:\n            return self._<<id>>[<<id>>]\n"
        "        except KeyError:\n"
        '            log.warning("<<long>>")\n            return None\n',
        '<<ID>> = {\n    "<<id>>": "<<ver>>",\n    "<<id>>": "<<url>>",\n    "<<id>>": <<num>>,\n'
        '    "<<id>>": "<<long>>",\n}\n',
        'def test_<<id>>(<<id>>, tmp_path):\n    <<id>> = <<Id>>(<<id>>="<<word>>")\n'
        '    assert <<id>>.<<id>>() == <<num>>\n    assert "<<word>>" in <<id>>.<<id>>\n',
    ),
    '{key} = "{value}"',
    0.25,
    ('<<ID>> = {\n    "<<id>>": "<<sha>>",\n    "<<id>>": "<<url>>",\n}\n',),
)

JS = Language(
    ".js",
    "'use strict';\n\nconst <<camel>> = require('<<word>>');\nconst { <<camel>>, <<camel>> } = "
    "require('./<<word>>');\n\n// <<long>>\n",
    (
        "async function <<camel>>(<<camel>>, options = {}) {\n  const <<camel>> = await "
        "fetch(`<<url>>&id=${<<camel>>}`, { method: 'POST', headers: { 'Content-Type': "
        "'application/json' } });\n  if (!<<camel>>.ok) {\n    throw new Error('<<sentence>>');\n"
        "  }\n  return <<camel>>.json();\n}\n",
        "export class <<Id>> extends <<Id>> {\n  constructor(<<camel>>) {\n    super();\n"
        "    this.<<camel>> = <<camel>>;\n    this.<<camel>>Key = '<<word>>:' + <<camel>>;\n  }\n\n"
        "  <<camel>>(<<camel>>) {\n    // <<long>>\n    return this.<<camel>>.filter((x) => "
        "x.<<camel>> > <<num>>).map((x) => x.<<camel>>);\n  }\n}\n",
        "const <<ID>> = {\n  <<camel>>: '<<uuid>>',\n  <<camel>>: '<<url>>',\n  <<camel>>: <<num>>,"
        '\n  <<camel>>: "<<long>>",\n};\n',
        "describe('<<sentence>>', () => {\n  it('<<sentence>>', async () => {\n"
        "    const <<camel>> = await <<camel>>('<<word>>');\n"
        "    expect(<<camel>>.<<camel>>).toEqual('<<word>>');\n  });\n});\n",
    ),
    "const {key} = '{value}';",
    0.12,
    (
        "describe('<<sentence>>', () => {\n  it('<<sentence>>', () => {\n"
        "    expect(<<camel>>('<<b64>>')).toEqual('<<sha>>');\n  });\n});\n",
    ),
)

TS = Language(
    ".ts",
    "import { <<Id>>, <<Id>> } from './<<word>>';\n"
    "import type { <<Id>> } from '@<<word>>/<<word>>';\n\n/** <<long>> */\n",
    (
        "export interface <<Id>> {\n  <<camel>>: string;\n  <<camel>>?: number;\n"
        "  <<camel>>: <<Id>>[];\n}\n",
        "export async function <<camel>>(<<camel>>: <<Id>>): Promise<<<Id>>> {\n"
        "  const <<camel>> = new URL('<<url>>');\n  <<camel>>.searchParams.set('<<word>>', "
        "<<camel>>.<<camel>>);\n  // <<long>>\n  return (await fetch(<<camel>>)).json();\n}\n",
        "export const <<camel>>: Record<string, string> = {\n  '<<word>>': '<<ver>>',\n"
        "  '<<word>>': '<<uuid>>',\n};\n",
    ),
    "export const {key}: string = '{value}';",
    0.08,
    ("export const <<camel>>Digest = '<<sha>>';\n",),
)

GO = Language(
    ".go",
    '// Package <<word>> <<long>>\npackage <<word>>\n\nimport (\n\t"context"\n\t"fmt"\n'
    '\t"net/http"\n\t"time"\n)\n',
    (
        '// <<Id>> <<long>>\ntype <<Id>> struct {\n\t<<Id>> string `json:"<<id>>"`\n'
        '\t<<Id>> int    `json:"<<id>>,omitempty"`\n\t<<Id>> time.Duration\n}\n',
        "func (s *<<Id>>) <<Id>>(ctx context.Context, <<camel>> string) (*<<Id>>, error) {\n"
        '\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, "<<url>>", nil)\n'
        '\tif err != nil {\n\t\treturn nil, fmt.Errorf("<<sentence>>: %w", err)\n\t}\n'
        "\tfor i := 0; i < <<num>>; i++ {\n\t\ts.<<camel>>[<<camel>>] = i\n\t}\n"
        '\treturn &<<Id>>{<<Id>>: "<<uuid>>"}, nil\n}\n',
        'var <<camel>> = map[string]string{\n\t"<<id>>": "<<ver>>",\n\t"<<id>>": "<<url>>",\n}\n',
    ),
    '\t{key} := "{value}"',
    0.12,
    ('const <<camel>>Sum = "<<sha>>"\n',),
)

JAVA = Language(
    ".java",
    "package com.<<word>>.<<word>>;\n\nimport java.util.List;\nimport java.util.Map;\n"
    "import org.slf4j.Logger;\n\n/** <<long>> */\n",
    (
        "public class <<Id>> implements <<Id>> {\n  private static final String <<ID>> = "
        '"<<url>>";\n  private final Map<String, <<Id>>> <<camel>>;\n\n'
        "  public <<Id>>(Map<String, <<Id>>> <<camel>>) {\n    this.<<camel>> = <<camel>>;\n  }\n\n"
        "  @Override\n  public List<<<Id>>> <<camel>>(String <<camel>>) {\n"
        "    // <<long>>\n    return <<camel>>.values().stream()"
        ".filter(x -> x.<<camel>>() > <<num>>).toList();\n  }\n}\n",
        "  public String <<camel>>(final String <<camel>>) {\n    if (<<camel>> == null) {\n"
        '      throw new IllegalArgumentException("<<sentence>>");\n    }\n'
        '    return String.format("%s-%s", <<camel>>, "<<uuid>>");\n  }\n',
    ),
    '  private static final String {key} = "{value}";',
    0.11,
)

YAML = Language(
    ".yaml",
    "# <<long>>\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: <<word>>-<<word>>\n",
    (
        "spec:\n  replicas: <<num>>\n  template:\n    spec:\n      containers:\n"
        "        - name: <<word>>\n          image: registry.example.com/<<word>>:<<ver>>\n"
        '          env:\n            - name: <<ID>>\n              value: "<<url>>"\n'
        "            - name: <<ID>>\n              valueFrom:\n                secretKeyRef:\n"
        "                  name: <<word>>\n                  key: <<word>>\n",
        '<<id>>:\n  <<id>>: <<word>>\n  <<id>>: <<num>>\n  <<id>>: "<<sentence>>"\n',
        "jobs:\n  <<word>>:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: make <<word>> VERSION=<<ver>>\n",
    ),
    "{key}: {value}",
    0.08,
    ("<<id>>:\n  checksum: <<sha>>\n  ca_bundle: <<b64>>\n",),
)

JSON = Language(".json", "", (), '  "{key}": "{value}",', 0.10)

TERRAFORM = Language(
    ".tf",
    '# <<long>>\nterraform {\n  required_version = ">= 1.5"\n}\n',
    (
        'resource "aws_s3_bucket" "<<id>>" {\n  bucket = "<<word>>-<<word>>-<<num>>"\n'
        '  tags = {\n    Team = "<<word>>"\n    CostCenter = "<<num>>"\n  }\n}\n',
        'variable "<<id>>" {\n  type        = string\n  description = "<<sentence>>"\n'
        '  default     = "<<word>>"\n}\n',
        'module "<<id>>" {\n  source  = "git::<<url>>"\n  version = "<<ver>>"\n'
        '  subnet  = "<<ip>>/24"\n}\n',
    ),
    '  {key} = "{value}"',
    0.04,
)

MARKDOWN = Language(
    ".md",
    "# <<Id>>\n\n<<long>>\n",
    (
        "## <<sentence>>\n\n<<long>> <<long>>\n\n- <<sentence>>\n"
        "- <<sentence>> ([docs](<<url>>))\n",
        "```sh\ncurl -s <<url>> | jq '.<<id>>'\nexport <<ID>>=<<word>>\n```\n\n<<long>>\n",
    ),
    '    export {key}="{value}"',
    0.06,
)

DOTENV = Language(
    ".env",
    "# <<sentence>>\n",
    ("<<ID>>=<<word>>\n<<ID>>=<<url>>\n<<ID>>=<<num>>\n",),
    "{key}={value}",
    0.02,
)

INI = Language(
    ".ini",
    "; <<sentence>>\n",
    ("[<<id>>]\n<<id>> = <<word>>\n<<id>> = <<url>>\n<<id>> = <<num>>\n\n",),
    "{key} = {value}",
    0.02,
)

LANGUAGES = (PYTHON, JS, TS, GO, JAVA, YAML, JSON, TERRAFORM, MARKDOWN, DOTENV, INI)


JSON_KINDS = ("uuid", "url", "sentence", "num", "word", "date", "email", "ver", "sha", "b64")
JSON_WEIGHTS = (3, 3, 4, 4, 6, 2, 2, 2, 0.1, 0.1)


def _json_value(rng: Rng, depth: int) -> object:
    roll = rng.random()
    if depth < 3 and roll < 0.25:
        return {FILL["camel"](rng): _json_value(rng, depth + 1) for _ in range(rng.randint(2, 6))}
    if depth < 3 and roll < 0.35:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(1, 4))]
    kind = rng.choices(JSON_KINDS, JSON_WEIGHTS)[0]
    value = FILL[kind](rng)
    return int(value) if kind == "num" else value


def block(rng: Rng, language: Language) -> str:
    """About 0.3 to 1 KB of code in the language."""
    if language is JSON:
        key = FILL["camel"](rng)
        return json.dumps({key: _json_value(rng, 0)}, indent=2)[2:-2] + ",\n"
    if language.rare and rng.randrange(RARE_EVERY) == 0:
        return fill(rng, rng.choice(language.rare))
    return fill(rng, rng.choice(language.blocks))


def source_file(rng: Rng, language: Language, size: int) -> list[str]:
    """A file of about ``size`` bytes, as lines."""
    parts = ["{\n"] if language is JSON else [fill(rng, language.header)]
    total = len(parts[0])
    while total < size:
        parts.append("\n" + block(rng, language))
        total += len(parts[-1])
    if language is JSON:
        parts.append('  "_": null\n}\n')
    return "".join(parts).splitlines()


# -- planted secrets ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planted:
    """Lines holding a secret, put in a file. Found when a detector reports, at ``path``, one of
    ``secrets`` (what detectors report for it: the value, or the part of it they match)."""

    kind: str
    path: str
    lines: tuple[str, ...]
    secrets: tuple[str, ...]

    def hashes(self) -> set[str]:
        return {hashlib.sha256(s.encode()).hexdigest() for s in self.secrets}


def _aws_pair(rng: Rng, lang: Language) -> tuple[tuple[str, ...], tuple[str, ...]]:
    key_id = "AKIA" + _r(rng, string.ascii_uppercase + "234567", 16)
    secret = _r(rng, ALNUM + "/+", 40)
    lines = (
        lang.assign.format(key="aws_access_key_id", value=key_id),
        lang.assign.format(key="aws_secret_access_key", value=secret),
    )
    return lines, (key_id, secret)


def _private_key(rng: Rng, lang: Language) -> tuple[tuple[str, ...], tuple[str, ...]]:
    kind = rng.choice(["RSA ", "OPENSSH ", "EC ", ""])
    body = [_r(rng, ALNUM + "+/", 64) for _ in range(rng.randint(8, 25))]
    block = (f"-----BEGIN {kind}PRIVATE KEY-----", *body, f"-----END {kind}PRIVATE KEY-----")
    return block, (f"BEGIN {kind}PRIVATE KEY", "\n".join(block), "\n".join(block) + "\n")


def _db_url(rng: Rng, lang: Language) -> tuple[tuple[str, ...], tuple[str, ...]]:
    password = _r(rng, ALNUM, rng.randint(12, 24))
    scheme = rng.choice(["postgres", "postgresql", "mysql", "mongodb"])
    url = f"{scheme}://app_{rng.choice(WORDS)}:{password}@db-{rng.randint(1, 9)}.internal:5432/app"
    return (lang.assign.format(key="database_url", value=url),), (password, url)


def _token_kind(
    key: str, make: Callable[[Rng], str]
) -> Callable[[Rng, Language], tuple[tuple[str, ...], tuple[str, ...]]]:
    def plant(rng: Rng, lang: Language) -> tuple[tuple[str, ...], tuple[str, ...]]:
        value = make(rng)
        return (lang.assign.format(key=key, value=value),), (value,)

    return plant


def _npm(rng: Rng, lang: Language) -> tuple[tuple[str, ...], tuple[str, ...]]:
    token = "npm_" + _r(rng, ALNUM, 36)
    return (f"//registry.npmjs.org/:_authToken={token}",), (token,)


PLANTS: dict[str, Callable[[Rng, Language], tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "aws-key-pair": _aws_pair,
    "private-key": _private_key,
    "db-url-password": _db_url,
    "github-token": _token_kind("github_token", lambda rng: "ghp_" + _r(rng, ALNUM, 36)),
    "gitlab-token": _token_kind("gitlab_token", lambda rng: "glpat-" + _r(rng, ALNUM + "_-", 20)),
    "slack-token": _token_kind(
        "slack_bot_token",
        lambda rng: (
            f"xoxb-{rng.randrange(10**11, 10**12)}-{rng.randrange(10**11, 10**12)}-"
            + _r(rng, ALNUM, 24)
        ),
    ),
    "stripe-key": _token_kind("stripe_api_key", lambda rng: "sk_live_" + _r(rng, ALNUM, 24)),
    "sendgrid-key": _token_kind(
        "sendgrid_api_key", lambda rng: f"SG.{_r(rng, ALNUM, 22)}.{_r(rng, ALNUM, 43)}"
    ),
    # keyword plugins want the value to start with a word character
    "password": _token_kind(
        "db_password", lambda rng: _r(rng, ALNUM, 1) + _r(rng, ALNUM + "!#%*", 17)
    ),
    "npm-token": _npm,
}


def plant(rng: Rng, path: str, lang: Language, kind: str | None = None) -> Planted:
    kind = kind or rng.choice(list(PLANTS))
    lines, secrets = PLANTS[kind](rng, lang)
    return Planted(kind=kind, path=path, lines=lines, secrets=secrets)


# What detect-secrets names each kind (nhiscan lists these among a match's detectors).
KIND_DETECTORS = {
    "aws-key-pair": ("AWS Access Key",),
    "private-key": ("Private Key",),
    "db-url-password": ("Basic Auth Credentials",),
    "github-token": ("GitHub Token",),
    "gitlab-token": ("GitLab Token",),
    "slack-token": ("Slack Token",),
    "stripe-key": ("Stripe Access Key",),
    "sendgrid-key": ("SendGrid API Key",),
    "password": ("Secret Keyword",),
    "npm-token": ("NPM tokens",),
}


def planted_json(planted: list[Planted]) -> list[dict[str, object]]:
    """For the work directory: kinds, paths, hashes, detectors; never the secrets themselves."""
    return [
        {"kind": p.kind, "path": p.path, "hashes": sorted(p.hashes()),
         "detectors": KIND_DETECTORS[p.kind]}
        for p in planted
    ]  # fmt: skip


# -- a working tree ---------------------------------------------------------------------------


def _tree_paths(rng: Rng, size: int) -> Iterator[tuple[str, Language, int]]:
    services = [f"{rng.choice(WORDS)}-{rng.choice(WORDS)}" for _ in range(12)]
    weights = [lang.share for lang in LANGUAGES]
    total = 0
    n = 0
    while total < size:
        lang = rng.choices(LANGUAGES, weights)[0]
        target = int(min(120_000, rng.lognormvariate(9.3, 0.8)))  # median ~11 KB
        folder = {".md": "docs", ".yaml": "deploy", ".tf": "infra", ".env": "config"}.get(
            lang.ext, "src"
        )
        name = "_".join(rng.sample(WORDS, 2)) + f"_{n}{lang.ext}"
        yield f"services/{rng.choice(services)}/{folder}/{name}", lang, target
        total += target
        n += 1


def build_tree(dest: Path, size: int, seed: int, every: int = 200_000) -> list[Planted]:
    """About ``size`` bytes of generated source under ``dest``, one planted secret per
    ``every`` bytes. Returns what was planted, with paths relative to ``dest``'s parent (the
    root of the scanned tree)."""
    rng = random.Random(seed)
    files = [
        (path, lang, source_file(rng, lang, target))
        for path, lang, target in _tree_paths(rng, size)
    ]
    sizes = [sum(map(len, lines)) for _, _, lines in files]
    planted: list[Planted] = []
    for _ in range(max(1, size // every)):
        index = rng.choices(range(len(files)), sizes)[0]
        path, lang, lines = files[index]
        item = plant(rng, f"{dest.name}/{path}", lang)
        at = rng.randint(0, len(lines))
        lines[at:at] = item.lines
        planted.append(item)
    for path, _, lines in files:
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n")
    return planted


# -- a long history, through git fast-import --------------------------------------------------


def edit(rng: Rng, lines: list[str], lang: Language, limit: int) -> list[str]:
    """A new version of a file: 1 to 3 hunks that change, add or remove some lines."""
    lines = list(lines)
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(lines))
        new = block(rng, lang).splitlines()[: rng.randint(1, 12)]
        roll = rng.random()
        if roll < 0.35 or sum(map(len, lines)) > limit:
            del lines[at : at + rng.randint(1, 10)]
        if roll < 0.7:
            lines[at:at] = new
        else:
            lines[at : at + len(new) // 2] = new
    return lines


@dataclass(slots=True)
class _File:
    lines: list[str]
    mark: int
    lang: Language
    limit: int


@dataclass(slots=True)
class _Branch:
    name: str
    files: dict[str, _File]
    tip: int = 0  # mark of the last commit
    touched: set[str] = field(default_factory=set)  # since the fork, for the merge
    left: int = 0  # commits still to make (feature branches)
    base: int = 0  # the commit a feature branch forks from, until its first commit


@dataclass(slots=True)
class HistoryStats:
    commits: int = 0
    blobs: int = 0
    blob_bytes: int = 0
    branches: int = 1
    merges: int = 0
    renames: int = 0
    planted: list[Planted] = field(default_factory=list)


class FastImport:
    """Writes ``git fast-import`` commands to a stream: blobs, commits, resets."""

    def __init__(self, out: IO[bytes], stats: HistoryStats) -> None:
        self.out = out
        self.stats = stats
        self.marks = 0
        self.time = 1_546_300_800  # 2019-01-01

    def blob(self, lines: list[str]) -> int:
        data = ("\n".join(lines) + "\n").encode()
        self.marks += 1
        self.out.write(b"blob\nmark :%d\ndata %d\n%s\n" % (self.marks, len(data), data))
        self.stats.blobs += 1
        self.stats.blob_bytes += len(data)
        return self.marks

    def commit(self, rng: Rng, branch: _Branch, changes: list[bytes], **parents: int) -> int:
        self.marks += 1
        self.time += rng.randint(300, 9000)
        who = rng.choice(AUTHORS).encode()
        message = fill(rng, "<<sentence>>\n\n<<long>>\n").encode()
        head = b"commit refs/heads/%s\nmark :%d\n" % (branch.name.encode(), self.marks)
        head += b"author %s %d +0000\ncommitter %s %d +0000\n" % (who, self.time, who, self.time)
        head += b"data %d\n%s" % (len(message), message)
        for kind, mark in parents.items():
            head += b"%s :%d\n" % (kind.encode(), mark)
        self.out.write(head + b"".join(changes) + b"\n")
        branch.tip = self.marks
        self.stats.commits += 1
        return self.marks


def _modify(path: str, mark: int) -> bytes:
    return b"M 100644 :%d %s\n" % (mark, path.encode())


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryPlan:
    seed: int = 7
    commits: int = 20_000  # at least
    min_bytes: int = 4 * 1024**3  # of blob content written, at least (all versions distinct)
    files: int = 300  # the working set at the start
    sizes: tuple[int, int] = (25_000, 320_000)  # file sizes, log-uniform
    feature_every: int = 2_500  # commits between two feature branches
    plants: int = 12


class _History:
    def __init__(self, rng: Rng, out: FastImport, plan: HistoryPlan) -> None:
        self.rng, self.out, self.plan = rng, out, plan
        self.main = _Branch("main", {})
        self.features: list[_Branch] = []
        self.active: list[tuple[Planted, int]] = []  # planted on main, commit to remove it at
        span = range(plan.commits // 20, plan.commits * 9 // 10)
        self.plant_at = dict.fromkeys(sorted(rng.sample(span, plan.plants)), True)
        self.feature_at = set(range(plan.feature_every // 2, plan.commits, plan.feature_every))

    def _new_file(self) -> tuple[str, _File]:
        rng = self.rng
        lang = rng.choices(LANGUAGES, [lang.share for lang in LANGUAGES])[0]
        lo, hi = self.plan.sizes
        size = int(lo * (hi / lo) ** rng.random())
        folder = rng.choice(["src", "lib", "pkg", "internal", "app", "config", "docs"])
        path = f"{folder}/{rng.choice(WORDS)}/{'_'.join(rng.sample(WORDS, 2))}{lang.ext}"
        lines = source_file(rng, lang, size)
        return path, _File(lines, self.out.blob(lines), lang, int(size * 1.3))

    def initial(self) -> None:
        changes = []
        while len(self.main.files) < self.plan.files:
            path, item = self._new_file()
            self.main.files[path] = item
            changes.append(_modify(path, item.mark))
        self.out.commit(self.rng, self.main, changes)

    def _edit(self, branch: _Branch, path: str, insert: tuple[str, ...] = ()) -> bytes:
        item = branch.files[path]
        lines = edit(self.rng, item.lines, item.lang, item.limit)
        if insert:
            at = self.rng.randint(0, len(lines))
            lines[at:at] = insert
        branch.files[path] = _File(lines, self.out.blob(lines), item.lang, item.limit)
        branch.touched.add(path)
        return _modify(path, branch.files[path].mark)

    def _remove(self, planted: Planted) -> bytes | None:
        item = self.main.files.get(planted.path)
        if item is None or planted.lines[0] not in item.lines:
            return None
        lines = [line for line in item.lines if line not in planted.lines]
        self.main.files[planted.path] = _File(lines, self.out.blob(lines), item.lang, item.limit)
        return _modify(planted.path, self.main.files[planted.path].mark)

    def _structural(self, changes: list[bytes]) -> None:
        """On main, now and then: a new file, a rename, a deletion."""
        rng, files = self.rng, self.main.files
        roll = rng.random()
        busy = {planted.path for planted, _ in self.active}
        if roll < 0.01:
            path, item = self._new_file()
            if path not in files:
                files[path] = item
                changes.append(_modify(path, item.mark))
        elif roll < 0.014:
            old = rng.choice(list(files))
            new = f"{old.rsplit('/', 1)[0]}/{'_'.join(rng.sample(WORDS, 2))}{files[old].lang.ext}"
            if old not in busy and new not in files:
                files[new] = files.pop(old)
                changes.append(b"R %s %s\n" % (old.encode(), new.encode()))
                self.out.stats.renames += 1
        elif roll < 0.016 and len(files) > self.plan.files // 2:
            old = rng.choice(list(files))
            if old not in busy:
                del files[old]
                changes.append(b"D %s\n" % old.encode())

    def step(self, n: int) -> None:
        rng = self.rng
        if n in self.feature_at:
            name = f"feature/{rng.choice(WORDS)}-{n}"
            self.features.append(
                _Branch(name, dict(self.main.files), left=rng.randint(80, 600), base=self.main.tip)
            )
            self.out.stats.branches += 1
        live = [b for b in self.features if b.left > 0]
        branch = rng.choice(live) if live and rng.random() < 0.25 else self.main
        paths = rng.sample(list(branch.files), rng.choice([1, 2, 2, 3]))
        changes = [self._edit(branch, path) for path in paths[1:]]
        insert: tuple[str, ...] = ()
        if self.plant_at.pop(n, False):
            planted = plant(rng, paths[0], branch.files[paths[0]].lang)
            self.out.stats.planted.append(planted)
            insert = planted.lines
            if branch is self.main:
                self.active.append((planted, n + rng.randint(30, 1500)))
        changes.append(self._edit(branch, paths[0], insert))
        if branch is self.main:
            changes.extend(self._removals(n))
            self._structural(changes)
        parents = {"from": branch.base} if branch.base else {}
        branch.base = 0
        self.out.commit(rng, branch, changes, **parents)
        if branch is not self.main:
            branch.left -= 1
            if branch.left == 0 and rng.random() < 0.6:
                self._merge(branch)

    def _removals(self, n: int) -> list[bytes]:
        due = [item for item in self.active if item[1] <= n]
        self.active = [item for item in self.active if item[1] > n]
        return [change for planted, _ in due if (change := self._remove(planted)) is not None]

    def _merge(self, feature: _Branch) -> None:
        changes = []
        for path in sorted(feature.touched):
            self.main.files[path] = feature.files[path]
            changes.append(_modify(path, feature.files[path].mark))
        self.out.commit(self.rng, self.main, changes, merge=feature.tip)
        self.out.stats.merges += 1

    def run(self, progress: Callable[[HistoryStats], None] | None = None) -> None:
        self.initial()
        n = 1
        stats = self.out.stats
        while n < self.plan.commits or stats.blob_bytes < self.plan.min_bytes:
            self.step(n)
            n += 1
            if progress is not None and n % 1000 == 0:
                progress(stats)


def write_history(
    repo: Path, plan: HistoryPlan, progress: Callable[[HistoryStats], None] | None = None
) -> HistoryStats:
    """A new repository at ``repo`` with ``plan``'s history, checked out at main."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stats = HistoryStats()
    # No deltas against the previous blob (another file, nearly always) and light compression:
    # fast-import then keeps up with the generator (the pack is ~40% of the content).
    command = ["git", "-C", str(repo), "-c", "pack.compression=1", "fast-import", "--quiet"]
    command.append("--depth=0")
    with subprocess.Popen(command, stdin=subprocess.PIPE, bufsize=1 << 20) as proc:
        assert proc.stdin is not None
        _History(random.Random(plan.seed), FastImport(proc.stdin, stats), plan).run(progress)
        proc.stdin.close()
    if proc.returncode != 0:
        raise RuntimeError(f"git fast-import failed with exit code {proc.returncode}")
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"], check=True)
    return stats


def git_blob_stats(repo: Path) -> tuple[int, int]:
    """(distinct blobs, their total size in bytes) in the repository's object store."""
    check = "--batch-check=%(objecttype) %(objectsize)"
    command = ["git", "-C", str(repo), "cat-file", "--batch-all-objects", check]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    pairs = (line.split() for line in out.splitlines())
    sizes = [int(size) for kind, size in pairs if kind == "blob"]
    return len(sizes), sum(sizes)


# -- a repository with staged changes ---------------------------------------------------------


def write_staged_repo(repo: Path, *, files: int = 2_000, staged: int = 3, seed: int = 5) -> int:
    """A repository with ``files`` committed source files, then ``staged`` of them changed
    (one with a planted secret) and staged. Returns the bytes committed."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    paths: list[tuple[str, Language]] = []
    total = 0
    for path, lang, target in _tree_paths(rng, files * 6_000):
        if len(paths) == files:
            break
        text = "\n".join(source_file(rng, lang, min(target, 30_000))) + "\n"
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
        paths.append((path, lang))
        total += len(text)
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "initial"], check=True)
    changed = rng.sample(paths, staged)
    for n, (path, lang) in enumerate(changed):
        lines = (repo / path).read_text().splitlines()
        lines = edit(rng, lines, lang, limit=10**9)
        if n == 0:
            lines.extend(plant(rng, path, lang, "github-token").lines)
        (repo / path).write_text("\n".join(lines) + "\n")
    subprocess.run([*git, "add", "--", *(path for path, _ in changed)], check=True)
    return total


# -- running nhiscan, measuring -----------------------------------------------------------------

HERE = Path(__file__).resolve().parent


def _tree_rss(root: int) -> tuple[int, int]:
    """Resident bytes of ``root`` and all its descendants (Linux /proc): all of it, and the
    anonymous part (without file pages such as git's mapped pack files, which are shared with
    the page cache and reclaimable)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    rss = anon = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, ()))
        try:
            status = (Path("/proc") / str(pid) / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        rss += int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
        anon += int(fields.get("RssAnon", "0 kB").split()[0]) * 1024
    return rss, anon


def run_measured(args: list[str], log: Path) -> dict[str, Any]:
    """``python bench/measure.py nhiscan ARGS`` (seconds and the main process's peak RSS, as
    the other benchmarks measure), plus ``peak_tree_mb`` and ``peak_tree_anon_mb``: the peaks
    of the summed RSS (all, anonymous) of the process and its children (scanning workers, git),
    sampled every 0.1 s. stderr goes to ``log``."""
    command = [sys.executable, str(HERE / "measure.py"), "nhiscan", *args]
    peak = peak_anon = 0
    with log.open("wb") as err:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_anon
            while not done.wait(0.1):
                rss, anon = _tree_rss(proc.pid)
                peak, peak_anon = max(peak, rss), max(peak_anon, anon)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, _ = proc.communicate()
        done.set()
        sampler.join()
    if not out.strip():
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"nhiscan {' '.join(args)} failed:\n{tail}")
    figures: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    figures["peak_tree_mb"] = round(peak / 2**20, 1)
    figures["peak_tree_anon_mb"] = round(peak_anon / 2**20, 1)
    return figures


def report_locations(report: dict[str, Any]) -> set[tuple[str, int]]:
    """(path, line) of every exposure in a report.json, with all its other locations."""
    found: set[tuple[str, int]] = set()
    for exposure in report.get("exposures", ()):
        if exposure.get("path") is not None and exposure.get("line") is not None:
            found.add((exposure["path"], int(exposure["line"])))
        for location in exposure.get("locations") or ():
            path, _, line = str(location).rpartition(":")
            if path and line.isdigit():
                found.add((path, int(line)))
    return found


FOUND, BY_LOCATION, MISSING = "found", "by location only", "missing"


def planted_found(report: dict[str, Any], planted: list[dict[str, Any]]) -> list[str]:
    """For each planted secret (as ``planted_json`` wrote it): FOUND when one of its hashes is
    reported at its path (the path matters: every RSA key's header hashes the same);
    BY_LOCATION when a detector of its kind reports something else there (a part of it);
    else MISSING."""
    hashes: dict[str, set[str]] = {}  # path -> secret hashes reported there
    kinds: dict[str, set[str]] = {}  # path -> detectors reporting there
    for exposure in report.get("exposures", ()):
        paths = {str(exposure.get("path"))} | {
            str(loc).rpartition(":")[0] for loc in exposure.get("locations") or ()
        }
        for path in paths:
            hashes.setdefault(path, set()).add(exposure["secret_hash"])
            kinds.setdefault(path, set()).update(exposure.get("detectors") or ())
    status = []
    for item in planted:
        if hashes.get(item["path"], set()) & set(item["hashes"]):
            status.append(FOUND)
        elif kinds.get(item["path"], set()) & set(item["detectors"]):
            status.append(BY_LOCATION)
        else:
            status.append(MISSING)
    return status


def main() -> None:
    """A small sample tree, to look at: python bench/secrets_corpus.py DIR"""
    if len(sys.argv) != 2:
        raise SystemExit("usage: python bench/secrets_corpus.py DIR")
    dest = Path(sys.argv[1])
    planted = build_tree(dest, 2_000_000, seed=1)
    print(f"wrote 2 MB of generated source to {dest}, {len(planted)} planted secrets")


if __name__ == "__main__":
    main()
