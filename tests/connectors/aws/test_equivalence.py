"""Live collection and a GAAD export of the same moto estate give the same IAM picture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nhiscan.connectors.aws.gaad_doc import merge_pages
from nhiscan.connectors.aws.gaad_file import GaadFileConnector
from nhiscan.scanner.model import Group, Identity, Policy, PolicyKind, Record
from tests.connectors.aws.conftest import World
from tests.connectors.aws.helpers import context

IDENTITY_FIELDS = (
    "id",
    "kind",
    "name",
    "account",
    "native_id",
    "path",
    "tags",
    "policies",
    "member_of",
    "permissions_boundary",
    "trust_policy",
    "created",
    "service_linked",
    "instance_profiles",
)
IAM_POLICY_KINDS = {
    PolicyKind.AWS_MANAGED,
    PolicyKind.CUSTOMER_MANAGED,
    PolicyKind.INLINE,
    PolicyKind.TRUST,
}


def identities(records: list[Record]) -> dict[str, dict[str, Any]]:
    return {
        r.id: {name: getattr(r, name) for name in IDENTITY_FIELDS}
        for r in records
        if isinstance(r, Identity)
    }


def iam_policies(records: list[Record]) -> dict[str, tuple[Any, ...]]:
    return {
        p.id: (p.kind, p.name, p.account, p.document, p.version, p.created, p.attached_to)
        for p in records
        if isinstance(p, Policy) and p.kind in IAM_POLICY_KINDS
    }


def groups(records: list[Record]) -> dict[str, Group]:
    return {g.id: g for g in records if isinstance(g, Group)}


def test_live_and_gaad_export_agree(world: World, tmp_path: Path) -> None:
    export = tmp_path / "gaad.json"
    # as the CLI writes it: one merged document, dates as strings
    export.write_text(json.dumps(merge_pages(world.gaad_pages), default=str, indent=2))
    offline = list(GaadFileConnector([export]).collect(context()))
    live = identities(world.records)
    assert identities(offline) == live
    assert len(live) == 5  # two users, three roles
    assert iam_policies(offline) == iam_policies(world.records)
    assert len(iam_policies(offline)) >= 8
    assert groups(offline) == groups(world.records)
    built = world.built
    assert live[built.user]["member_of"] == (built.group,)
    assert live[built.role]["permissions_boundary"] == built.boundary
