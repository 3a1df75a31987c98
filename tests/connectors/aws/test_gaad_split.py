"""``--aws-gaad`` split into work units (issue #21): one unit per export file, whose records
build the same snapshot as the connector's own collection, an account held by two files
included."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from nhiscan.app import pipeline
from nhiscan.cluster.units import Splittable, UnitContext
from nhiscan.connectors.aws.gaad_file import GaadFileConnector
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.snapshot import build_snapshot, to_json

FIXTURE = Path(__file__).parents[2] / "data" / "aws" / "gaad-small.json"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _other_account(tmp_path: Path) -> Path:
    text = FIXTURE.read_text(encoding="utf-8").replace("111122223333", "444455556666")
    path = tmp_path / "other.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_file_is_a_unit_whose_records_build_the_same_snapshot(tmp_path: Path) -> None:
    again = tmp_path / "again.json"  # the same account in a second file
    again.write_text(json.dumps(json.loads(FIXTURE.read_text(encoding="utf-8"))), "utf-8")
    paths = [FIXTURE, _other_account(tmp_path), again]
    connector = GaadFileConnector(paths)
    assert isinstance(connector, Splittable)
    split = connector.split(UnitContext(now=NOW))
    assert [u.key for u in split.units] == [str(p) for p in paths]
    assert split.before == () and split.after == ()
    records = [r for u in split.units for r in u.task(u.payload, UnitContext(now=NOW))]
    units = build_snapshot(records, tool=pipeline.TOOL, collected_at=NOW,
                           sources=connector.sources)  # fmt: skip
    whole = pipeline.collect([connector], CollectContext(now=NOW))
    assert to_json(units) == to_json(whole)
    assert [a.id for a in whole.accounts] == ["111122223333", "444455556666"]
