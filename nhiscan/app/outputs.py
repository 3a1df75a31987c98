"""Outputs: where ``-o`` sends reports, checked before the expensive work, and written whole.

- ``resolve_outputs``: ``-o`` as a directory, one file, or ``-`` (standard output), with the
  formats. A file's suffix and ``--format`` must agree; a suffix that is no report format on a
  path that is no existing directory is refused (end it with ``/`` for a new directory).
- ``check_writable``: a path that cannot be written fails at once (exit 2), before an hour of
  collection, not after it.
- ``write_output``: the bytes go to a temporary file beside the path, renamed into place, so
  no reader sees half a report and an interrupted write leaves the previous file. Any OS
  error is an ``OutputError`` naming the path and the reason (exit 2), never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from nhiscan.errors import ConfigError, OutputError
from nhiscan.reports.base import Format, reporter
from nhiscan.reports.model import Report
from nhiscan.scanner.history.view import HistoryView

DEFAULT_REPORT_DIR = "nhiscan-report"
DEFAULT_FORMATS = (Format.JSON, Format.HTML)
_SUFFIXES = {f".{f.value}": f for f in Format}

Target = tuple[Format, Path | None]  # None: standard output


def resolve_outputs(output: str | None, formats: tuple[str, ...]) -> list[Target]:
    """-o as a directory (report.<fmt> for each format), a single file, or - for stdout."""
    chosen = [Format(f) for f in dict.fromkeys(formats)]
    if output == "-":
        if len(chosen) > 1:
            raise ConfigError("-o - writes one format to standard output: give one --format")
        return [(chosen[0] if chosen else Format.JSON, None)]
    path = Path(output or DEFAULT_REPORT_DIR)
    as_dir = output is None or output.endswith(("/", "\\")) or path.is_dir() or path.suffix == ""
    if as_dir:
        return [(fmt, path / fmt.filename) for fmt in chosen or DEFAULT_FORMATS]
    assert output is not None
    return [(_file_format(output, path, chosen), path)]


def _file_format(output: str, path: Path, chosen: list[Format]) -> Format:
    """The one format of ``-o FILE``: its suffix's, or --format's; they must agree."""
    if len(chosen) > 1:
        raise ConfigError(
            f"-o {output} is one file: give a directory for several formats "
            f"(end it with a slash: -o {output}/)"
        )
    by_suffix = _SUFFIXES.get(path.suffix.lower())
    if not chosen:
        if by_suffix is None:
            known = ", ".join(_SUFFIXES)
            raise ConfigError(
                f"-o {output}: cannot tell the format from the suffix {path.suffix!r} (report "
                f"files end in {known}) and no such directory exists. For a new directory end "
                f"it with a slash (-o {output}/); for one file of a format, add --format"
            )
        return by_suffix
    if by_suffix is not None and chosen[0] is not by_suffix:
        raise ConfigError(
            f"-o {output} --format {chosen[0].value}: the suffix says {by_suffix.value}, "
            f"--format says {chosen[0].value}; name the file "
            f"{path.with_suffix('.' + chosen[0].value).name}, or drop --format"
        )
    return chosen[0]


def prepare_outputs(
    output: str | None, formats: tuple[str, ...], *, snapshot_copy: bool = False
) -> list[Target]:
    """``resolve_outputs``, each file (and the snapshot copy and reach graph a scan writes
    beside reports in a directory) checked as writable: call it before collecting."""
    targets = resolve_outputs(output, formats)
    paths = [path for _, path in targets if path is not None]
    copy = snapshot_copy_path(targets) if snapshot_copy else None
    beside = [copy, graph_path(copy)] if copy is not None else []
    for path in [*paths, *beside]:
        check_writable(path)
    return targets


def snapshot_copy_path(targets: list[Target]) -> Path | None:
    """Where a scan copies its snapshot: beside the reports when -o names a directory."""
    paths = [t for _, t in targets if t is not None]
    if paths and all(p.name == fmt.filename for fmt, p in targets if p is not None):
        return paths[0].parent / "snapshot.json"
    return None


def graph_path(snapshot: Path) -> Path:
    """Where the reach graph of the snapshot file ``snapshot`` is stored (``app/graphs.py``):
    ``snapshot.json`` -> ``snapshot.graph.json.gz`` (another name: the name +
    ``.graph.json.gz``)."""
    stem = snapshot.stem if snapshot.suffix == ".json" else snapshot.name
    return snapshot.with_name(stem + ".graph.json.gz")


def check_writable(path: Path, *, option: str = "-o") -> None:
    """OutputError now when ``path`` cannot be written later: it is a directory, a parent is
    a file, or the nearest existing folder (or the file) is not writable."""
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a directory; give a file name")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{option} {path}: cannot write it: {_denied(path.parent)}")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(
            f"{option} {path}: cannot write it: {folder} is a file, not a directory; "
            "choose another path"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {path}: cannot write it in {folder}: {_denied(folder)}")


def _denied(folder: Path) -> str:
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    reason = os.strerror(errno.EROFS if read_only else errno.EACCES)
    return f"{reason}; choose a writable file or directory"


def temporary(path: Path) -> Path:
    """Where ``write_output`` writes ``path``'s data before it replaces ``path`` with it."""
    return path.with_name(f".{path.name}.nhiscan-tmp")


def write_output(path: Path, data: bytes, *, option: str = "-o") -> None:
    """Write ``data`` to ``path`` whole (parents created); OutputError when it cannot be."""
    if path.is_symlink():  # write where it points, as writing in place did
        path = Path(os.path.realpath(path))
    if path.exists() and not path.is_file():  # /dev/stdout, a named pipe: written in place
        with _as_output_error(option, path, path):
            path.write_bytes(data)
        return
    tmp = temporary(path)
    try:
        with _as_output_error(option, path, tmp):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            tmp.replace(path)
    except BaseException:  # an OS error, or an interrupt: no temporary file left behind
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


@contextmanager
def _as_output_error(option: str, path: Path, tmp: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        culprit = exc.filename if exc.filename not in (None, str(path), str(tmp)) else None
        where = f" ({culprit})" if culprit is not None else ""
        raise OutputError(
            f"{option} {path}: cannot write it{where}: {exc.strerror or exc}; choose a "
            "writable file or directory"
        ) from exc


def write_reports(
    report: Report, targets: list[Target], *, history: HistoryView | None = None
) -> None:
    for fmt, target in targets:
        data = reporter(fmt).render(report, history=history)
        if target is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            continue
        write_output(target, data)
        click.echo(f"wrote {target}", err=True)
