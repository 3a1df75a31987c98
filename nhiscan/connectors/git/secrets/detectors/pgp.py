"""OpenPGP private keys in ASCII armor (RFC 9580 §6, RFC 4880 §6): a release-signing or
deployment key exported with ``gpg --export-secret-keys --armor``.

The armor is lines: ``-----BEGIN PGP PRIVATE KEY BLOCK-----``, optional ``Key: value`` headers
and a blank line, the base64 of the packets, optionally a ``=`` line with the CRC-24 of the
decoded packets, and the END line. A key is accepted when its packets start with a
secret-key packet (tag 5) and, when the CRC line is there, the checksum holds: a marker in a
parser's source, a documentation stub ("…") or a truncated paste is no key. The secret is the
base64 of the packets, however the file wraps the lines (indented in YAML, escaped newlines in
a JSON string), so one key pasted twice hashes the same.

Two forms, as for PEM keys: the whole block on one line with escaped newlines (the line
pattern's ``secret``), or a BEGIN line that ends its line, whose block the file rule
``pgp_key_bodies`` reads from the lines after it and drops when no key follows.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import replace

from nhiscan.connectors.git.secrets.detectors.checks import _pem_piece
from nhiscan.connectors.git.secrets.detectors.model import RANK, Detector
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.connectors.git.secrets.windows import WINDOW

PGP_PRIVATE_KEY = "PGP Private Key Block"
_BEGIN = "-----BEGIN PGP PRIVATE KEY BLOCK-----"
_END = "-----END PGP PRIVATE KEY BLOCK-----"
_MAX_LINES = 400  # a 4096-bit RSA key with its subkey is about 110 lines of 64
_ESCAPED_NEWLINE = re.compile(r"(?:\\r)?\\n")
_HEADER = re.compile(r"[A-Za-z][A-Za-z0-9-]*: ")
_CRC = re.compile(r"=[A-Za-z0-9+/]{4}")


def _crc24(data: bytes) -> int:
    """RFC 4880 §6.1."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def _is_secret_key_packet(first: int) -> bool:
    """The first packet's tag is 5 (Secret-Key), in the old or the new packet format."""
    if not first & 0x80:
        return False
    tag = first & 0x3F if first & 0x40 else (first >> 2) & 0x0F
    return tag == 5


def armored_key(pieces: Sequence[str]) -> str | None:
    """The base64 of a private key block's packets from its lines after BEGIN (up to, not
    including, END): headers and the blank line skipped; None when they hold no key (not
    base64, no secret-key packet, a CRC that does not hold)."""
    body: list[str] = []
    crc: str | None = None
    in_headers = True
    for piece in pieces:
        if in_headers and _HEADER.match(piece):
            continue
        in_headers = False
        if not piece:
            continue
        if _CRC.fullmatch(piece):
            crc = piece[1:]
            break
        body.append(piece)
    text = "".join(body)
    try:
        packets = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(packets) < 64 or not _is_secret_key_packet(packets[0]):
        return None
    if crc is not None and base64.b64decode(crc) != _crc24(packets).to_bytes(3, "big"):
        return None
    return text


def _one_line(secret: str) -> bool:
    if secret.startswith(_BEGIN):  # a BEGIN line alone: pgp_key_bodies decides
        return True
    lines = [line.strip() for line in _ESCAPED_NEWLINE.split(secret)]
    return armored_key(lines) is not None


PGP_DETECTOR = Detector(
    name=PGP_PRIVATE_KEY,
    provider=None,
    # https://www.rfc-editor.org/rfc/rfc9580#name-forming-ascii-armor
    # https://www.gnupg.org/documentation/manuals/gnupg/Operational-GPG-Commands.html
    pattern=re.compile(
        r"-----BEGIN PGP PRIVATE KEY BLOCK-----(?:(?:\\r)?\\n(?P<secret>[A-Za-z0-9+/=:\\ .,()-]"
        r"{64,20000}?)(?:\\r)?\\n-----END PGP PRIVATE KEY BLOCK-----"
        r"|(?=(?:\\[rn]|[ \t\"'`,;+)])*$))"
    ),
    keywords=("pgp private key block",),
    rank=RANK,
    validate=_one_line,
)


def _following(lines: Sequence[str], after: int) -> list[str] | None:
    """The block's lines after line ``after`` (1-based) up to its END line, each without the
    source code around it; None when no END line comes or a line cannot be part of a block."""
    pieces: list[str] = []
    for text in lines[after : after + _MAX_LINES]:
        if len(text) > WINDOW:
            return None
        if _END in text:
            return pieces
        stripped = text.strip().strip("\"'`+,;|")
        if _HEADER.match(stripped) or _CRC.fullmatch(stripped):
            pieces.append(stripped)
            continue
        piece = _pem_piece(text)
        if piece is None:
            return None
        pieces.append(piece)
    return None


def pgp_key_bodies(matches: list[Match], lines: Sequence[str]) -> list[Match]:
    """File rule: a PGP private key's secret is the base64 of its packets; a BEGIN line
    without a key block after it is dropped."""
    if not any(m.detector == PGP_PRIVATE_KEY for m in matches):
        return matches
    out: list[Match] = []
    for m in matches:
        if m.detector != PGP_PRIVATE_KEY:
            out.append(m)
            continue
        if m.secret.startswith(_BEGIN):
            pieces = _following(lines, m.line)
        else:
            pieces = [line.strip() for line in _ESCAPED_NEWLINE.split(m.secret)]
        body = armored_key(pieces) if pieces is not None else None
        if body is not None:
            out.append(replace(m, secret=body))
    return out
