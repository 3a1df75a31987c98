"""``AwsConnector.split`` in this process (moto in memory, the local executor): the units of an
organization, what their payloads carry, and the event history's records, read per account and
merged on the client, where one collection puts them."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import boto3

from nhiscan.app import pipeline
from nhiscan.cluster.executor import LocalExecutor
from nhiscan.cluster.run import Cluster
from nhiscan.cluster.shards import ShardStore
from nhiscan.cluster.units import UnitContext
from nhiscan.connectors.aws.last_accessed import AccessAdvisorConfig
from nhiscan.connectors.aws.live import AwsConfig, AwsConnector
from nhiscan.connectors.aws.lookup_events import LookupConfig
from nhiscan.connectors.aws.units import KIND, AccountPayload, collect_account_unit
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import CollectionGap, Policy, PolicyKind
from nhiscan.scanner.snapshot import Snapshot, to_json
from tests.connectors.aws.estate import ACCOUNT, OTHER_REGION, REGION, build_org

ORG_ROLE = "OrganizationAccountAccessRole"
NOW = datetime(2026, 11, 10, tzinfo=UTC)
CONFIG = AwsConfig(org_role=ORG_ROLE, regions=(REGION, OTHER_REGION), max_workers=2,
                   lookup_events=LookupConfig(interval=0.0),
                   last_accessed=AccessAdvisorConfig(max_wait=1.0))  # fmt: skip


def _footprint_free(snapshot: Snapshot) -> Snapshot:
    """Without the organization role's last use, which each collection's AssumeRole sets."""
    identities = tuple(replace(i, last_used=None) if i.name == ORG_ROLE else i
                       for i in snapshot.identities)  # fmt: skip
    return replace(snapshot, identities=identities)


def test_the_split_names_each_account_and_carries_data_only(moto: None) -> None:
    org = build_org()
    split = AwsConnector(CONFIG).split(UnitContext(now=NOW))
    assert [u.key for u in split.units] == [ACCOUNT, org["member"]]
    management, member = split.units
    assert (member.kind, member.label) == (KIND, f"aws account {org['member']} (member)")
    assert member.task is collect_account_unit
    payload = member.payload
    assert isinstance(payload, AccountPayload) and payload.profile is None
    assert payload.role_arn == f"arn:aws:iam::{org['member']}:role/{ORG_ROLE}"
    assert management.payload.role_arn is None
    assert payload.view.parents == {org["member"]: (org["root"], org["ou"])}
    assert pickle.loads(pickle.dumps(payload)) == payload
    scps = [r for r in split.before if isinstance(r, Policy) and r.kind is PolicyKind.SCP]
    ids = [p.id for p in scps]
    assert org["scp"] in ids and len(set(ids)) == len(ids)  # read once, on the client


def test_the_event_history_split_by_account_lands_where_one_collection_puts_it(
    moto: None, tmp_path: Path
) -> None:
    org = build_org()
    boto3.client("iam").create_user(UserName="mgmt-bot")
    local = pipeline.collect([AwsConnector(CONFIG)], CollectContext(now=NOW))
    cluster = Cluster(executor=LocalExecutor(), store=ShardStore.at(str(tmp_path)), run="r1")
    split = pipeline.collect([AwsConnector(CONFIG)], CollectContext(now=NOW), cluster=cluster)
    assert to_json(_footprint_free(split)) == to_json(_footprint_free(local))
    history = [g.scope for g in split.gaps if g.operation == "cloudtrail:LookupEvents"]
    accounts = sorted((ACCOUNT, org["member"]))
    assert history == [f"{a}/{r}" for a in accounts for r in sorted((REGION, OTHER_REGION))]
    assert not [g for g in split.gaps if isinstance(g, CollectionGap) and g.scope in accounts
                and g.operation.startswith("collect")]  # fmt: skip


def test_a_source_role_is_assumed_again_by_the_unit(moto: None, tmp_path: Path) -> None:
    """``--aws-assume-role`` checked on the client, and assumed by the unit's worker from the
    same credentials: the role's account collected as one collection does."""
    org = build_org()
    role = f"arn:aws:iam::{org['member']}:role/auditor"
    config = AwsConfig(assume_role=role, regions=(REGION,), max_workers=2)
    split = AwsConnector(config).split(UnitContext(now=NOW))
    [unit] = split.units
    assert (unit.key, unit.payload.assume_role, unit.payload.role_arn) == (
        org["member"], role, None
    )  # fmt: skip
    local = pipeline.collect([AwsConnector(config)], CollectContext(now=NOW))
    cluster = Cluster(executor=LocalExecutor(), store=ShardStore.at(str(tmp_path)), run="r1")
    split_run = pipeline.collect([AwsConnector(config)], CollectContext(now=NOW), cluster=cluster)
    assert to_json(split_run) == to_json(local)
    assert [a.id for a in split_run.accounts] == [org["member"]]
