"""The platform detectors (detectors/platforms.py) on whole files as they are written: the
structure their validators check (Mapbox's JSON payload, Fly.io's msgpack header, Akamai's
token-shaped host), and the severity their findings get. The line examples of every row are
checked by test_detectors.py and test_eval_corpus.py."""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from nhiscan.connectors.git.secrets.detectors.platforms import PLATFORM_DETECTORS
from nhiscan.connectors.git.secrets.engine import Scanner
from nhiscan.rules.secrets_meta import severity_of
from nhiscan.scanner.model import Severity

RNG = random.Random("platforms")
LOWER36 = string.ascii_lowercase + string.digits


def _s(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def _found(scanner: Scanner, text: str, path: str) -> list[tuple[str, str]]:
    return [(m.detector, m.secret) for m in scanner.scan(text.encode(), path).matches]


def test_an_edgerc_reports_its_tokens_not_its_host(scanner: Scanner) -> None:
    client = f"akab-{_s(LOWER36, 16)}-{_s(LOWER36, 16)}"
    access = f"akab-{_s(LOWER36, 16)}-{_s(LOWER36, 16)}"
    edgerc = (
        "[default]\n"
        f"host = akab-{_s(LOWER36, 28)}-{_s(LOWER36, 16)}.luna.akamaiapis.net\n"
        f"client_token = {client}\n"
        f"access_token = {access}\n"
        "max-body = 131072\n"
    )
    found = [s for d, s in _found(scanner, edgerc, ".edgerc") if d == "Akamai EdgeGrid Token"]
    assert found == [client, access]


def _b64url(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_mapbox_secret_tokens_need_a_json_payload(scanner: Scanner) -> None:
    payload = _b64url({"u": "maps-ci", "a": _s(LOWER36, 20)})
    secret = f"sk.{payload}.{_s(string.ascii_letters, 22)}"
    public = f"pk.{payload}.{_s(string.ascii_letters, 22)}"
    garbled = f"sk.eyJ{_s(string.ascii_letters, 30)}.{_s(string.ascii_letters, 22)}"
    text = f"MAPBOX_SECRET={secret}\nMAPBOX_PUBLIC={public}\nOTHER={garbled}\n"
    mapbox = [s for d, s in _found(scanner, text, ".env") if d == "Mapbox Secret Token"]
    assert mapbox == [secret]


def test_fly_tokens_need_the_macaroon_header(scanner: Scanner) -> None:
    def token(header: bytes) -> str:
        return "fm2_" + base64.b64encode(header + RNG.randbytes(150)).decode()

    good, other = token(b"\x94\x93\xc4\x10"), token(b"\x92\x91\xc4\x10")
    text = f'FLY_API_TOKEN="FlyV1 {good},{other}"\n'
    fly = [s for d, s in _found(scanner, text, ".env") if d == "Fly.io Access Token"]
    assert fly == [good]


def test_crates_io_prefix_inside_a_word_is_no_token(scanner: Scanner) -> None:
    body = _s(string.ascii_letters + string.digits, 31) + "7"
    credentials = f'[registry]\ntoken = "cio{body}"\n'
    prose = f"let spacious{body} = 1;\n"
    assert ("crates.io API Token", f"cio{body}") in _found(scanner, credentials, "credentials")
    assert not any(d == "crates.io API Token" for d, _ in _found(scanner, prose, "lib.rs"))


def test_platform_findings_are_high_but_codecov_upload_tokens() -> None:
    """Codecov's token only uploads coverage: medium, so a gate at high does not stop on it."""
    severities = {d.name: severity_of(d.name) for d in PLATFORM_DETECTORS}
    assert severities.pop("Codecov Upload Token") is Severity.MEDIUM
    assert set(severities.values()) == {Severity.HIGH}
