"""UTF-16 text files, read as text. Windows writes them: Windows PowerShell 5.1's ``Out-File``
and ``>`` redirection, ``reg export`` (.reg files), many .NET tools' logs. Their ASCII
characters are each followed (little endian) or preceded (big endian) by a zero byte, so the
binary sniff (a NUL in the first 8,000 bytes, as git decides) would skip them, and a token in
``$env:TOKEN = "..."`` saved by PowerShell would never be read.

Only a file that says it is UTF-16 is decoded: its first bytes are the byte order mark (FF FE,
FE FF), and the whole file then decodes strictly, with no NUL character and hardly any other
control character. A binary file that merely starts with those two bytes fails one of these
(pairs of zero bytes decode to NUL), and stays binary. UTF-16 without a mark is left binary:
nothing tells it from other data with many zero bytes.
"""

from __future__ import annotations

import codecs

_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# C0 control characters other than tab, newlines and form feed: text holds almost none.
_CONTROLS = frozenset(chr(c) for c in range(32)) - frozenset("\t\n\r\f")
_MAX_CONTROLS = 0.01  # of the characters


def decoded(data: bytes) -> bytes | None:
    """The file as UTF-8 when it is UTF-16 text with a byte order mark; None otherwise."""
    if not data.startswith(_MARKS) or len(data) % 2:
        return None
    try:
        text = data.decode("utf-16")  # the mark says which order, and is removed
    except UnicodeDecodeError:  # an unpaired surrogate: not text
        return None
    if "\0" in text:
        return None
    controls = sum(text.count(c) for c in _CONTROLS if c in text)
    if controls > _MAX_CONTROLS * len(text):
        return None
    return text.encode("utf-8")
