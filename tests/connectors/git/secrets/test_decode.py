"""Secrets inside encoded values (decode.py) through the whole engine: found on the encoded
value's line with the decoder named, decoded once, bounded."""

from __future__ import annotations

import base64

import pytest

from nhiscan.connectors.git.secrets import decode
from nhiscan.connectors.git.secrets.engine import Scanner
from nhiscan.connectors.git.secrets.match import Match
from tests.connectors.git.secrets.detector_examples import _FAKE_JWT_HS

AWS_KEY = "AKIAZ7VRSQ5DXJQ4YEPX"
GITHUB = "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"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def _scan(scanner: Scanner, text: str, path: str = "secret.yaml") -> list[Match]:
    return list(scanner.scan(text.encode(), path).matches)


def _found(matches: list[Match]) -> set[tuple[int, str, str]]:
    return {(m.line, m.detector, m.secret) for m in matches if m.rank >= 20}


def test_kubernetes_secret_values_are_decoded(scanner: Scanner) -> None:
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ntype: Opaque\ndata:\n"
        f"  token: {_b64(_FAKE_JWT_HS)}\n"
        f"  key: {_b64(AWS_KEY)}\n"
        f"  note: {_b64('nothing secret in this value at all')}\n"
    )
    matches = _scan(scanner, manifest)
    assert _found(matches) == {(7, "Signed JWT", _FAKE_JWT_HS), (8, "AWS Access Key ID", AWS_KEY)}
    for m in matches:
        if m.rank >= 20:
            assert m.detectors[-1] == decode.BASE64  # the report says it was decoded


def test_base64_of_base64_is_decoded_once(scanner: Scanner) -> None:
    once = f"token: {_b64(GITHUB)}\n"
    twice = f"token: {_b64(_b64(GITHUB))}\n"
    assert _found(_scan(scanner, once)) == {(1, "GitHub Classic Token", GITHUB)}
    assert _found(_scan(scanner, twice)) == set()


def test_a_decoded_value_is_never_decoded_again(scanner: Scanner) -> None:
    escaped = GITHUB.replace("_", "\\u005f")
    assert _found(_scan(scanner, f'{{"t": "{escaped}"}}\n', "a.json")) == {
        (1, "GitHub Classic Token", GITHUB)
    }
    nested = f"token: {_b64(escaped)}\n"  # base64 of an escaped token: one layer only
    assert _found(_scan(scanner, nested)) == set()


def test_url_encoded_credentials_are_decoded(scanner: Scanner) -> None:
    line = "DATABASE_URL=postgres%3A%2F%2Fapp%3AQz8vK2pLm4Rt7%40db.internal%2Fprod\n"
    (match,) = [m for m in _scan(scanner, line, ".env") if m.rank >= 20]
    assert (match.detector, match.secret, match.line) == (
        "Database URL Password",
        "Qz8vK2pLm4Rt7",
        1,
    )
    assert decode.URLENCODED in match.detectors


def test_decoding_is_bounded_per_file(scanner: Scanner) -> None:
    value = _b64(GITHUB + " " + "lorem ipsum " * 2000)  # 24 KB decoded, one window
    count = 60  # 1.4 MB decoded if nothing stopped it
    lines = "".join(f"v{i}: {value}\n" for i in range(count))
    found = _found(_scan(scanner, lines, "values.txt"))
    assert 0 < len(found) < count
    assert len(found) <= decode.MAX_DECODED_PER_FILE // len(base64.b64decode(value)) + 1


def test_a_huge_blob_is_decoded_in_bounded_pieces(scanner: Scanner) -> None:
    """A line over the engine's window (32 KiB) is scanned in windows: a base64 value longer
    than that is decoded a window at a time, never whole (a token at its start is found)."""
    huge = _b64(GITHUB + " " + "lorem ipsum " * 30_000)
    assert _found(_scan(scanner, f"blob: {huge}\n")) == {(1, "GitHub Classic Token", GITHUB)}


def test_kubernetes_env_name_and_value_lines_are_joined(scanner: Scanner) -> None:
    key = "3f9c2a7be1d04c6fa8e2b5d917c4e0a6"
    manifest = f'env:\n  - name: DD_API_KEY\n    value: "{key}"\n  - name: MODE\n    value: x\n'
    matches = [m for m in _scan(scanner, manifest, "deploy.yaml") if m.rank >= 20]
    assert [(m.line, m.detector, m.secret) for m in matches] == [(3, "Datadog API Key", key)]
    assert decode.NAME_VALUE in matches[0].detectors


def test_encoded_keywords_cover_every_alignment() -> None:
    fragments = list(decode.encoded_fragments("ghp_"))
    for prefix in ("", "a", "ab"):
        encoded = _b64(prefix + GITHUB)
        assert any(f in encoded for f in fragments), prefix
