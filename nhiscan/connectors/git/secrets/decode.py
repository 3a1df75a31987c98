"""Secrets inside encoded values: base64 (Kubernetes Secret ``data:`` maps, ``.dockerconfigjson``
and ``auth`` fields, env files, string literals), ``\\uXXXX``-escaped and URL-encoded strings.
Pure: text in, matches out.

How it fits the engine without a pass of its own: three encoded-value detectors are rows of
the detector table (``encoded_detectors``). Their keywords are what the other detectors'
literal prefixes look like once encoded (base64 of "AKIA" at each of the three byte
alignments, "\\u00", "%3a%2f%2f"), so the engine's pre-filter marks only the lines that may
hide a known token, and their line matches are cached like any other. The file rule
``decoded_matches`` then decodes each encoded value once and runs the real detectors on the
decoded text: what they find is reported on the encoded value's line, with the decoder's name
among its ``detectors`` (so a report tells a decoded finding from a plain one); the
encoded-value match itself is never a finding.

Bounds: a value is decoded once (decoded text is given to the detectors, never to a decoder
again, so base64 of base64 stays base64), an encoded value is at most ``MAX_ENCODED``
characters (its pattern stops there) and a file decodes at most ``MAX_DECODED_PER_FILE``
bytes in all.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from urllib.parse import unquote

from nhiscan.connectors.git.secrets.detectors.model import RANK, Detector
from nhiscan.connectors.git.secrets.match import Match

BASE64 = "Base64-encoded Value"
UNICODE = "Unicode-escaped Value"
URLENCODED = "URL-encoded Value"
NAME_VALUE = "Name/Value Pair"
DECODERS = frozenset((BASE64, UNICODE, URLENCODED, NAME_VALUE))

MAX_ENCODED = 65_536  # characters of one encoded value
MAX_DECODED_PER_FILE = 1 << 20  # bytes decoded in one file, all values together
_MIN_ENCODED_KEYWORD = 4  # shorter encoded fragments mark too many lines of random base64
_PRINTABLE_SHARE = 0.85  # decoded bytes that must be text for base64 to count as text


def _encoded_fragments(literal: str) -> Iterator[str]:
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


def _cased(detector: Detector) -> Iterator[str]:
    """Each keyword as the token spells it: its spelling in the pattern's source when it is
    there (``AKIA``, ``eyJ``), else lowercase and uppercase."""
    source = detector.pattern.pattern
    for keyword in detector.keywords:
        found = re.search(re.escape(keyword), source, re.IGNORECASE)
        if found is not None:
            yield found[0]
        else:
            yield keyword
            yield keyword.upper()


def encoded_detectors(
    detectors: Iterable[Detector], names: Sequence[str] = ()
) -> tuple[Detector, ...]:
    """The encoded-value rows for a table of ``detectors`` (their keywords), and the
    name/value row for the variable ``names`` that detectors of unprefixed values look for."""
    fragments: set[str] = set()
    for detector in detectors:
        for literal in _cased(detector):
            if len(literal) >= 3:
                fragments.update(_encoded_fragments(literal))
    keywords = tuple(sorted({f.lower() for f in fragments}))
    return (
        Detector(
            name=BASE64,
            pattern=re.compile(
                rf"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{{12,{MAX_ENCODED}}}={{0,2}}"
                r"(?![A-Za-z0-9+/=_-])"
            ),
            keywords=keywords,
            provider=None,
            rank=RANK,
            validate=lambda value: _b64_text(value) is not None,
        ),
        Detector(
            name=UNICODE,
            # One string literal's characters, some "\u" escapes of ASCII among them (what a
            # JSON or JavaScript encoder writes for "-", "_", "/", "+", "=", ":").
            pattern=re.compile(
                rf"(?:[A-Za-z0-9+/=_.:@-]|\\u00[0-7][0-9a-fA-F]|\\/){{16,{MAX_ENCODED}}}"
            ),
            keywords=("\\u00",),
            provider=None,
            rank=RANK,
            validate=lambda value: "\\u00" in value,
        ),
        Detector(
            name=URLENCODED,
            # A URL-encoded URL with credentials, or a token with encoded characters: the
            # value holds an encoded "://" or "@".
            pattern=re.compile(rf"(?:[A-Za-z0-9._~+-]|%[0-9A-Fa-f]{{2}}){{16,{MAX_ENCODED}}}"),
            keywords=("%3a%2f%2f", "%40"),
            provider=None,
            rank=RANK,
            validate=lambda value: "%3a%2f%2f" in value.lower() or "%40" in value,
        ),
        Detector(
            name=NAME_VALUE,
            # Kubernetes container env (and Helm values): "- name: DD_API_KEY" with the value
            # on the next line ("value: …"). The name is the match; the file rule reads the
            # next line and gives "NAME=value" to the detectors.
            pattern=re.compile(
                r"(?<![A-Za-z0-9_])name:[ \t]*+[\"']?(?P<secret>[A-Za-z_][A-Za-z0-9_.-]{0,80})"
                r"[\"']?[ \t]*+(?![^\n])"
            ),
            keywords=tuple(dict.fromkeys(n.lower() for n in names)),
            provider=None,
            rank=RANK,
            validate=lambda value: any(n in value.lower() for n in names),
        ),
    )


def _b64_text(value: str) -> str | None:
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


_VALUE_LINE = re.compile(r"[ \t]*value:[ \t]*+[\"']?(?P<value>[^\"'\s]{1,4096})[\"']?[ \t]*$")


def _paired(name: str, lines: Sequence[str], line: int) -> str | None:
    """``NAME=value`` when line ``line + 1`` (1-based ``line``) is the name's ``value:``."""
    if line >= len(lines):
        return None
    found = _VALUE_LINE.match(lines[line])
    return None if found is None else f"{name}={found['value']}"


