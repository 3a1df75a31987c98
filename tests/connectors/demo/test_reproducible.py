"""The demo estate is the same on every run: two scans of it recorded in one store differ in
nothing, so a newcomer's second `nhiscan scan --demo` shows an honest "no change"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli


def _scan(out: Path, store: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["scan", "--demo", "-o", str(out), "--store", store],
                                catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    snapshot: dict[str, object] = json.loads((out / "snapshot.json").read_text())
    return snapshot


def _ids(snapshot: dict[str, object], kind: str, *fields: str) -> list[tuple[object, ...]]:
    records = snapshot[kind]
    assert isinstance(records, list) and records
    return sorted(tuple(record.get(f) for f in fields) for record in records)


@pytest.mark.slow
def test_two_demo_scans_show_no_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    store = f"sqlite:///{tmp_path / 'history.db'}"
    first = _scan(tmp_path / "one", store)
    second = _scan(tmp_path / "two", store)
    for kind, fields in (
        ("credentials", ("identity", "id")),
        ("resources", ("id",)),
        ("exposures", ("id", "commit", "secret_hash")),
    ):
        assert _ids(first, kind, *fields) == _ids(second, kind, *fields), kind
    result = CliRunner().invoke(cli, ["diff", "--store", store, "--format", "json"])
    assert result.exit_code == 0, result.output
    drift = json.loads(result.output)
    assert drift["before"]["id"] != drift["after"]["id"]
    changes = {key: value for key, value in drift.items() if key not in ("before", "after")}
    assert changes and not any(changes.values()), changes
