"""Outputs and options checked before the expensive work, and outputs that cannot be written:
exit 2 with a message naming the path and the reason, before anything is collected, and a
scan whose reports are not all written is never recorded in the history store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nhiscan.app.config import Settings
from nhiscan.app.history import recorded
from nhiscan.app.options import Gate
from nhiscan.app.outputs import check_writable, resolve_outputs, write_output, write_reports
from nhiscan.app.pipeline import analyze
from nhiscan.cli import cli
from nhiscan.errors import ConfigError, OutputError
from nhiscan.reports.base import Format
from nhiscan.reports.model import Report
from nhiscan.store import open_store
from tests.factories import NOW, access_key, days_ago, snapshot, user

LISTING = ": listing ("  # the git connector's first progress line: collection started


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A plain directory to scan (the cheapest collection there is)."""
    path = tmp_path / "src"
    path.mkdir()
    (path / "app.py").write_text("print('hello')\n")
    return path


@pytest.fixture
def blocker(tmp_path: Path) -> Path:
    """A regular file where a folder is expected."""
    path = tmp_path / "blocker"
    path.write_text("not a folder\n")
    return path


def _store_runs(url: str) -> list[int]:
    store = open_store(url)
    try:
        return [run.id for run in store.runs()]
    finally:
        store.close()


# --- -o: directory, file, suffix and --format ---------------------------------------------


def test_a_suffix_and_a_format_that_disagree_are_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="the suffix says html, --format says json") as err:
        resolve_outputs(str(tmp_path / "x.html"), ("json",))
    assert "x.json" in str(err.value)  # what to do
    assert resolve_outputs(str(tmp_path / "x.html"), ("html",)) == [
        (Format.HTML, tmp_path / "x.html")
    ]


def test_a_dotted_name_that_is_no_format_and_no_folder_needs_a_slash_or_format(
    tmp_path: Path,
) -> None:
    out = tmp_path / "reports.2026-12"
    with pytest.raises(ConfigError, match="cannot tell the format") as err:
        resolve_outputs(str(out), ())
    assert f"-o {out}/" in str(err.value) and "--format" in str(err.value)
    assert resolve_outputs(str(out) + "/", ()) == [
        (Format.JSON, out / "report.json"),
        (Format.HTML, out / "report.html"),
    ]
    with pytest.raises(ConfigError, match=r"is one file: .*end it with a slash"):
        resolve_outputs(str(out), ("json", "sarif"))


# --- writing ---------------------------------------------------------------------------------


def test_write_output_creates_folders_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.json"
    write_output(target, b"{}")
    write_output(target, b'{"v": 2}')
    assert target.read_bytes() == b'{"v": 2}'
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    write_output(link, b'{"v": 3}')
    assert link.is_symlink() and target.read_bytes() == b'{"v": 3}'


def test_an_unwritable_output_is_an_output_error_naming_path_and_reason(
    tmp_path: Path, blocker: Path
) -> None:
    target = blocker / "out" / "report.json"
    with pytest.raises(OutputError) as err:
        write_output(target, b"{}")
    message = str(err.value)
    assert str(target) in message and "Not a directory" in message
    with pytest.raises(OutputError, match="blocker is a file, not a directory"):
        check_writable(target)
    with pytest.raises(OutputError, match="is a directory; give a file name"):
        check_writable(tmp_path)
    check_writable(tmp_path / "new" / "report.json")  # a folder that will be created: fine


# --- checked before collecting ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--store", "nosuch://x"), "--store nosuch://x"),
        (("-o", "{tmp}/reports.2026-12"), "-o {tmp}/reports.2026-12/"),
        (("-o", "{tmp}/x.html", "--format", "json"), "the suffix says html"),
        (("-o", "{tmp}/blocker/out/"), "blocker is a file, not a directory"),
        (("--store", "sqlite:///{tmp}/blocker/h.db"), "cannot open the store"),
    ],
)
def test_bad_options_fail_before_anything_is_collected(
    tmp_path: Path, source: Path, blocker: Path, args: tuple[str, ...], expected: str
) -> None:
    given = [a.format(tmp=tmp_path) for a in args]
    if "-o" not in given:
        given += ["-o", str(tmp_path / "out") + "/"]
    result = invoke("scan", "--repo", str(source), *given)
    assert result.exit_code == 2, result.output
    assert expected.format(tmp=tmp_path) in result.stderr
    assert LISTING not in result.stderr  # the connector never started
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "reports.2026-12").exists()


