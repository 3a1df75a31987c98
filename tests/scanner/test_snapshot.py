from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nhiscan.errors import SnapshotError
from nhiscan.scanner import snapshot as snap
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    CredentialKind,
    CredentialStatus,
    GapReason,
    Group,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
    Resource,
    ResourceKind,
    ToolInfo,
)

T0 = datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
ROLE = "arn:aws:iam::123456789012:role/agent"
USER = "arn:aws:iam::123456789012:user/svc"


def _records() -> list[object]:
    return [
        Account(provider=Provider.AWS, id="123456789012", parents=("r-ab12", "ou-ab12-x")),
        Identity(
            provider=Provider.AWS, id=ROLE, name="agent", kind=IdentityKind.IAM_ROLE,
            account="123456789012", created=T0, tags={"owner": "team@example.com"},
            policies=("arn:aws:iam::aws:policy/ReadOnlyAccess", f"{ROLE}#inline/x"),
            trust_policy=f"{ROLE}#trust", max_session_seconds=3600, service_linked=False,
        ),
        Identity(
            provider=Provider.AWS, id=USER, name="svc", kind=IdentityKind.IAM_USER,
            account="123456789012", console_access=False, mfa_devices=0, is_human=False,
            human_reason="tag type=service",
        ),
        Group(provider=Provider.AWS, id="arn:aws:iam::123456789012:group/g", name="g",
              account="123456789012"),
        Credential(
            provider=Provider.AWS, id="AKIAIOSFODNN7EXAMPLE", identity=USER,
            kind=CredentialKind.ACCESS_KEY, account="123456789012",
            status=CredentialStatus.ACTIVE, created=T0, last_used=None,
        ),
        Policy(
            provider=Provider.AWS, id=f"{ROLE}#trust", name="trust", kind=PolicyKind.TRUST,
            account="123456789012",
            document={"Statement": [{"Effect": "Allow", "Principal": {"Service": "x"},
                                     "Action": "sts:AssumeRole",
                                     "Condition": {"NumericLessThan": {"k": 1.5}}}]},
        ),
        Resource(provider=Provider.AWS, id="arn:aws:s3:::b", name="b",
                 kind=ResourceKind.S3_BUCKET, account="123456789012", region="eu-west-1"),
        CollectionGap(provider=Provider.AWS, scope="123456789012", operation="iam:ListAccessKeys",
                      reason=GapReason.ACCESS_DENIED, detail="AccessDenied: no", subject=USER),
    ]  # fmt: skip


def _snapshot() -> snap.Snapshot:
    return snap.build_snapshot(
        _records(),  # type: ignore[arg-type]
        tool=ToolInfo(name="nhiscan", version="0.1.0"),
        collected_at=T0,
        sources=("aws:default-chain",),
    )


def test_snapshot_round_trips_exactly(tmp_path: Path) -> None:
    original = _snapshot()
    path = tmp_path / "s.json"
    snap.save(original, path)
    loaded = snap.load(path)
    assert loaded == original
    assert snap.to_json(loaded) == path.read_text()


def test_snapshot_json_uses_iso_utc_and_schema_version() -> None:
    data = json.loads(snap.to_json(_snapshot()))
    assert data["schema_version"] == snap.SCHEMA_VERSION
    assert data["collected_at"] == "2025-03-04T05:06:07.123456Z"
    assert data["identities"][0]["created"] == "2025-03-04T05:06:07.123456Z"
    assert data["identities"][0]["kind"] == "iam-role"


def test_build_snapshot_drops_exact_duplicates_only() -> None:
    records = _records()
    built = snap.build_snapshot(
        records + records[:3],  # type: ignore[arg-type]
        tool=ToolInfo(name="nhiscan", version="0"), collected_at=T0, sources=(),
    )  # fmt: skip
    assert len(built.identities) == 2
    assert len(built.accounts) == 1


def test_duplicates_are_compared_whole_not_by_id() -> None:
    """Records that differ only inside a mapping (tags) are both kept; equal ones built apart
    (equal, not identical, mappings) are one."""
    from tests.factories import user

    tagged = user("bot", tags={"owner": "a"})
    retagged = user("bot", tags={"owner": "b"})
    again = user("bot", tags={"owner": "a"})
    built = snap.build_snapshot(
        [tagged, retagged, again], tool=ToolInfo(name="nhiscan", version="0"),
        collected_at=T0, sources=(),
    )  # fmt: skip
    assert built.identities == (tagged, retagged)


def test_unknown_schema_version_is_a_clear_error(tmp_path: Path) -> None:
    data = json.loads(snap.to_json(_snapshot()))
    data["schema_version"] = snap.SCHEMA_VERSION + 1
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data))
    with pytest.raises(
        SnapshotError,
        match=rf"future\.json.*schema version {snap.SCHEMA_VERSION + 1} is not supported",
    ):
        snap.load(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", r"not valid JSON \(line 1"),
        ("[]", "not an nhiscan snapshot"),
        ('{"schema_version": "1"}', "must be an integer"),
        ('{"schema_version": 1, "tool": {"name": "x", "version": "1"}}', "collected_at"),
    ],
)
def test_malformed_snapshots_name_the_file_and_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(SnapshotError, match=message) as info:
        snap.load(path)
    assert str(path) in str(info.value)


def test_bad_record_field_is_reported() -> None:
    data = json.loads(snap.to_json(_snapshot()))
    data["identities"][0]["kind"] = "robot"
    with pytest.raises(SnapshotError, match="robot"):
        snap.from_json(json.dumps(data))
    data = json.loads(snap.to_json(_snapshot()))
    data["credentials"][0]["surprise"] = 1
    with pytest.raises(SnapshotError, match="unknown fields: surprise"):
        snap.from_json(json.dumps(data))


def test_missing_file_is_a_snapshot_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot read snapshot"):
        snap.load(tmp_path / "nope.json")


def test_a_version_1_snapshot_is_upgraded_with_empty_repository_sections(tmp_path: Path) -> None:
    data = json.loads(snap.to_json(_snapshot()))
    for key in ("exposures", "repositories", "skipped"):
        del data[key]
    data["schema_version"] = 1
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(data))
    loaded = snap.load(path)
    assert loaded.exposures == () and loaded.repositories == () and loaded.skipped == ()
    assert loaded.identities == _snapshot().identities
