"""Detection on the lines the pre-filter marked: detect-secrets' plugins with its filters, and
nhiscan's detectors. A line longer than ``windows.WINDOW`` bytes is scanned window by window
(only the windows a mark falls in), each match kept by the one window that owns its start,
and reported on its line; whole-line decisions (inline ignores, allowlist pragmas) are taken
once per line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from nhiscan.connectors.git.secrets import plugins, windows
from nhiscan.connectors.git.secrets.detectors import Detector
from nhiscan.connectors.git.secrets.match import RANK_GENERIC, RANK_SPECIFIC, Match
from nhiscan.connectors.git.secrets.windows import Text

# A key in the hit table: ("ds", plugin index) or ("nhi", detector index).
Key = tuple[str, int]

# Inline ignores. detect-secrets' own `pragma: allowlist secret` (and `allowlist nextline`) is
# one of its filters; nhiscan:ignore silences every detector on its line.
NHISCAN_IGNORE = "nhiscan:ignore"

_GENERIC = frozenset({"KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString"})


def _spots() -> defaultdict[int, set[Key]]:
    return defaultdict(set)


@dataclass(slots=True)
class Hits:
    """What the pre-filter marked: line (1-based) -> detectors; for a long line also its
    window index -> detectors."""

    lines: defaultdict[int, set[Key]] = field(default_factory=lambda: defaultdict(set))
    spots: defaultdict[int, defaultdict[int, set[Key]]] = field(
        default_factory=lambda: defaultdict(_spots)
    )

    def marked(self, number: int, kind: str) -> list[int]:
        return sorted(i for k, i in self.lines[number] if k == kind)

    def windows(self, number: int, kind: str) -> Iterator[tuple[int, list[int]]]:
        """A long line's marked windows, each with its marked detectors of ``kind``."""
        for index in sorted(self.spots[number]):
            indexes = sorted(i for k, i in self.spots[number][index] if k == kind)
            if indexes:
                yield index, indexes


# Called with the number of bytes of long lines scanned so far in this pass.
Tick = Callable[[int], None]


def _quiet(_: int) -> None:
    pass


def run_ds(
    ds: Sequence[Any],
    lines: Sequence[str],
    raws: Sequence[bytes],
    hits: Hits,
    path: str,
    tick: Tick = _quiet,
) -> tuple[list[Match], list[int]]:
    """detect-secrets' scan of the marked lines, with its filters. The plugins run first and
    the line filters only on lines where a plugin found something: filters only ever
    remove findings, so the result is what detect-secrets' filters-then-plugins order gives,
    without paying its slow line filters on every marked line."""
    found: list[Match] = []
    ignored: list[int] = []  # line numbers of silenced lines
    done = 0
    verify = plugins.verifying()
    for number in sorted(hits.lines):
        indexes = hits.marked(number, "ds")
        if not indexes or number > len(lines):
            continue
        context = _Context(lines, number, verify)
        raw = raws[number - 1]
        if not windows.is_long(len(raw)):
            line = lines[number - 1].rstrip()
            matches, silenced = _ds_line(ds, indexes, path, line, number, context, None)
        else:
            matches, silenced = _ds_long(ds, hits, path, lines, raw, number, context, tick, done)
            done += len(raw)
        found.extend(matches)
        if silenced:
            ignored.append(number)
    return found, ignored


class _Context:
    """A marked line's code snippet (detect-secrets' ``CodeSnippet``: the line and five on
    each side), built when first asked for. Its plugins take it only to verify a secret, which
    nhiscan never enables (``plugins.configure``), and its filters only for a line where a
    plugin found something: most marked lines never need it."""

    __slots__ = ("_lines", "_number", "_snippet", "verify")

    def __init__(self, lines: Sequence[str], number: int, verify: bool) -> None:
        self._lines, self._number, self.verify = lines, number, verify
        self._snippet: Any = None

    @property
    def snippet(self) -> Any:
        if self._snippet is None:
            from detect_secrets.util.code_snippet import get_code_snippet

            # It only slices them (a list either way; engine.DecodedLines decodes just those).
            lines = cast("list[str]", self._lines)
            self._snippet = get_code_snippet(lines=lines, line_number=self._number)
        return self._snippet


def _ds_long(
    ds: Sequence[Any],
    hits: Hits,
    path: str,
    lines: Sequence[str],
    raw: bytes,
    number: int,
    context: _Context,
    tick: Tick,
    done: int,
) -> tuple[list[Match], bool]:
    """A long line, window by window; its line filters are decided once, on the whole line."""
    found: list[Match] = []
    for index, indexes in hits.windows(number, "ds"):
        text = windows.decoded(raw, windows.window(len(raw), index))
        tick(done + text_end(raw, index))
        piece = text.text.rstrip() if text.hi == len(text.text) else text.text
        snippet = _Context([piece], 1, context.verify)
        matches, _ = _ds_line(ds, indexes, path, piece, number, snippet, text, check=False)
        if matches and not found:  # the first: the line's own filters decide, once
            filtered = _long_line_filtered(path, lines[number - 1], context)
            if filtered is not None:
                return [], filtered
        found.extend(matches)
    return found, False


def text_end(raw: bytes, index: int) -> int:
    return windows.window(len(raw), index).end


def _long_line_filtered(path: str, line: str, context: _Context) -> bool | None:
    """``_line_filtered`` for a long line, without regex passes over it when they cannot
    match: detect-secrets' line filters are its allowlist pragma (the line or the one before
    must hold "pragma") and the indirect-reference heuristic (lines up to 1,000 characters)."""
    if "pragma" in line or "pragma" in context.snippet.previous_line:
        return _line_filtered(path, line, context)
    return True if NHISCAN_IGNORE in line else None