def test_a_dotted_folder_with_a_slash_gets_the_reports(tmp_path: Path, source: Path) -> None:
    out = tmp_path / "reports.2026-12"
    result = invoke("scan", "--repo", str(source), "--no-store", "-o", f"{out}/")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "report.html", "report.json", "snapshot.graph.json.gz", "snapshot.json",
    ]  # fmt: skip


def test_an_unwritable_output_exits_2_and_records_no_run(
    tmp_path: Path, source: Path, blocker: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'history.db'}"
    result = invoke("scan", "--repo", str(source), "--store", url, "-o", str(blocker / "r.json"))
    assert result.exit_code == 2
    assert f"-o {blocker / 'r.json'}: cannot write it" in result.stderr
    assert LISTING not in result.stderr
    assert _store_runs(url) == []


@pytest.mark.parametrize(
    "command",
    [
        ("collect", "--repo", "{src}", "-o", "{out}"),
        ("inventory", "--aws-gaad", "{gaad}", "-o", "{out}"),  # the queries take no --repo
        ("baseline", "create", "--repo", "{src}", "-o", "{out}"),
        ("graph", "export", "--aws-gaad", "{gaad}", "--format", "json", "-o", "{out}"),
    ],
)
def test_every_command_checks_its_output_before_collecting(
    source: Path, blocker: Path, command: tuple[str, ...]
) -> None:
    out = blocker / "file.json"
    gaad = blocker.parent / "no-such-gaad.json"  # reading it first would fail on it instead
    result = invoke(*(a.format(src=source, out=out, gaad=gaad) for a in command))
    assert result.exit_code == 2, result.output
    assert f"-o {out}: cannot write it: {blocker} is a file" in result.stderr
    assert LISTING not in result.stderr


def test_compile_reports_an_unwritable_plan(tmp_path: Path, blocker: Path) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(
        "version: 1\ndefaults:\n  aws: {account: '123456789012', region: eu-west-1}\nagents:\n"
        "  - name: reader\n    owner: team-a\n"
        "    identities: [arn:aws:iam::123456789012:role/reader]\n"
        "    steps:\n      - read: s3://docs/*\n"
    )
    result = invoke("compile", str(agents), "-o", str(blocker / "plan.json"))
    assert result.exit_code == 2, result.output
    assert f"-o {blocker / 'plan.json'}: cannot write it" in result.stderr


# --- recorded only once the reports are written ---------------------------------------------


def _report_and_gate() -> tuple[Report, Gate]:
    bot = user("bot")
    snap = snapshot(bot, access_key(bot, created=days_ago(400)))
    report = analyze(snap, settings=Settings(), now=NOW)
    gate = Gate(output=None, formats=(), fail_on=None, strict=False, now=NOW)
    return report, gate


def test_a_run_whose_reports_cannot_be_written_is_not_recorded(
    tmp_path: Path, blocker: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'history.db'}"
    report, gate = _report_and_gate()
    store = open_store(url)
    try:
        with pytest.raises(OutputError), recorded(store, report, gate, started=NOW) as view:
            write_reports(report, [(Format.JSON, tmp_path / "ok.json")], history=view)
            write_reports(report, [(Format.JSON, blocker / "report.json")], history=view)
        with pytest.raises(KeyboardInterrupt), recorded(store, report, gate, started=NOW):
            raise KeyboardInterrupt
        assert store.runs() == []
        with recorded(store, report, gate, started=datetime.now(UTC)) as view:
            write_reports(report, [(Format.JSON, tmp_path / "ok.json")], history=view)
        assert len(store.runs()) == 1
    finally:
        store.close()
