"""Where an export's log files are, and their bytes to records: shared by the GCP Cloud Audit
Logs and Azure Activity Log / Entra sign-in readers.

A location is a file or a folder (walked); a folder or file that cannot be read is a
``CollectionGap`` (that part of the log is unknown, not empty), a location that does not exist
a ``ConnectorError``. Files may be gzip (every member read; one cut short is an error naming
it). Their JSON is either one record per line (what a Cloud Storage sink or a diagnostic setting
writes) or one array (what ``gcloud logging read --format=json`` and ``az monitor activity-log
list`` print); a line or element that is not a record is an error naming the file and the line.
Files are skipped by the day their path names when it is outside the window (a file holds
events of its hour or day, written minutes late: a day's slack after the window).
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Generic, TypeVar

import msgspec

from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import CollectionGap, GapReason, Provider

T = TypeVar("T")
_GZIP = b"\x1f\x8b"
_BYTE = re.compile(r"\(byte (\d+)\)")
_INDEX = re.compile(r"`\$\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class LogFile:
    name: str  # its path
    day: date | None  # the day its path names (None: not in a known layout)


@dataclass(frozen=True, slots=True)
class Found:
    files: list[LogFile]
    skipped: int  # outside the window by their path's day
    gaps: list[CollectionGap]


def find(
    location: str,
    *,
    flag: str,
    provider: Provider,
    suffixes: tuple[str, ...],
    day_of: Callable[[str], date | None],
    window: tuple[date, date],
) -> Found:
    """The log files under ``location`` within ``window`` (first and last day), by name."""
    root = Path(location)
    gaps: list[CollectionGap] = []
    if root.is_file():
        names = [str(root)]
    elif root.is_dir():
        names = []

        def unreadable(error: OSError) -> None:
            gaps.append(gap(provider, location, str(error.filename or location), error))

        for folder, _, files in os.walk(root, onerror=unreadable):
            names.extend(os.path.join(folder, name) for name in files)
    else:
        raise ConnectorError(
            f"{flag} {location}: no such file or folder; give the folder an export writes to "
            "or one log file"
        )
    first, last = window[0], window[1] + timedelta(days=1)
    found, skipped = [], 0
    for name in sorted(names):
        if not name.endswith(suffixes) and name != str(root):
            continue
        day = day_of(name.replace(os.sep, "/"))
        if day is not None and not first <= day <= last:
            skipped += 1
            continue
        found.append(LogFile(name, day))
    return Found(found, skipped, gaps)


def read(item: LogFile, provider: Provider, location: str) -> bytes | CollectionGap:
    """The file's bytes, gunzipped when gzip; a gap when it cannot be read."""
    try:
        data = Path(item.name).read_bytes()
    except OSError as exc:
        return gap(provider, location, item.name, exc)
    return gunzip(data, item.name) if data.startswith(_GZIP) else data


def gap(provider: Provider, location: str, subject: str, exc: OSError) -> CollectionGap:
    return CollectionGap(
        provider=provider,
        scope=location,
        operation="read",
        reason=GapReason.ACCESS_DENIED if isinstance(exc, PermissionError) else GapReason.FAILED,
        detail=f"{exc.strerror or type(exc).__name__}: {subject}"[:500]
        + " (that part of the log was not read: its activity is unknown, not absent)",
        subject=subject,
    )


def gunzip(data: bytes, source: str) -> bytes:
    """The bytes of every gzip member in ``data``; ConnectorError naming ``source`` when the
    file is not gzip or is cut short."""
    out: list[bytes] = []
    while data:
        inflater = zlib.decompressobj(wbits=31)
        try:
            out.append(inflater.decompress(data))
            out.append(inflater.flush())
        except zlib.error as exc:
            raise ConnectorError(f"{source}: not a readable gzip file ({exc})") from None
        if not inflater.eof:
            raise ConnectorError(
                f"{source}: the gzip data is cut short (truncated file); copy it again"
            )
        data = inflater.unused_data
    return b"".join(out)


@dataclass(frozen=True, slots=True)
class Decoders(Generic[T]):
    """One record (a line) and an array of them (a whole file), of one struct type."""

    one: msgspec.json.Decoder[T]
    many: msgspec.json.Decoder[list[T]]

    @classmethod
    def of(cls, struct: type[T]) -> Decoders[T]:
        many: msgspec.json.Decoder[list[T]] = msgspec.json.Decoder(list[struct])  # type: ignore[valid-type]
        return cls(msgspec.json.Decoder(struct), many)


def records(data: bytes, source: str, decoders: Decoders[T], expected: str) -> list[T]:
    """The records of a file: a JSON array, or one JSON object per line (blank lines
    skipped). ConnectorError naming the file, the line and what was expected otherwise."""
    body = data.lstrip()
    if body.startswith(b"["):
        try:
            return decoders.many.decode(body)
        except msgspec.DecodeError as exc:
            raise ConnectorError(
                f"{source}:{_line_of(data, body, str(exc))}: not {expected} ({exc})"
            ) from None
    found: list[T] = []
    decode = decoders.one.decode
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line or line.isspace():
            continue
        try:
            found.append(decode(line))
        except msgspec.DecodeError as exc:
            raise ConnectorError(
                f"{source}:{number}: not {expected} ({exc}); a cut line means a truncated "
                "file: copy it again"
            ) from None
    return found


def line_of_record(data: bytes, index: int) -> int:
    """The line where the file's ``index``-th record (from 1) starts: in an array, its
    element's; in JSON lines, the ``index``-th line that is not blank."""
    body = data.lstrip()
    if body.startswith(b"["):
        return _element_line(data, len(data) - len(body), index - 1)
    seen = 0
    for number, line in enumerate(data.split(b"\n"), 1):
        if line and not line.isspace():
            seen += 1
            if seen == index:
                return number
    return 0


def _line_of(data: bytes, body: bytes, message: str) -> int:
    """The line of an array's decoding error: from the byte offset msgspec names for bad JSON,
    else from the element's index (counting the element's opening line)."""
    offset = len(data) - len(body)
    byte = _BYTE.search(message)
    if byte is not None:
        return data.count(b"\n", 0, offset + int(byte[1])) + 1
    index = _INDEX.search(message)
    if index is None:
        return data.count(b"\n", 0, offset) + 1
    return _element_line(data, offset, int(index[1]))


def _element_line(data: bytes, offset: int, index: int) -> int:
    """The line where the array's element ``index`` starts (scanning its top-level commas)."""
    depth, seen, quoted, escaped = 0, 0, False, False
    for position in range(offset, len(data)):
        char = data[position]
        if quoted:
            if escaped:
                escaped = False
            elif char == 0x5C:
                escaped = True
            elif char == 0x22:
                quoted = False
            continue
        if char == 0x22:
            quoted = True
        elif char in (0x5B, 0x7B):
            depth += 1
            if depth == 2 and seen == index:
                return data.count(b"\n", 0, position) + 1
        elif char in (0x5D, 0x7D):
            depth -= 1
        elif char == 0x2C and depth == 1:
            seen += 1
    return data.count(b"\n", 0, offset) + 1


def walk_days(pattern: re.Pattern[str]) -> Callable[[str], date | None]:
    """A ``day_of`` for paths whose ``pattern`` captures year, month and day."""

    def day_of(name: str) -> date | None:
        found = pattern.search(name)
        if found is None:
            return None
        try:
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            return None

    return day_of