def _line_filtered(path: str, line: str, context: _Context) -> bool | None:
    """None when detect-secrets' line filters and nhiscan:ignore keep the line; else whether
    it is silenced by an inline comment (counted as ignored)."""
    from detect_secrets.core.scan import _is_filtered_out

    snippet = context.snippet
    if _is_filtered_out(
        required_filter_parameters=["line"], filename=path, line=line, context=snippet
    ):
        return bool(_is_allowlisted(path, line, snippet))
    if NHISCAN_IGNORE in line:
        return True
    return None


def _ds_line(
    ds: Sequence[Any],
    indexes: list[int],
    path: str,
    line: str,
    number: int,
    context: _Context,
    owner: Text | None,
    *,
    check: bool = True,
) -> tuple[list[Match], bool]:
    """One line (or window, with its ``owner``): the matches, and whether the line was
    silenced by an inline comment (only asked when ``check``)."""
    from detect_secrets.core.scan import _is_filtered_out

    given = context.snippet if context.verify else None
    raw = [
        (ds[index], secret)
        for index in indexes
        for secret in ds[index].analyze_line(
            filename=path, line=line, line_number=number, context=given
        )
    ]
    if not raw:
        return [], False
    if check and (filtered := _line_filtered(path, line, context)) is not None:
        return [], filtered
    found: list[Match] = []
    for plugin, secret in raw:
        value = secret.secret_value
        if _is_filtered_out(
            required_filter_parameters=["secret"],
            filename=path,
            secret=value,
            plugin=plugin,
            line=line,
        ) or _is_filtered_out(
            required_filter_parameters=["context"],
            filename=path,
            secret=value,
            plugin=plugin,
            line=line,
            context=context.snippet,
        ):
            continue
        name = type(plugin).__name__
        rank = RANK_GENERIC if name in _GENERIC else RANK_SPECIFIC
        for whole, absorbed in _whole_tokens(plugin, line, value or ""):
            if owner is not None and not owner.owns_value(whole):
                continue
            found.append(
                Match(
                    detector=secret.type,
                    detectors=(secret.type,),
                    provider=None,
                    secret=whole,
                    line=number,
                    rank=rank,
                    absorbed=absorbed,
                )
            )
    return found, False


def run_nhi(
    detectors: Sequence[Detector],
    lines: Sequence[str],
    raws: Sequence[bytes],
    hits: Hits,
    tick: Tick = _quiet,
) -> tuple[list[Match], list[int]]:
    found: list[Match] = []
    ignored: list[int] = []
    done = 0
    for number in sorted(hits.lines):
        indexes = hits.marked(number, "nhi")
        if not indexes or number > len(lines):
            continue
        line = lines[number - 1]
        raw = raws[number - 1]
        if windows.is_long(len(raw)):
            matches = list(_nhi_long(detectors, hits, raw, number, tick, done))
            done += len(raw)
        else:
            matches = [m for i in indexes for m in _detect(detectors[i], line, number)]
        if matches and _silenced(line, lines[number - 2] if number > 1 else ""):
            ignored.extend(number for _ in matches)
            continue
        found.extend(matches)
    return found, ignored


def _nhi_long(
    detectors: Sequence[Detector], hits: Hits, raw: bytes, number: int, tick: Tick, done: int
) -> Iterator[Match]:
    for index, indexes in hits.windows(number, "nhi"):
        text = windows.decoded(raw, windows.window(len(raw), index))
        tick(done + text_end(raw, index))
        for i in indexes:
            yield from _detect(detectors[i], text.text, number, text)


def _whole_tokens(
    plugin: Any, line: str, value: str
) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """detect-secrets' GitHub and GitLab plugins report their pattern's first group, the
    token's prefix ("ghp", "glpat"), as the secret: every token would hash alike and look
    shared. For those plugins the secret is each whole token on the line that starts with the
    reported prefix; the reported value is kept as absorbed (what detect-secrets said)."""
    if type(plugin).__name__ not in plugins.PREFIX_GROUP_PLUGINS:
        return [(value, ())]
    wholes = [
        m.group(0)
        for regex in plugin.denylist
        for m in regex.finditer(line)
        if m.group(0).startswith(value)
    ]
    said = ((plugin.secret_type, value),)
    return [(whole, said) for whole in dict.fromkeys(wholes)] or [(value, ())]


def _detect(
    detector: Detector, line: str, number: int, owner: Text | None = None
) -> Iterator[Match]:
    for m in detector.pattern.finditer(line):
        if owner is not None and not owner.owns(m.start()):
            continue
        groups = m.groupdict()
        secret = groups.get("secret") or m.group(0)
        if detector.validate is not None and not detector.validate(secret):
            continue
        yield Match(
            detector=detector.name,
            detectors=(detector.name,),
            provider=detector.provider,
            secret=secret,
            line=number,
            rank=detector.rank,
            credential_id=groups.get("id"),
        )


_PRAGMA = re.compile(r"pragma: ?allowlist[ -]secret")
_PRAGMA_NEXT = re.compile(r"pragma: ?allowlist[ -]nextline[ -]secret")


def _silenced(line: str, previous: str) -> bool:
    return (
        NHISCAN_IGNORE in line
        or _PRAGMA.search(line) is not None
        or _PRAGMA_NEXT.search(previous) is not None
    )


def _is_allowlisted(path: str, line: str, context: Any) -> int:
    from detect_secrets.filters.allowlist import is_line_allowlisted

    return int(is_line_allowlisted(path, line, context))
