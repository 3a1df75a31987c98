"""``tools/azure-export.sh`` writes the folder ``--azure-export`` reads: each part the reader
reads (``layout.PARTS``) with the command the layout names, and no other; run against a
stand-in ``az`` answering from the fixture export, it writes the same files (Graph pages
merged), and the reader reads the same records from them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nhiscan.connectors.azure.offline.layout import PARTS, Part
from tests.connectors.azure.export import copy, load, read

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tools" / "azure-export.sh"
FAKE_AZ = Path(__file__).with_name("fake_az.py")
WRITES = re.compile(r"^\s*(?:optional )?(save|graph) \"?([^\s\"]+)\"?(?: \\)?\s*(.*)$")


def _written() -> dict[str, str]:
    """The script's writes: the path (ids as <id>) and the command (or the Graph URL)."""
    lines = SCRIPT.read_text().replace("\\\n", " ").splitlines()
    found: dict[str, str] = {}
    for line in lines:
        match = WRITES.match(line)
        if match is None or line.lstrip().startswith("#"):
            continue
        path = re.sub(r"\$\w+", "<id>", match[2])
        command = re.sub(r"\"?\$(sub|app|sp)\"?", "<id>", match[3]).replace('"', "")
        command = command.replace("$GRAPH", "https://graph.microsoft.com/v1.0")
        found[path] = re.sub(r"\$tenant", "<tenantId>", re.sub(r"\s+", " ", command)).strip()
    return found


def _expected(part: Part) -> str:
    return f"{part.path}<id>.json" if part.folder else part.path


def test_the_script_writes_every_part_the_reader_reads_and_no_other() -> None:
    written = _written()
    assert set(written) == {_expected(part) for part in PARTS}


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.path)
def test_each_part_is_written_with_the_command_the_layout_names(part: Part) -> None:
    command = _written()[_expected(part)]
    named = part.command.removesuffix(" (every page)")
    if named.startswith("az rest --url "):
        assert command == named.removeprefix("az rest --url ")  # `graph` pages it
    else:
        assert command == named


@pytest.mark.skipif(shutil.which("bash") is None, reason="the script is a bash script")
def test_the_script_run_against_az_writes_the_export_the_reader_reads(tmp_path: Path) -> None:
    pytest.importorskip("jmespath")
    fixture = copy(tmp_path)
    (fixture / "app-owners" / "c3000000-0000-4000-8000-000000000003.json").unlink()  # refused
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    az = bin_dir / "az"
    az.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_AZ}" "$@"\n')
    az.chmod(0o755)
    out = tmp_path / "written"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "AZ_FIXTURE": str(fixture)}
    done = subprocess.run(["bash", str(SCRIPT), str(out)], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "not written (nhiscan records a gap): app-owners/c3000000" in done.stderr
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files == {p.relative_to(fixture).as_posix() for p in fixture.rglob("*") if p.is_file()}
    for name in files:
        written, expected = load(out / name), load(fixture / name)
        if isinstance(expected, dict) and "value" in expected and "@odata.context" in expected:
            assert written == {"value": expected["value"]}  # every page, in order
        else:
            assert written == expected, name
    assert _shown(read(out)) == _shown(read(fixture))


def _shown(records: list[object]) -> list[str]:
    """Records as text, without the folder's path (gap details name it)."""
    return sorted(re.sub(r"/\S*/(written|export)/", "DIR/", repr(r)) for r in records)
