"""Snapshot files of the wrong shape: every error names the file, the record and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nhiscan.app import snapshots
from nhiscan.errors import SnapshotError
from nhiscan.scanner import snapshot as snap
from tests.scanner.test_snapshot import ROLE, USER, _snapshot

Change = Callable[[dict[str, Any]], Any]


def load_changed(tmp_path: Path, change: Change) -> snap.Snapshot:
    data = json.loads(snap.to_json(_snapshot()))
    change(data)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(data))
    return snapshots.load(path)


def error(tmp_path: Path, change: Change) -> str:
    with pytest.raises(SnapshotError) as info:
        load_changed(tmp_path, change)
    text = str(info.value)
    assert text.startswith(f"{tmp_path / 'snap.json'}: "), text
    return text


@pytest.mark.parametrize(
    "key",
    ["identities", "credentials", "policies", "gaps", "tool", "collected_at", "sources"],
)
def test_every_top_level_key_is_required(tmp_path: Path, key: str) -> None:
    text = error(tmp_path, lambda d: d.pop(key))
    assert f"the snapshot has no {key!r}" in text


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("identities", {}, "identities: expected a list of records, got an object"),
        ("identities", None, "identities: expected a list of records, got null"),
        ("tool", [], "tool: expected an object"),
        ("sources", ["a", 3], "sources[1]: expected a string, got integer 3"),
        ("collected_at", "yesterday", "collected_at: expected an ISO 8601 date-time"),
    ],
)
def test_top_level_values_of_the_wrong_type(
    tmp_path: Path, key: str, value: Any, expected: str
) -> None:
    assert expected in error(tmp_path, lambda d: d.__setitem__(key, value))


def test_an_unknown_top_level_key(tmp_path: Path) -> None:
    assert "unknown top-level keys identites" in error(tmp_path, lambda d: d.update(identites=[]))


def _set(list_name: str, index: int, field: str, value: Any) -> Change:
    return lambda d: d[list_name][index].__setitem__(field, value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set("identities", 0, "kind", "robot"),
         f"identities[0] ({ROLE}): kind: expected one of iam-user, iam-role"),
        (lambda d: d["identities"][1].pop("kind"),
         f"identities[1] ({USER}): kind: is missing (required in every Identity)"),
        (_set("identities", 0, "created", "not-a-date"),
         f"identities[0] ({ROLE}): created: expected an ISO 8601 date-time such as "),
        (_set("identities", 0, "policies", ["a", 5]),
         f"identities[0] ({ROLE}): policies[1]: expected a string, got integer 5"),
        (_set("identities", 0, "tags", {"owner": 5}),
         f"identities[0] ({ROLE}): tags.owner: expected a string"),
        (_set("credentials", 0, "identity", None),
         "credentials[0] (AKIAIOSFODNN7EXAMPLE): identity: expected a string, got null"),
        (_set("credentials", 0, "surprise", 1),
         "credentials[0] (AKIAIOSFODNN7EXAMPLE): surprise: Credential has unknown fields"),
        (_set("gaps", 0, "reason", "bored"), "gaps[0] (iam:ListAccessKeys): reason: expected"),
        (_set("identities", 1, "provider", "AWS"),
         f"identities[1] ({USER}): provider: expected one of aws, azure, gcp, git (a listed "
         "cloud or an installed provider); got 'AWS'; correct the record or collect again (or "
         "install the provider that wrote it)"),
        (lambda d: d["tool"].pop("name"),
         "tool: name: is missing"),
        (lambda d: d["identities"].__setitem__(1, "svc"),
         "identities[1]: expected an object, got string 'svc'"),
    ],
)  # fmt: skip
def test_record_errors_name_the_record_and_field(
    tmp_path: Path, change: Change, expected: str
) -> None:
    text = error(tmp_path, change)
    assert expected in text, text
    assert "collect again" in text or "tool" in expected


def test_a_credential_of_an_identity_not_in_the_snapshot(tmp_path: Path) -> None:
    text = error(tmp_path, lambda d: d["identities"].pop(1))
    assert f"credentials[0] (AKIAIOSFODNN7EXAMPLE): identity: {USER!r} is not among" in text


def test_a_credential_may_outlive_identities_a_recorded_gap_says_were_not_read(
    tmp_path: Path,
) -> None:
    # The live connector reads keys per user before GAAD's entries; an unreadable GAAD answer
    # is a gap on that call, and the keys stay (see scanner/snapshot_check.py).
    def change(data: dict[str, Any]) -> None:
        data["identities"].pop(1)
        data["gaps"].append({**data["gaps"][0], "operation": "iam:GetAccountAuthorizationDetails",
                             "reason": "failed", "subject": None})  # fmt: skip

    loaded = load_changed(tmp_path, change)
    assert len(loaded.credentials) == 1 and len(loaded.identities) == 1


def test_duplicate_ids_are_an_error(tmp_path: Path) -> None:
    text = error(tmp_path, lambda d: d["identities"].append(dict(d["identities"][0], name="b")))
    assert f"identities[0] and identities[2] have the same id {ROLE!r}" in text


def _statement(data: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = data["policies"][0]["document"]["Statement"][0]
    return statement


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.update(Action=5), "Action must be a string or a list of strings"),
        (lambda s: s.update(Effect="Maybe"), 'Effect must be "Allow" or "Deny"'),
        (lambda s: s.update(Effect="deny"), "(case-sensitive), got 'deny'"),
        (lambda s: s.pop("Effect"), "no Effect"),
        (lambda s: s.update(NotAction="iam:*"), "both Action and NotAction"),
        (lambda s: s.update(Resource=7), "Resource must be a string or a list"),
        (lambda s: s.update(Condition={"StringFrobnicates": {"k": "v"}}),
         "unknown condition operator 'StringFrobnicates'"),
    ],
)  # fmt: skip
def test_a_policy_aws_would_reject_is_an_error_naming_policy_carrier_and_statement(
    tmp_path: Path, change: Callable[[dict[str, Any]], Any], expected: str
) -> None:
    text = error(tmp_path, lambda d: change(_statement(d)))
    assert f"policies[0] ({ROLE}#trust), the trust policy of iam-role {ROLE}" in text
    assert "Statement[0]" in text and expected in text


def test_a_flawed_policy_a_live_scan_recorded_as_a_gap_is_read(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        _statement(data)["Condition"] = {"StringFrobnicates": {"k": "v"}}
        gap = {"operation": "policy-evaluation", "reason": "unreadable-policy"}
        data["gaps"].append({**data["gaps"][0], **gap, "subject": f"{ROLE}#trust"})

    loaded = load_changed(tmp_path, change)
    assert "StringFrobnicates" in loaded.policies[0].document["Statement"][0]["Condition"]


GCP_SA = "deployer@acme-prod.iam.gserviceaccount.com"
GCP_RESOURCE_KINDS = (
    "gcp-organization", "gcp-folder", "gcp-project", "gcs-bucket", "bigquery-dataset",
    "bigquery-table", "pubsub-topic", "pubsub-subscription", "gcp-secret", "gcp-kms-key",
    "compute-instance", "cloud-function", "cloud-run-service",
)  # fmt: skip


def _add_gcp_records(data: dict[str, Any], *, resource_kind: str | None = None) -> None:
    """GCP records of every kind the model lists for them (the snapshot of issue #14)."""
    gcp = {"provider": "gcp", "account": "acme-prod"}
    data["accounts"].append({"provider": "gcp", "id": "acme-prod", "native_id": "415104041262"})
    data["identities"] += [
        {**gcp, "id": GCP_SA, "name": "deployer", "kind": "service-account", "disabled": True},
        {**gcp, "id": "principal://pool/subject/ci", "name": "ci", "kind": "workload-identity"},
    ]
    data["credentials"] += [
        {**gcp, "id": "a" * 40, "identity": GCP_SA, "kind": "sa-key", "status": "inactive",
         "status_reason": "exposed", "origin": "user-provided"},
        {**gcp, "id": "b" * 40, "identity": GCP_SA, "kind": "sa-system-key"},
    ]  # fmt: skip
    data["policies"] += [
        {**gcp, "id": f"gcp-policy-{kind}", "name": kind, "kind": kind, "document": {}}
        for kind in ("iam-allow", "iam-deny", "custom-role")
    ]
    kinds = GCP_RESOURCE_KINDS if resource_kind is None else (resource_kind,)
    data["resources"] += [
        {**gcp, "id": f"//gcp/{kind}", "name": kind, "kind": kind} for kind in kinds
    ]


def test_gcp_records_of_the_listed_gcp_kinds_are_accepted(tmp_path: Path) -> None:
    loaded = load_changed(tmp_path, _add_gcp_records)
    assert {r.kind.value for r in loaded.resources if r.provider == "gcp"} == set(
        GCP_RESOURCE_KINDS
    )
    assert all(r.kind.listed for r in (*loaded.identities, *loaded.credentials, *loaded.policies))
    assert next(i for i in loaded.identities if i.id == GCP_SA).disabled is True
    assert next(a for a in loaded.accounts if a.id == "acme-prod").native_id == "415104041262"


def test_a_gcp_record_of_an_unlisted_kind_is_still_refused(tmp_path: Path) -> None:
    text = error(tmp_path, lambda d: _add_gcp_records(d, resource_kind="gcs_bucket"))
    assert "(//gcp/gcs_bucket): kind: expected one of s3-bucket" in text
    assert "got 'gcs_bucket'" in text
