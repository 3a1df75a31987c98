"""Baselines: keyed on fingerprints, order-stable, no timestamps, stale entries reported."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze, apply_baseline, exit_code
from nhiscan.errors import ConfigError
from nhiscan.scanner import baseline as b
from nhiscan.scanner.model import Severity
from tests.factories import NOW, exposure, snapshot

A = "AKIAZ7VRSQ5DXJQ4YEPX"
B = "AKIAQ2VRSQ5DXJQ4YEPA"
TOKEN_A = "ghp_" + "a1B2c3D4e5" * 3 + "F6g7H8i9J0"
TOKEN_B = "ghp_" + "k1L2m3N4o5" * 3 + "P6q7R8s9T0"


def _report(*secrets: str, **where: object):  # type: ignore[no-untyped-def]
    return analyze(snapshot(*(exposure(s, **where) for s in secrets)), settings=Settings(), now=NOW)  # type: ignore[arg-type]


def test_a_baselined_secret_no_longer_gates_and_a_new_one_does() -> None:
    accepted = b.create(_report(A).findings)
    later = apply_baseline(_report(A, B), accepted, source="base.json")
    assert [f.evidence["redacted"] for f in later.findings] == [B]  # an id: named whole
    assert {f.evidence["secret_hash"] for f in later.findings} != {
        f.evidence["secret_hash"] for f in later.baselined
    }
    assert len(later.baselined) == 1 and later.stale_baseline == ()
    assert exit_code(later, fail_on=Severity.HIGH, strict=False) == 1
    only_old = apply_baseline(_report(A), accepted, source="base.json")
    assert only_old.findings == () and exit_code(only_old, fail_on=Severity.LOW, strict=False) == 0


def test_moving_the_secret_keeps_it_baselined() -> None:
    accepted = b.create(_report(A, path="a.env", line=3, commit="1" * 40).findings)
    moved = apply_baseline(
        _report(A, path="conf/b.yaml", line=40, commit="2" * 40), accepted, source="x"
    )
    assert moved.findings == ()


def test_entries_that_match_nothing_are_stale() -> None:
    accepted = b.create(_report(A, B).findings)
    later = apply_baseline(_report(A), accepted, source="x")
    assert [e.rule_id for e in later.stale_baseline] == ["NHI200"]
    updated, dropped = b.update(accepted, _report(A).findings)
    assert len(updated.entries) == 1 and len(dropped) == 1


def test_the_file_is_sorted_has_no_timestamps_and_round_trips(tmp_path: Path) -> None:
    findings = _report(TOKEN_B, TOKEN_A).findings
    one = b.to_json(b.create(findings))
    two = b.to_json(b.create(reversed(findings)))
    assert one == two
    doc = json.loads(one)
    assert set(doc) == {"nhiscan_baseline", "entries"}
    assert all(set(e) <= {"fingerprint", "rule_id", "subject", "note"} for e in doc["entries"])
    assert TOKEN_A not in one and TOKEN_A[:4] in one  # secrets are named redacted
    path = tmp_path / "baseline.json"
    b.save(b.create(findings), path)
    assert b.load(path) == b.create(findings)


def test_notes_survive_an_update() -> None:
    accepted = b.create(_report(A).findings)
    noted = b.Baseline(entries=tuple(replace(e, note="test fixture") for e in accepted.entries))
    updated, _ = b.update(noted, _report(A, B).findings)
    assert [e.note for e in updated.entries if e.note] == ["test fixture"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("{}", "not an nhiscan baseline"),
        ('{"nhiscan_baseline": 1, "entries": {}}', "must be a list"),
        ('{"nhiscan_baseline": 1, "entries": [{"fingerprint": 1}]}', "entry 0 needs"),
    ],
)
def test_a_malformed_baseline_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        b.from_json(text, source="base.json")
