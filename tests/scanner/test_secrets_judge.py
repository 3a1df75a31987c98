"""Judging found passwords and keys (scanner/secrets_judge.py): every judgement with examples it
must affect and twins it must not, and the whole path from a file's bytes to NHI200's severity
and the reason it shows."""

from __future__ import annotations

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


def _url(user: str = "billing", password: str = REAL, host: str = "db") -> Case:
    return Case(f"DATABASE_URL=postgresql://{user}:{password}@{host}:5432/billing", password)


def _keyword(password: str, path: str = PROD) -> Case:
    return Case(f'password = "{password}"', password, path, "Secret Keyword")


def _ds(detector: str, secret: str) -> Case:
    return Case(f'KEY = "{secret}"', secret, detector=detector)


# judgement -> (examples it must affect, twins it must not)
EXAMPLES: dict[str, tuple[list[Case], list[Case]]] = {
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
        ],
        [
            _ds("AWS Access Key", "Hq3vZ8rT1mK5nW2pX7yL4cB9dF6gJ0sA3eR8tU5i"),  # a secret key
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
        ],
        [_url(), _url(password="Passw7Kq2Lm9Zp4R"), _keyword("h3Rt9sLq2VbXw8Ne")],
    ),
    "user-as-password": (
        [Case("amqp://rabbit:rabbit@mq:5672/", "rabbit", detector="Basic Auth Credentials")],
        [
            Case(
                "amqp://rabbit:Rb7Kq2Lm9Zp4@mq:5672/",
                "Rb7Kq2Lm9Zp4",
                detector="Basic Auth Credentials",
            )
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
    (traced,) = with_traits([found], [case.line])
    return judged(case.detector, severity_of(case.detector), traced.traits, paths or [case.path])


def test_every_judgement_has_examples_and_twins_and_a_known_trait() -> None:
    assert {j.name for j in JUDGEMENTS} == EXAMPLES.keys()
    known = {t.name for t in TRAITS} | PATH_TRAITS.keys()
    known |= {"failed-format-check", "masked-value", "documented-example", "encoded-file"}
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
            "tests/test_engine.py": 'URL = "postgresql://scott:tiger@localhost/test"\n',
            "deploy/app.env": f"DATABASE_URL=postgresql://billing:{REAL}@db:5432/billing\n",
            "docs/install.rst": "   mysql://root:${MYSQL_PASSWORD}@db/app\n",
        }
    )
    by_path = {f.evidence["exposures"][0]["path"]: f for f in findings}
    assert "docs/install.rst" not in by_path  # a template is no credential: dropped
    shipped = by_path["deploy/app.env"]
    assert shipped.severity is Severity.HIGH and "judged" not in shipped.evidence
    sample = by_path["tests/test_engine.py"]
    assert sample.severity is Severity.LOW
    assert {"placeholder-password", "placeholder-user", "loopback-host", "sample-password"} <= set(
        sample.evidence["judged"]
    )
    assert "placeholder" in sample.evidence["judged_because"]
    assert "Judged low: placeholder-password" in sample.title


def test_a_shared_password_is_judged_too() -> None:
    def shared(*traits: str) -> list[Severity]:
        found = [
            replace(exposure(REAL, repository=r), detector="Database URL Password", traits=traits)
            for r in ("r1", "r2")
        ]
        return [f.severity for f in SharedSecret().evaluate(estate(*found), context())]

    assert shared() == [Severity.MEDIUM]
    assert shared("placeholder-password") == [Severity.LOW]
    assert shared("template-password") == []
