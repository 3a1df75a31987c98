"""PuTTY private key files (``.ppk``, versions 2 and 3): a documented text format, a header line
naming the version and the key's algorithm, ``Encryption:`` (``none``, or ``aes256-cbc`` with a
passphrase), a comment, the public blob (``Public-Lines: N`` then N lines of base64), for
version 3 the key derivation's parameters, the private blob (``Private-Lines: N`` then N lines)
and ``Private-MAC:``. https://the.earth.li/~sgtatham/putty/latest/htmldoc/AppendixC.html

The secret is the private blob. A key file without encryption is the key itself (high); an
encrypted one needs its passphrase as well (rated lower by ``rules/secrets_meta.py``). Like a
PEM key, a file is read two ways: the whole key on one line with escaped newlines (a string in
code or JSON), matched here; or a header line that ends its line, whose following lines
``putty_key_bodies`` reads (both rows match such a header; the rule keeps the one its
``Encryption:`` line names, and drops a header with no key after it)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from nhiscan.connectors.git.secrets.detectors.checks import _b64_bytes, _random_looking
from nhiscan.connectors.git.secrets.detectors.model import RANK, Detector
from nhiscan.connectors.git.secrets.match import Match

PUTTY_KEY = "PuTTY Private Key"
PUTTY_ENCRYPTED_KEY = "PuTTY Encrypted Private Key"

_HEADER = "PuTTY-User-Key-File-"
_NL = r"(?:\\{1,2}r)?\\{1,2}n"  # an escaped newline, once or twice escaped (JSON of a string)
_B64 = r"[A-Za-z0-9+/=]{1,64}"
_ESCAPED = re.compile(r"(?:\\{1,2}[rn])+")
_MAX_LINES = 200  # an RSA 8192 key's private blob is under 100 lines of 64


def _pattern(encryption: str) -> re.Pattern[str]:
    one_line = (
        rf"{_NL}Encryption: {encryption}{_NL}Comment: [^\\\"'\n]{{0,200}}{_NL}"
        rf"Public-Lines: [0-9]{{1,3}}{_NL}(?:{_B64}{_NL}){{1,40}}"
        rf"(?:[A-Z][A-Za-z0-9-]{{1,30}}: [^\\\"'\s]{{1,200}}{_NL}){{0,8}}"
        rf"Private-Lines: [0-9]{{1,3}}{_NL}(?P<secret>{_B64}(?:{_NL}{_B64}){{0,100}}){_NL}"
        r"Private-MAC: [0-9a-f]{40,64}"
    )
    return re.compile(
        rf"(?<![A-Za-z0-9-]){_HEADER}[23]: [a-z0-9@.-]{{3,64}}"
        rf"(?:{one_line}|(?=[ \t\"',;]*$))"
    )


def _joined(secret: str) -> str:
    return _ESCAPED.sub("", secret)


def _blob(body: str) -> bool:
    """Base64 of a private blob: at least 32 bytes (an Ed25519 key's), random-looking."""
    return _b64_bytes(body) >= 32 and _random_looking(body)


def _check(secret: str) -> bool:
    """A header that ends its line is judged by ``putty_key_bodies`` from the lines after it."""
    return secret.startswith(_HEADER) or _blob(_joined(secret))


PUTTY_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name=PUTTY_KEY,
        provider=None,
        pattern=_pattern("none"),
        keywords=(_HEADER.lower(),),
        rank=RANK,
        validate=_check,
    ),
    Detector(
        name=PUTTY_ENCRYPTED_KEY,
        provider=None,
        pattern=_pattern("(?!none)[a-z0-9-]{1,30}"),
        keywords=(_HEADER.lower(),),
        rank=RANK,
        validate=_check,
    ),
)

_FIELD = re.compile(r"([A-Za-z0-9-]{1,30}): ?(.*)")


def _piece(text: str) -> str:
    """A line of the key file without the source code around it (indentation, quotes,
    ``+`` concatenation); ``+`` inside base64 stays."""
    text = text.strip().lstrip("\"'`([{ \t")
    for quote in "\"'`":
        text = text.split(quote, 1)[0]
    return text.rstrip(",;)]}\\ \t")


def _following(lines: Sequence[str], after: int) -> tuple[str, str] | None:
    """The ``Encryption:`` value and the private blob of the key file whose header is line
    ``after`` (1-based), or None when what follows is not a key file's fields."""
    encryption, skip, rows = None, 0, iter(lines[after : after + _MAX_LINES])
    for text in rows:
        text = _piece(text)
        if skip:
            skip -= 1
            continue
        field = _FIELD.fullmatch(text)
        if field is None:
            return None
        name, value = field.groups()
        if name == "Encryption":
            encryption = value
        elif name == "Public-Lines" and value.isdigit():
            skip = int(value)
        elif name == "Private-Lines" and value.isdigit() and encryption is not None:
            body = [_piece(next(rows, "")) for _ in range(int(value))]
            return encryption, "".join(body)
    return None


def putty_key_bodies(matches: list[Match], lines: Sequence[str]) -> list[Match]:
    """A PuTTY key's secret is its private blob, however the file wraps it; a header with no
    key after it is dropped, and of the two rows that match a header the one its
    ``Encryption:`` line does not name."""
    out: list[Match] = []
    for m in matches:
        if m.detector not in (PUTTY_KEY, PUTTY_ENCRYPTED_KEY):
            out.append(m)
        elif not m.secret.startswith(_HEADER):
            out.append(replace(m, secret=_joined(m.secret)))
        else:
            found = _following(lines, m.line)
            if found is None or (found[0] == "none") != (m.detector == PUTTY_KEY):
                continue
            if _blob(found[1]):
                out.append(replace(m, secret=found[1]))
    return out
