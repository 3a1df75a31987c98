"""What detect-secrets does to whole files before its plugins see lines, reproduced exactly
for bytes that are not on disk: its file filters, its INI and YAML transformers (and the eager
INI pass), and the cheap checks that tell when none of them can apply.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import cache
from typing import Any

from nhiscan.connectors.git.secrets.yamlfast import yaml_lines


class _Named(io.StringIO):
    """A text file object with a name, as detect-secrets' transformers expect."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name


def after_nextline_pragma(data: bytes, raw_lines: Sequence[bytes]) -> frozenset[int]:
    """Indexes of lines that follow a line mentioning "nextline" (detect-secrets' and
    nhiscan's ``allowlist nextline`` pragmas): what they yield depends on the line before."""
    if b"nextline" not in data.lower():
        return frozenset()
    return frozenset(i + 1 for i, line in enumerate(raw_lines) if b"nextline" in line.lower())


@cache
def ds_scans_file(path: str) -> bool:
    """detect-secrets' file filters: lock files, Swagger files and non-text extensions are not
    scanned by its plugins (its generic ones flood on integrity hashes). nhiscan's own
    detectors still read them."""
    from detect_secrets.core.scan import _is_filtered_out

    return not _is_filtered_out(required_filter_parameters=["filename"], filename=path)


def as_raw(lines: list[str]) -> bytes:
    """Transformed lines as the pre-filter reads a blob: bytes, one line per line (a value
    holding a newline has it as a space, which no literal or pattern depends on except
    "private key", where it can only add a mark), UTF-8 encoded, so positions are byte offsets
    and the pre-filter's latin-1 view never changes a length ('İ'.lower() is two characters)."""
    return b"\n".join(encoded(lines))


def encoded(lines: list[str]) -> list[bytes]:
    """Transformed lines as bytes, as ``as_raw`` reads them (positions agree)."""
    return [line.replace("\n", " ").encode("utf-8", "surrogatepass") for line in lines]


def transformed(data: bytes, path: str, *, eager: bool) -> list[str] | None:
    """detect-secrets' file transformers: INI with sections or YAML (first pass), INI-style
    config with a "[global]" header added (eager, only when the first pass found nothing).
    None when none applies or parsing fails."""
    if not eager and _yaml_only(data, path):
        try:
            lines = yaml_lines(data.decode("utf-8"))
        except UnicodeDecodeError:
            return None
        return [line.rstrip("\n") for line in lines] if lines else None
    from detect_secrets.transformers import get_transformers

    transformers: list[Any] = list(get_transformers())
    applicable = [t for t in transformers if t.is_eager == eager and t.should_parse_file(path)]
    if not applicable:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    from detect_secrets.transformers import get_transformed_file

    lines = get_transformed_file(_Named(text, path), use_eager_transformers=eager)  # type: ignore[arg-type]
    return [line.rstrip("\n") for line in lines] if lines else None


def _yaml_only(data: bytes, path: str) -> bool:
    """Whether the YAML transformer is the only first-pass transformer that can apply: a YAML
    file without a "[section]" first (detect-secrets tries its INI transformer first, and
    configparser stops at the first line that is not one). Its result, from libyaml
    (``yamlfast.py``), is detect-secrets' own."""
    return _is_yaml(path) and not _starts_with_section(data)


def maybe_first(data: bytes, path: str) -> bool:
    """Whether a first-pass transformer could apply: detect-secrets' INI transformer (tried on
    every file, without an added header: configparser then needs a "[section]" line before
    any other, or it stops) or its YAML transformer (YAML files)."""
    return _starts_with_section(data) or _is_yaml(path)


def _is_yaml(path: str) -> bool:
    return _file_type(os.path.splitext(path)[1]) == "YAML"


def _of_no_known_type(path: str) -> bool:
    return _file_type(os.path.splitext(path)[1]) == "OTHER"


@cache
def _file_type(extension: str) -> str:
    """detect-secrets' file type, a function of the extension alone (``determine_file_type``
    builds its table on every call: once per blob was 5% of a working tree's scan)."""
    from detect_secrets.util.filetype import determine_file_type

    return determine_file_type(f"file{extension}").name


def _starts_with_section(data: bytes) -> bool:
    """configparser's rule: the first line that is not blank or a full-line comment ("#", ";")
    must start with "[" (after stripping whitespace), else MissingSectionHeaderError."""
    first = _first_content_line(data)
    return first is not None and first.startswith("[")


def _first_content_line(data: bytes) -> str | None:
    """The first line configparser reads as content (not blank, not a full-line "#" or ";"
    comment), stripped as it strips it; None when there is none. Lines are decoded with
    replacement: a blob that is not UTF-8 never reaches the transformers anyway."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        value = data[start:end].decode("utf-8", "replace").strip()
        start = end + 1
        if not value or value.startswith(("#", ";")):
            continue
        return value
    return None


def maybe_config(data: bytes, path: str) -> bool:
    """Whether detect-secrets' eager config transformer applies: files of no known type. It
    parses them as INI with a "[global]" header added (so .env files count), and only a line
    with a "=" or ":" delimiter can hold a value.

    It also cannot yield when the file's first content line is neither an option (no "=" or
    ":") nor a section header (no "["), as the "{" that opens a JSON document: that line
    directly follows the added header, so it cannot continue a value, and configparser records
    a parsing error, which fails the whole parse (raised at the end of the file). JSON data
    files are most of the files of no known type in real trees; parsing each as INI cost more
    than every plugin on their marked lines."""
    if not (b"=" in data or b":" in data) or not _of_no_known_type(path):
        return False
    first = _first_content_line(data)
    return first is not None and ("=" in first or ":" in first or first.startswith("["))
