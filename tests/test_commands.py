from __future__ import annotations

import io
from pathlib import Path

import pytest

from nhiscan.app.outputs import resolve_outputs
from nhiscan.app.progress import StderrProgress
from nhiscan.errors import ConfigError
from nhiscan.reports.base import Format


def test_output_directory_gets_every_format(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert resolve_outputs(str(out), ()) == [
        (Format.JSON, out / "report.json"),
        (Format.HTML, out / "report.html"),
    ]
    assert resolve_outputs(str(out) + "/", ("html",)) == [(Format.HTML, out / "report.html")]


def test_existing_directory_with_a_dot_is_a_directory(tmp_path: Path) -> None:
    out = tmp_path / "reports.v2"
    out.mkdir()
    assert resolve_outputs(str(out), ("json",)) == [(Format.JSON, out / "report.json")]


def test_output_file_format_from_suffix(tmp_path: Path) -> None:
    assert resolve_outputs(str(tmp_path / "r.html"), ()) == [(Format.HTML, tmp_path / "r.html")]
    assert resolve_outputs(str(tmp_path / "r.txt"), ("json",)) == [
        (Format.JSON, tmp_path / "r.txt")
    ]


def test_stdout_and_bad_combinations(tmp_path: Path) -> None:
    assert resolve_outputs("-", ()) == [(Format.JSON, None)]
    with pytest.raises(ConfigError, match="one format"):
        resolve_outputs("-", ("json", "html"))
    with pytest.raises(ConfigError, match="cannot tell the format"):
        resolve_outputs(str(tmp_path / "r.txt"), ())
    with pytest.raises(ConfigError, match="is one file"):
        resolve_outputs(str(tmp_path / "r.json"), ("json", "html"))


def test_progress_off_a_tty_prints_each_step_once() -> None:
    stream = io.StringIO()
    progress = StderrProgress(stream, interval=3600)
    for n in range(1, 51):
        progress(f"aws 123: users {n}/50")
    progress("aws 123: roles 1/10")
    progress.close()
    assert stream.getvalue().splitlines() == ["aws 123: users 1/50", "aws 123: roles 1/10"]
