"""Pure checks of a candidate secret (placeholders, randomness, checksums, decodings) and PEM
key bodies, used by the detector table and the file rules."""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Callable
from urllib.parse import unquote

# -- pure checks of a candidate secret ------------------------------------------------------

# What people write where a credential would go. A marker counts as written lowercase, upper
# case or capitalised: a random string spells one of those rarely (under 1e-4 for 40 chars).
_PLACEHOLDER_MARKERS = (
    "example",
    "sample",
    "dummy",
    "placeholder",
    "redacted",
    "changeme",
    "your",
    "fake",
    "xxxx",
    "abcdef",
    "123456",
)
_RUN = re.compile(r"(.)\1{5}")  # six equal characters in a row


def _random_looking(value: str) -> bool:
    """No placeholder marker, no run of six equal characters, and a third of the characters
    distinct (at most 10 asked): random 40-hex strings have 10 distinct 99.99% of the time."""
    if _RUN.search(value) is not None or len(set(value)) < min(10, len(value) // 3):
        return False
    return not any(
        form in value
        for marker in _PLACEHOLDER_MARKERS
        for form in (marker, marker.upper(), marker.capitalize())
    )


def _mixed(value: str) -> bool:
    """Upper case, lower case and a digit: every vendor-random string of 40+ base62-ish
    characters has all three (a 40-character one lacks a digit 0.1% of the time)."""
    return (
        any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
    )


def _random_mixed(value: str) -> bool:
    return _mixed(value) and _random_looking(value)


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _github_checksum(token: str) -> bool:
    """GitHub's classic tokens end in a CRC32 of the 30 random characters, base62, 6 chars."""
    body, checksum = token[4:-6], token[-6:]
    value = 0
    for char in checksum:
        value = value * 62 + _BASE62.index(char)
    return value == zlib.crc32(body.encode("ascii"))


def _tail_random(token: str) -> bool:
    """The part after the last ``-`` or ``_`` (the random part of a prefixed token)."""
    tail = re.split(r"[-_]", token)[-1]
    return _random_looking(tail)


def _b64_bytes(text: str) -> int:
    """How many bytes standard base64 ``text`` decodes to; -1 if it is not base64."""
    try:
        return len(base64.b64decode(text + "=" * (-len(text) % 4), validate=True))
    except (binascii.Error, ValueError):
        return -1


def _azure_key(length: int) -> Callable[[str], bool]:
    def check(secret: str) -> bool:
        return _b64_bytes(unquote(secret)) == length and _random_looking(secret)

    return check


def _b64url_json(segment: str) -> object:
    try:
        return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except ValueError:  # binascii.Error, UnicodeDecodeError and JSONDecodeError are all one
        return None


# Claims of tokens vendors publish as samples: jwt.io's default token is in countless repos.
# PyJWT's README token ({"some": "payload"}) is the other one.
_SAMPLE_JWT_CLAIMS: tuple[dict[str, str], ...] = (
    {"sub": "1234567890", "name": "John Doe"},
    {"some": "payload"},
)


def _jwt(token: str) -> bool:
    """A signed JWT: the header is a JSON object naming an algorithm other than ``none``,
    the payload a JSON object, and not a published sample."""
    header_part, payload_part, _ = token.split(".")
    header, payload = _b64url_json(header_part), _b64url_json(payload_part)
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return False
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        return False
    return not any(
        all(payload.get(k) == v for k, v in sample.items()) for sample in _SAMPLE_JWT_CLAIMS
    )


# Passwords that are not one: compared lowercased with the whole password.
_PLACEHOLDER_PASSWORDS = (
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "changeme",
    "changeit",
    "example",
    "sample",
    "dummy",
    "placeholder",
    "redacted",
    "guest",
    "test",
    "foo",
    "bar",
    "tiger",  # scott/tiger, Oracle's and SQLAlchemy's sample login
)
_TEMPLATE_MARKS = ("${", "{{", "$(", "%(", "%s", "<", ">")
_NAMED_PLACEHOLDER = re.compile(r"[A-Za-z_]*(?i:pass|pwd|secret|your|example)[A-Za-z_]*")


def _password(value: str) -> bool:
    """Not a placeholder (``password``, ``DB_PASSWORD``, ``****``), not a template
    (``${DB_PASSWORD}``, ``{password}``, ``%s``, ``%3Cpassword%3E``, ``%DB_PASSWORD%``): the rest
    is a password."""
    value = unquote(value)
    if len(value) < 3 or value.lower() in _PLACEHOLDER_PASSWORDS or len(set(value)) == 1:
        return False
    if value.startswith("$") or any(mark in value for mark in _TEMPLATE_MARKS):
        return False
    if value[0] + value[-1] in ("{}", "[]", "%%"):  # %VAR%: cmd's and NuGet.Config's variables
        return False
    return _NAMED_PLACEHOLDER.fullmatch(value) is None


# -- PEM bodies ------------------------------------------------------------------------------

_PEM_MIN_BODY = 60  # base64 characters; the smallest key in use (Ed25519, PKCS#8) has 64
_PEM_MAX_LINES = 200  # an RSA 8192 key is 100 lines of 64
_PEM_ESCAPE = re.compile(r"\\[rnt]")
_PEM_SPLIT = re.compile(r"(?:\\[rnt]|\s)+")
_PEM_STRING_PREFIX = re.compile(r"^[bBrRuU]{1,2}(?=[\"'`])")
_PEM_WRAPPING = "\"'`+,;()[]{}\\ \t"  # quotes and concatenation around a line in source code
_PEM_HEADER = re.compile(r"(?:Proc-Type|DEK-Info|Comment): ")
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _pem_piece(text: str) -> str | None:
    """What one line of a key body contributes: its base64 with the source code around it
    (indentation, quotes, ``\\n``, ``+``) removed; "" for a blank or header line; None for a
    line that cannot be part of a key body."""
    text = _PEM_STRING_PREFIX.sub("", _PEM_ESCAPE.sub(" ", text).strip()).strip(_PEM_WRAPPING)
    if not text or _PEM_HEADER.match(text):
        return ""
    return text if _BASE64_LINE.fullmatch(text) else None


def _pem_body(text: str) -> str:
    """The base64 of a key written on one line (``\\n``-escaped or space-separated)."""
    return "".join(p for p in map(_pem_piece, _PEM_SPLIT.split(text)) if p)


def _pem_key_like(body: str) -> bool:
    """Long enough for a key, varied, and not a vendor's documentation sample (AWS marks
    theirs with EXAMPLE inside the base64)."""
    return len(body) >= _PEM_MIN_BODY and len(set(body)) >= 20 and "EXAMPLE" not in body


def _pem(secret: str) -> bool:
    if secret.startswith("-----BEGIN"):  # the body is on the next lines: FILE_RULES decide
        return True
    return _pem_key_like(_pem_body(secret))
