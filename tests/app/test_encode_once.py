"""A scan encodes its snapshot once, for both the snapshot copy beside its reports and the run
recorded in the history store (plan of issue #13, 7.2)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nhiscan.app.config import Settings
from nhiscan.app.options import Gate
from nhiscan.app.outputs import prepare_outputs
from nhiscan.app.scan import _report
from nhiscan.scanner import snapshot as snapshots
from nhiscan.store import open_store
from nhiscan.store.history import load_run
from tests.factories import NOW, access_key, days_ago, snapshot, user


def test_the_copy_and_the_store_share_one_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = user("bot")
    snap = snapshot(bot, access_key(bot, created=days_ago(400)))
    encoded: list[Any] = []
    real = snapshots.encode

    def counting(value: Any) -> Any:
        if isinstance(value, snapshots.Snapshot):
            encoded.append(value)
        return real(value)

    monkeypatch.setattr(snapshots, "encode", counting)
    out = tmp_path / "out"
    gate = Gate(output=str(out), formats=("json",), fail_on=None, strict=False, now=NOW)
    targets = prepare_outputs(gate.output, gate.formats, snapshot_copy=True)
    store = open_store(f"sqlite:///{tmp_path / 'h.db'}")
    try:
        _report(snap, Settings(), gate, targets=targets, accepted=None,
                recording=(store, datetime.now(UTC)), snapshot_copy=True)  # fmt: skip
        (run,) = store.runs()
        stored = load_run(store, run.id).snapshot
    finally:
        store.close()
    assert len(encoded) == 1
    assert stored == snap
    # The copy is the indented file it always was, byte for byte.
    copy = out / "snapshot.json"
    assert copy.read_text(encoding="utf-8") == snapshots.to_json(snap)
