"""Several detectors, one secret: the findings on a line merged into one per secret, named
by the most specific detector (``match.RANK_*``)."""

from __future__ import annotations

from dataclasses import replace

from nhiscan.connectors.git.secrets.detectors.model import PRIVATE_KEY
from nhiscan.connectors.git.secrets.detectors.pgp import PGP_PRIVATE_KEY
from nhiscan.connectors.git.secrets.detectors.putty import PUTTY_ENCRYPTED_KEY, PUTTY_KEY
from nhiscan.connectors.git.secrets.match import RANK_NHISCAN, Match, combined

# Plugins that report a marker, not the secret: detect-secrets' "Private Key" reports the
# BEGIN line's words ("BEGIN PRIVATE KEY", "PuTTY-User-Key-File-2"), the same text in every
# file. On a line where the detector named here found the secret itself, the marker is that
# secret (one finding, not a second one whose hash is shared by every key in every repository).
MARKER_OF = {"Private Key": (PRIVATE_KEY, PGP_PRIVATE_KEY, PUTTY_KEY, PUTTY_ENCRYPTED_KEY)}


def merge(found: list[Match]) -> list[Match]:
    """One match per (line, secret): the most specific detector names it, all are listed."""
    merged: dict[tuple[int, str], Match] = {}
    for match in found:
        key = (match.line, match.secret)
        prior = merged.get(key)
        if prior is None:
            merged[key] = match
            continue
        best, other = (match, prior) if match.rank > prior.rank else (prior, match)
        merged[key] = combined(best, other)
    return sorted(fold(list(merged.values())), key=lambda m: (m.line, m.detector, m.secret))


def fold(matches: list[Match]) -> list[Match]:
    """Fold a match whose secret lies inside another match's secret on the same line into it
    (detect-secrets' GitHub plugin reports "ghp" for a whole ghp_… token, which its entropy
    plugin reports whole): one secret, named by the most specific detector, all listed."""
    by_line: dict[int, list[Match]] = {}
    for match in matches:
        by_line.setdefault(match.line, []).append(match)
    kept: list[Match] = []
    for group in by_line.values():
        group.sort(key=lambda m: -len(m.secret))
        out: list[Match] = []
        for match in group:
            host = next((m for m in out if match.secret and match.secret in m.secret), None)
            if host is None and match.detector in MARKER_OF:
                host = next((m for m in out if m.detector in MARKER_OF[match.detector]), None)
            if host is None:
                out.append(match)
                continue
            index = out.index(host)
            # The more specific detector decides what the secret is: a vendor detector's
            # narrow secret inside a generic plugin's wide one (the key inside
            # "AccountKey=…", the password inside a URL) keeps its secret and join fields.
            narrow = match.rank > host.rank and match.rank >= RANK_NHISCAN
            keep, drop = (match, host) if narrow else (host, match)
            out[index] = replace(
                keep,
                detector=match.detector if match.rank > host.rank else host.detector,
                rank=max(match.rank, host.rank),
                provider=keep.provider or drop.provider,
                credential_id=keep.credential_id or drop.credential_id,
                hint=keep.hint or drop.hint,
                paired_secret=keep.paired_secret or drop.paired_secret,
                detectors=tuple(dict.fromkeys(keep.detectors + drop.detectors)),
                absorbed=(*keep.absorbed, *((d, drop.secret) for d in drop.detectors),
                          *drop.absorbed),
            )  # fmt: skip
        kept.extend(out)
    return kept
