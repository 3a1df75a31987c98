"""The encoded-value rows of the detector table and the file rule that decodes their matches
(the encodings themselves: ``secrets/decode.py``).

How decoding fits the engine without a pass of its own: the encoded-value rows' keywords are
what the other rows' literal prefixes look like once encoded (base64 of "AKIA" at each of the
three byte alignments, "\\u00", "%3a%2f%2f"), so the engine's pre-filter marks only the lines
that may hide a known token, and their line matches are cached like any other. The file rule
``decoded_matches`` then decodes each encoded value once and runs the real detectors on the
decoded text: what they find is reported on the encoded value's line (the value's line for a
name/value pair), with the decoder's name last among its ``detectors``, so a report tells a
decoded finding from a plain one. The encoded-value match itself is never a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from nhiscan.connectors.git.secrets.decode import (
    BASE64,
    DECODERS,
    MAX_DECODED_PER_FILE,
    MAX_ENCODED,
    NAME_VALUE,
    UNICODE,
    URLENCODED,
    b64_text,
    decode,
    encoded_fragments,
    paired,
)
from nhiscan.connectors.git.secrets.detectors.model import PRIVATE_KEY, RANK, Detector
from nhiscan.connectors.git.secrets.match import Match


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
                fragments.update(encoded_fragments(literal))
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
            validate=lambda value: b64_text(value) is not None,
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
            # A name on one line, its value on the next: Kubernetes container env (and Helm
            # values) "- name: DD_API_KEY" / "value: …", Terraform 'variable "dd_api_key" {' /
            # 'default = "…"'. The name is the match; the file rule reads the next line and
            # gives "NAME=value" to the detectors.
            pattern=re.compile(
                r"(?:(?<![A-Za-z0-9_])name:[ \t]*+[\"']?|(?<![A-Za-z0-9_])variable[ \t]+\")"
                r"(?P<secret>[A-Za-z_][A-Za-z0-9_.-]{0,80})[\"']?[ \t]*+\{?[ \t]*+(?![^\n])"
            ),
            keywords=tuple(dict.fromkeys(n.lower() for n in names)),
            provider=None,
            rank=RANK,
            validate=lambda value: any(n in value.lower() for n in names),
        ),
    )


def _inner(detectors: Sequence[Detector], text: str) -> Iterator[tuple[Detector, re.Match[str]]]:
    """The real detectors' validated matches in decoded ``text`` (keywords first, as the
    engine's pre-filter does), line by line; a PEM private key (a Kubernetes ``tls.key``, a
    kubeconfig's ``client-key-data``) is one value over several lines, which the file rules
    that join a key's lines in a file never see here: the detector reads the decoded value's
    lines joined as a JSON string writes them ("\\n" between), as it reads such a string."""
    lines = text.splitlines()
    joined = "\\n".join(lines) if len(lines) > 1 else None
    for line in lines:
        lowered = line.lower()
        for detector in detectors:
            if joined is not None and detector.name == PRIVATE_KEY:
                continue
            if not any(k in lowered for k in detector.keywords):
                continue
            yield from _validated(detector, line)
    if joined is not None:
        lowered = joined.lower()
        for detector in detectors:
            if detector.name == PRIVATE_KEY and any(k in lowered for k in detector.keywords):
                yield from _validated(detector, joined)


def _validated(detector: Detector, text: str) -> Iterator[tuple[Detector, re.Match[str]]]:
    for m in detector.pattern.finditer(text):
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
            text, m = paired(m.secret, lines, m.line), replace(m, line=m.line + 1)
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