def decode(value: str, encoding: str) -> str | None:
    """One layer of ``encoding`` removed from ``value``; None when it is not that encoding."""
    if encoding == BASE64:
        return _b64_text(value)
    if encoding == UNICODE:
        return _UNICODE_ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else "/", value)
    if encoding == URLENCODED:
        return unquote(value)
    return None


def _inner(detectors: Sequence[Detector], text: str) -> Iterator[tuple[Detector, re.Match[str]]]:
    """The real detectors' validated matches in decoded ``text`` (keywords first, as the
    engine's pre-filter does)."""
    for line in text.splitlines():
        lowered = line.lower()
        for detector in detectors:
            if not any(k in lowered for k in detector.keywords):
                continue
            for m in detector.pattern.finditer(line):
                secret = m.groupdict().get("secret") or m[0]
                if detector.validate is None or detector.validate(secret):
                    yield detector, m


def decoded_matches(
    detectors: Sequence[Detector], matches: list[Match], lines: Sequence[str]
) -> list[Match]:
    """File rule: each encoded-value match replaced by what the real ``detectors`` find in
    its decoded text (nothing, usually), on the same line."""
    if not any(m.detector in DECODERS for m in matches):
        return matches
    real = [d for d in detectors if d.name not in DECODERS]
    out: list[Match] = []
    budget = MAX_DECODED_PER_FILE
    for m in matches:
        if m.detector not in DECODERS:
            out.append(m)
            continue
        if budget <= 0:
            continue
        if m.detector == NAME_VALUE:
            text, m = _paired(m.secret, lines, m.line), replace(m, line=m.line + 1)
        else:
            text = decode(m.secret, m.detector)
        if text is None or text == m.secret:
            continue
        text = text[:budget]
        budget -= len(text)
        for detector, found in _inner(real, text):
            groups = found.groupdict()
            out.append(
                replace(
                    m,
                    detector=detector.name,
                    detectors=(detector.name, m.detector),
                    provider=detector.provider,
                    secret=groups.get("secret") or found[0],
                    rank=detector.rank,
                    credential_id=groups.get("id"),
                )
            )
    return out
