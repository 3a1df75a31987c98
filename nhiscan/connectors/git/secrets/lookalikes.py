"""Values detect-secrets' generic plugins report that are something else than a secret, told
from the value and the lines around it (traits.py names the trait, scanner/secrets_judge.py
drops the finding and says why):

- a hex digest where the line says digest (``sha256:``, ``EXPECTED_MD5 =``, ``commit``);
- base64 of binary structure (runs of zero bytes: a font or an image cut over lines);
- a private key's BEGIN marker with no key body after it, or a PGP block whose packets hold
  no secret key, or whose CRC-24 does not hold.

Each looks at the shape the secret would need to be one, so a real key of the same outline
(a random hex or base64 value, a key with its body) never has the trait.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

from nhiscan.connectors.git.secrets.detectors.checks import _pem_piece
from nhiscan.connectors.git.secrets.detectors.pgp import _crc24, _is_secret_key_packet

# -- digests ---------------------------------------------------------------------------------

# Hex lengths of the digests in use: MD5, SHA-1 and git object ids, SHA-224, SHA-256, SHA-384,
# SHA-512.
_DIGEST_HEX_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
# Byte lengths of the same, for a base64 digest (Subresource Integrity's ``sha512-…``).
_DIGEST_BYTES = frozenset({16, 20, 28, 32, 48, 64})
# What names a digest just before it on its line: the algorithm (``@sha256:``, ``md5 =``,
# ``sha512-``), what it checks (``checksum``, ``integrity``, ``etag``), or a git object
# (``commit``, ``tree``, ``parent``, ``revision``).
_DIGEST_WORDS = re.compile(
    r"(?i:sha-?(?:1|224|256|384|512)|sha3|md5|blake2[bs]?|crc32|checksum|digest|hash|sum\b"
    r"|integrity|etag|fingerprint|commit|\btree\b|\bparent\b|\brev(?:ision)?\b|\boid\b)"
)
# Words that make the value a credential whatever else the line says (a key's hash is named
# ``api_key_sha256``; a hex key is ``secret_key``): then the finding stays.
_SECRET_WORDS = re.compile(r"(?i:key|secret|token|passw|pwd|credential|auth|private|salt)")
_DIGEST_CONTEXT = 48  # characters before the value that name it


def is_digest(value: str, line: str) -> bool:
    """A hex (or SRI base64) digest that its line names as one, and nothing there names a
    credential."""
    at = line.find(value)
    before = line[max(0, at - _DIGEST_CONTEXT) : at] if at >= 0 else ""
    if _SECRET_WORDS.search(before) is not None:
        return False
    hex_digest = re.fullmatch(r"[0-9a-fA-F]+", value) is not None
    if hex_digest and len(value) not in _DIGEST_HEX_LENGTHS:
        return False
    if not hex_digest:
        sri = re.match(r"sha(?:256|384|512)-", value)
        body = value[sri.end() :] if sri else value
        if sri:
            before += sri.group(0)
        try:
            if len(base64.b64decode(body, validate=True)) not in _DIGEST_BYTES:
                return False
        except (binascii.Error, ValueError):
            return False
    return _DIGEST_WORDS.search(before) is not None


# -- binary data -----------------------------------------------------------------------------

# Random bytes are zero once in 256; a run of four zero bytes turns up in a random value about
# once per four billion positions, and an eighth of the bytes zero never in a key. Binary
# formats (fonts, images, tables) are full of both: padding, small integers, reserved fields.
_ZERO_SHARE = 8  # at least one byte in this many is zero
_ZERO_RUN = b"\x00\x00\x00\x00"
# Key containers with zero-padded length fields in their headers, kept whatever their zeros.
_KEY_CONTAINERS = (b"openssh-key-v1", b"ssh-rsa", b"ssh-ed25519", b"ssh-dss", b"ecdsa-sha2")


def is_binary_data(value: str) -> bool:
    """Base64 whose bytes are binary structure rather than random key material, read at each
    of the four alignments a line cut from a longer base64 text can have."""
    readings = [_decoded(value.rstrip("=")[start:]) for start in range(4)]
    if any(c in data for data in readings for c in _KEY_CONTAINERS):
        return False
    return any(_ZERO_RUN in data and data.count(0) * _ZERO_SHARE >= len(data) for data in readings)


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text[: len(text) // 4 * 4], validate=True)
    except (binascii.Error, ValueError):
        return b""


# -- private key markers ---------------------------------------------------------------------

_KEY_MIN_BODY = 64  # base64 characters: the smallest key in use (Ed25519, PKCS#8) has 64
_KEY_MAX_LINES = 400  # a 4096-bit RSA PGP key with its subkey is about 110 lines of 64
_BEGIN = re.compile(r"BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-*")
_END = re.compile(r"-*END[A-Z0-9 ]*PRIVATE KEY")
_ESCAPED_NEWLINE = re.compile(r"(?:\\r)?\\n")
_PGP_HEADER = re.compile(r"[A-Za-z][A-Za-z0-9-]*: ")
_PGP_CRC = re.compile(r"=[A-Za-z0-9+/]{4}")


def _block(rest: str, following: Sequence[str]) -> list[str]:
    """The pieces of the block after the BEGIN marker (``rest``, the marker line's remainder):
    the rest of the line cut at escaped newlines, then whole following lines while each can be
    part of a body (a code line after the marker ends it), up to the END marker."""
    end = _END.search(rest)
    pieces = _ESCAPED_NEWLINE.split(rest[: end.start()] if end else rest)
    if end is not None:
        return pieces
    for text in following[:_KEY_MAX_LINES]:
        end = _END.search(text)
        if end is not None:
            pieces.append(text[: end.start()])
            break
        stripped = text.strip().strip("\"'`+,;|")
        armour = _PGP_HEADER.match(stripped) or _PGP_CRC.fullmatch(stripped)
        if not armour and _pem_piece(text) is None:
            break
        pieces.append(stripped)
    return pieces


def _base64_of(pieces: Sequence[str]) -> str:
    """The base64 of a key body among its pieces: headers, blank lines, the CRC line and
    whatever is not base64 (``...``, ``<your key here>``) contribute nothing."""
    body = []
    for piece in pieces:
        for word in piece.split():
            part = _pem_piece(word)
            if part:
                body.append(part)
    return "".join(body)


def key_marker_trait(line: str, following: Sequence[str]) -> str | None:
    """What the block after a private key's BEGIN marker holds: ``no-key-body`` (nothing a
    key could be), ``public-key-block`` (PGP packets without a secret key),
    ``failed-key-checksum`` (a PGP secret key whose CRC-24 does not hold), None (a body, or
    a marker not written on ``line`` as such)."""
    begin = _BEGIN.search(line)
    if begin is None:  # PuTTY's header, or found on a decoded line (a base64 value)
        return _putty_trait(line, following)
    pieces = [p.strip() for p in _block(line[begin.end() :], following)]
    if "PGP" in begin.group(0):
        return _pgp_trait(pieces)
    return "no-key-body" if len(_base64_of(pieces)) < _KEY_MIN_BODY else None


# A PuTTY key file: its header line, then its public and private blobs, each announced by the
# count of its lines (PuTTY's manual, appendix C: https://the.earth.li/~sgtatham/putty/0.83/htmldoc/AppendixC.html).
# Without "Private-Lines:" after the header (the header as a constant in a parser, a skeleton in
# documentation) there is no private key. Within 64 lines: a version 3 file's header, its key
# derivation lines and a 4096-bit key's public blob hold about 25.
_PUTTY = re.compile(r"PuTTY-User-Key-File-[0-9]+:")
_PUTTY_PRIVATE = re.compile(r"Private-Lines: *[0-9]+")
_PUTTY_MAX_LINES = 64


def holds_key_marker(line: str) -> bool:
    """Whether the line as written holds a private key's BEGIN marker or a PuTTY header."""
    return _BEGIN.search(line) is not None or _PUTTY.search(line) is not None


def _putty_trait(line: str, following: Sequence[str]) -> str | None:
    header = _PUTTY.search(line)
    if header is None:
        return None
    block = "\n".join([line[header.end() :], *following[:_PUTTY_MAX_LINES]])
    return None if _PUTTY_PRIVATE.search(block) else "no-key-body"


def _pgp_trait(pieces: Sequence[str]) -> str | None:
    crc = next((p[1:] for p in pieces if _PGP_CRC.fullmatch(p)), None)
    body = _base64_of([p for p in pieces if not (_PGP_HEADER.match(p) or _PGP_CRC.fullmatch(p))])
    if len(body) < _KEY_MIN_BODY:
        return "no-key-body"
    try:
        packets = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return "no-key-body"
    if not _is_secret_key_packet(packets[0]):
        return "public-key-block"
    if crc is not None and base64.b64decode(crc) != _crc24(packets).to_bytes(3, "big"):
        return "failed-key-checksum"
    return None
