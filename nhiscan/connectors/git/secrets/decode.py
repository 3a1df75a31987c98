"""Secrets inside encoded values: base64 (Kubernetes Secret ``data:`` maps, ``.dockerconfigjson``
and ``auth`` fields, env files, string literals), ``\\uXXXX``-escaped and URL-encoded strings,
and a name on one line with its value on the next. Pure: the encodings, how each is recognised
and removed once. The detector table's encoded-value rows and the file rule that runs the
detectors on decoded text are in ``detectors/decoded.py``.

Bounds: a value is decoded once (decoded text is given to the detectors, never to a decoder
again, so base64 of base64 stays base64), an encoded value is at most ``MAX_ENCODED``
characters (the rows' patterns stop there; the engine's 32 KiB windows cut longer lines
first) and a file decodes at most ``MAX_DECODED_PER_FILE`` bytes in all.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Sequence
from urllib.parse import unquote

BASE64 = "Base64-encoded Value"
UNICODE = "Unicode-escaped Value"
URLENCODED = "URL-encoded Value"
NAME_VALUE = "Name/Value Pair"
DECODERS = frozenset((BASE64, UNICODE, URLENCODED, NAME_VALUE))

MAX_ENCODED = 65_536  # characters of one encoded value
MAX_DECODED_PER_FILE = 1 << 20  # bytes decoded in one file, all values together
_MIN_ENCODED_KEYWORD = 4  # shorter encoded fragments mark too many lines of random base64
_PRINTABLE_SHARE = 0.85  # decoded bytes that must be text for base64 to count as text


def encoded_fragments(literal: str) -> Iterator[str]:
    """The base64 characters that ``literal`` fixes wherever it starts in the encoded bytes:
    at each byte alignment (0, 1, 2) the characters whose six bits all come from it."""
    data = literal.encode()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode()
        first = -(-8 * shift // 6)
        last = 8 * (shift + len(data)) // 6
        fragment = encoded[first:last]
        if len(fragment) >= _MIN_ENCODED_KEYWORD:
            yield fragment


def b64_text(value: str) -> str | None:
    """``value`` decoded as base64 (standard or URL alphabet) when the bytes are text."""
    value = value.rstrip("=")
    if len(value) % 4 == 1:
        return None
    padded = value + "=" * (-len(value) % 4)
    try:
        if "-" in value or "_" in value:
            data = base64.urlsafe_b64decode(padded)
        else:
            data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
    printable = sum(1 for b in data if 32 <= b < 127 or b in (9, 10, 13))
    if not data or printable < _PRINTABLE_SHARE * len(data):
        return None
    return data.decode("utf-8", "replace")


_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\/")


_VALUE_LINE = re.compile(
    r"[ \t]*(?:value:|default[ \t]*=)[ \t]*+[\"']?(?P<value>[^\"'\s]{1,4096})[\"']?[ \t]*$"
)


def paired(name: str, lines: Sequence[str], line: int) -> str | None:
    """``NAME=value`` when line ``line + 1`` (1-based ``line``) is the name's ``value:``."""
    if line >= len(lines):
        return None
    found = _VALUE_LINE.match(lines[line])
    return None if found is None else f"{name}={found['value']}"


def decode(value: str, encoding: str) -> str | None:
    """One layer of ``encoding`` removed from ``value``; None when it is not that encoding."""
    if encoding == BASE64:
        return b64_text(value)
    if encoding == UNICODE:
        return _UNICODE_ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else "/", value)
    if encoding == URLENCODED:
        return unquote(value)
    return None
