"""The developer-service rows (detectors/services.py, putty.py) on whole files as they are
written: a PuTTY key file read over its lines (the secret is the private blob, encrypted keys
named apart), a wg-quick configuration, and the severity each finding gets (prefix-only rows and
sandbox or encrypted credentials medium). The line examples of every row are checked by
test_detectors.py and test_eval_corpus.py."""

from __future__ import annotations

import base64
import random

import pytest

from nhiscan.connectors.git.secrets.detectors import DETECTORS
from nhiscan.connectors.git.secrets.engine import Scanner
from nhiscan.rules.secrets_meta import severity_of
from nhiscan.scanner.model import Severity
from tests.connectors.git.secrets.eval_services import FACTORIES

RNG = random.Random("services")
NAMES = frozenset(d.name for d in DETECTORS)


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def _found(scanner: Scanner, text: str, path: str = "config.txt") -> list[tuple[str, str]]:
    """nhiscan's findings (detect-secrets' entropy plugins also report random base64, low)."""
    matches = scanner.scan(text.encode(), path).matches
    return [(m.detector, m.secret) for m in matches if m.detector in NAMES]


def _b64(n: int) -> str:
    return base64.b64encode(RNG.randbytes(n)).decode()


def _ppk(encryption: str, private: str, *, version: int = 3) -> str:
    public = base64.b64encode(b"\0\0\0\x07ssh-rsa" + RNG.randbytes(270)).decode()
    lines = [
        f"PuTTY-User-Key-File-{version}: ssh-rsa",
        f"Encryption: {encryption}",
        "Comment: rsa-key-20260412",
        f"Public-Lines: {len(public) // 64 + 1}",
        *(public[i : i + 64] for i in range(0, len(public), 64)),
    ]
    if encryption != "none" and version == 3:
        lines += ["Key-Derivation: Argon2id", "Argon2-Memory: 8192", "Argon2-Passes: 21"]
        lines += ["Argon2-Parallelism: 1", "Argon2-Salt: " + RNG.randbytes(16).hex()]
    body = [private[i : i + 64] for i in range(0, len(private), 64)]
    lines += [f"Private-Lines: {len(body)}", *body, "Private-MAC: " + RNG.randbytes(32).hex()]
    return "\n".join(lines) + "\n"


def test_a_ppk_file_reports_its_private_blob(scanner: Scanner) -> None:
    private = _b64(660)
    assert _found(scanner, _ppk("none", private), "deploy/id_rsa.ppk") == [
        ("PuTTY Private Key", private)
    ]


def test_an_encrypted_ppk_file_is_named_apart_and_rated_lower(scanner: Scanner) -> None:
    for version in (2, 3):
        private = _b64(672)
        found = _found(scanner, _ppk("aes256-cbc", private, version=version), "id.ppk")
        assert found == [("PuTTY Encrypted Private Key", private)]
    assert severity_of("PuTTY Encrypted Private Key") is Severity.MEDIUM
    assert severity_of("PuTTY Private Key") is Severity.HIGH


def test_one_key_written_two_ways_is_one_secret(scanner: Scanner) -> None:
    """The key file on its own lines and the same file as an escaped string in JSON hash
    alike: the secret is the private blob either way."""
    private = _b64(48)
    text = _ppk("none", private)
    escaped = text.rstrip("\n").replace("\n", "\\n")
    assert _found(scanner, text, "k.ppk") == _found(scanner, f'{{"ppk": "{escaped}"}}\n', "k.json")


def test_a_ppk_header_without_a_key_is_not_reported(scanner: Scanner) -> None:
    """A parser's constant, the documentation's skeleton, a placeholder body."""
    parser = 'HEADER = "PuTTY-User-Key-File-3: ssh-ed25519"\nif line == HEADER:\n    parse()\n'
    skeleton = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ...\n"
    placeholder = _ppk("none", "A" * 48)
    for text in (parser, skeleton, placeholder):
        assert [d for d, _ in _found(scanner, text, "doc.md") if d.startswith("PuTTY")] == []


def test_a_wg_quick_configuration_reports_its_private_key_not_its_peer(
    scanner: Scanner,
) -> None:
    key, peer = FACTORIES["WireGuard Private Key"][0](RNG), _b64(32)
    conf = (
        f"[Interface]\nAddress = 10.8.0.2/24\nPrivateKey = {key}\nDNS = 1.1.1.1\n\n"
        f"[Peer]\nPublicKey = {peer}\nEndpoint = vpn.acme.io:51820\nAllowedIPs = 0.0.0.0/0\n"
    )
    assert _found(scanner, conf, "wg0.conf") == [("WireGuard Private Key", key)]
    # Base64 of another length after the name is not a Curve25519 key.
    assert _found(scanner, f"PrivateKey = {_b64(48)}\n", "wg0.conf") == []


def test_prefix_only_and_test_mode_rows_are_medium_exact_ones_high() -> None:
    medium = ("Axiom Token", "NVIDIA API Key", "Tavily API Key", "Statsig Server Secret Key")
    high = ("PostHog Personal API Key", "Paddle API Key", "WooCommerce REST API Key")
    for name in (*medium, "Paddle Sandbox API Key"):
        assert severity_of(name) is Severity.MEDIUM, name
    for name in (*high, "X Bearer Token", "WireGuard Private Key"):
        assert severity_of(name) is Severity.HIGH, name


def test_a_posthog_project_key_is_public_and_not_reported(scanner: Scanner) -> None:
    personal = FACTORIES["PostHog Personal API Key"][0](RNG)
    project = "phc_" + personal[4:]
    assert _found(scanner, f"POSTHOG_KEY={project}\n") == []
    assert _found(scanner, f"POSTHOG_KEY={'phx_' + personal[4:]}\n") == [
        ("PostHog Personal API Key", "phx_" + personal[4:])
    ]
