"""An AWS Organization of 20 accounts collected account by account on a LocalCluster of two
worker processes (issue #21): the same snapshot and findings as the one-process collection, a
unit that fails every attempt is a gap naming its account, a resumed run collects only the
accounts its first attempt did not write, and the CLI's ``--executor local-cluster:2`` reports
what the local scan reports.

moto runs as a server (``ThreadedMotoServer``) so that the workers reach it over HTTP; assuming
``arn:aws:iam::<member>:role/<org role>`` there gives the member's credentials.
"""

from __future__ import annotations

import json
import logging
import shutil
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result
from distributed import Client, LocalCluster
from moto.server import ThreadedMotoServer

from nhiscan.app import pipeline
from nhiscan.app.config import Settings
from nhiscan.cli import cli
from nhiscan.cluster.executor import DaskExecutor
from nhiscan.cluster.run import Cluster, run_units, split_records
from nhiscan.cluster.shards import ShardStore
from nhiscan.cluster.units import UnitContext
from nhiscan.connectors.aws.last_accessed import AccessAdvisorConfig
from nhiscan.connectors.aws.live import AwsConfig, AwsConnector
from nhiscan.connectors.aws.units import KIND
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import Account, CollectionGap, Identity
from nhiscan.scanner.snapshot import Snapshot, build_snapshot, to_json
from tests.connectors.aws.conftest import fake_aws_env

pytestmark = pytest.mark.slow

ORG_ROLE = "OrganizationAccountAccessRole"
REGION = "us-east-1"
MEMBERS = 19  # and the management account: 20
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Org:
    endpoint: str
    management: str
    members: tuple[str, ...]
    executor: DaskExecutor  # a LocalCluster of two worker processes, one thread each

    @property
    def accounts(self) -> tuple[str, ...]:
        return (self.management, *self.members)


def _document(action: str, resource: str = "*") -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    })  # fmt: skip


def _trust(principal: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal},
                       "Action": "sts:AssumeRole"}],
    })  # fmt: skip


def _session(endpoint: str, account: str | None) -> Any:
    """An IAM client in ``account`` (None: the management account's own credentials)."""
    if account is None:
        return boto3.client("iam", endpoint_url=endpoint, region_name=REGION)
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGION)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ORG_ROLE}",
                            RoleSessionName="setup")["Credentials"]  # fmt: skip
    return boto3.client("iam", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])  # fmt: skip


def build_org(endpoint: str) -> tuple[str, tuple[str, ...]]:
    """20 accounts, each with a machine user holding a key and a role another account's
    user may assume (a chain of cross-account trusts), some of them admin."""
    org = boto3.client("organizations", endpoint_url=endpoint, region_name=REGION)
    management = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]
    members = []
    for n in range(MEMBERS):
        created = org.create_account(AccountName=f"team-{n:02d}", Email=f"t{n}@example.com")
        member = created["CreateAccountStatus"]["AccountId"]
        if n % 2:
            org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou["Id"])
        members.append(member)
    accounts = [management, *members]
    for n, account in enumerate(accounts):
        iam = _session(endpoint, None if account == management else account)
        iam.create_user(UserName=f"deployer-{n}")
        iam.create_access_key(UserName=f"deployer-{n}")
        trusted = accounts[(n + 1) % len(accounts)]
        trusted_user = f"arn:aws:iam::{trusted}:user/deployer-{(n + 1) % len(accounts)}"
        iam.create_role(RoleName=f"cross-{n}", AssumeRolePolicyDocument=_trust(trusted_user))
        admin = n % 3 == 0
        policy = iam.create_policy(
            PolicyName="admin" if admin else "read",
            PolicyDocument=_document("*" if admin else "s3:Get*"),
        )
        iam.attach_role_policy(RoleName=f"cross-{n}", PolicyArn=policy["Policy"]["Arn"])
        if n % 4 == 0:
            iam.put_user_policy(UserName=f"deployer-{n}", PolicyName="assume-any",
                                PolicyDocument=_document("sts:AssumeRole"))  # fmt: skip
    return management, tuple(members)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    """The moto server with the organization, and the LocalCluster (started in the fake
    environment, which its worker processes inherit)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with fake_aws_env(tmp_path_factory.mktemp("aws-home")):
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
            with urllib.request.urlopen(request, timeout=10):
                pass
            management, members = build_org(endpoint)
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=":0")  # fmt: skip
            executor = DaskExecutor(Client(cluster, set_as_default=False),
                                    description="local-cluster:2", cluster=cluster)  # fmt: skip
            try:
                yield Org(endpoint, management, members, executor)
            finally:
                executor.close()
        finally:
            server.stop()


def config(org: Org) -> AwsConfig:
    return AwsConfig(org_role=ORG_ROLE, regions=(REGION,), endpoint_url=org.endpoint,
                     max_workers=2, last_accessed=AccessAdvisorConfig(max_wait=1.0))  # fmt: skip


def cluster_of(org: Org, root: Path, run: str, *, resume: bool = False) -> Cluster:
    return Cluster(executor=org.executor, store=ShardStore.at(str(root)), run=run, retries=1,
                   resume=resume)  # fmt: skip


@pytest.fixture(scope="module")
def local(org: Org) -> Snapshot:
    return pipeline.collect([AwsConnector(config(org))], CollectContext(now=NOW))


def footprint_free(snapshot: Snapshot) -> Snapshot:
    """The snapshot without the organization role's last use: each collection assumes it in
    every member (moto, as AWS, records that), so two collections differ there and only there."""
    identities = tuple(replace(i, last_used=None) if i.name == ORG_ROLE else i
                       for i in snapshot.identities)  # fmt: skip
    return replace(snapshot, identities=identities)


@dataclass(frozen=True, slots=True)
class Run:
    snapshot: Snapshot
    shards: Path  # the store's folder
    cluster: Cluster


@pytest.fixture(scope="module")
def on_cluster(org: Org, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The organization collected through ``pipeline.collect`` on the LocalCluster (run-1)."""
    shards = tmp_path_factory.mktemp("shards")
    cluster = cluster_of(org, shards, "run-1")
    snapshot = pipeline.collect([AwsConnector(config(org))], CollectContext(now=NOW),
                                cluster=cluster)  # fmt: skip
    return Run(snapshot, shards, cluster)


def test_an_organization_on_two_workers_is_the_local_snapshot_and_findings(
    org: Org, local: Snapshot, on_cluster: Run
) -> None:
    assert sorted(a.id for a in local.accounts) == sorted(org.accounts)
    [stage] = on_cluster.cluster.stages
    assert (stage.jobs, stage.done, stage.failed, stage.resumed) == (20, 20, 0, 0)
    assert len(list((on_cluster.shards / "run-1" / KIND).iterdir())) == 20
    split, local = footprint_free(on_cluster.snapshot), footprint_free(local)
    assert to_json(split) == to_json(local)
    settings = Settings()
    found = pipeline.analyze(split, settings=settings, now=NOW).findings
    assert found == pipeline.analyze(local, settings=settings, now=NOW).findings
    cross = [f for f in found if f.subject.endswith(":role/cross-0")]
    assert cross, sorted({f.rule_id for f in found})


def test_an_account_failing_every_attempt_is_a_gap_and_a_resumed_run_collects_only_it(
    org: Org, local: Snapshot, on_cluster: Run, tmp_path: Path
) -> None:
    """run-1 again, without one member's shard: its unit names a profile the workers do not
    have (every attempt raises there), then, resumed once more, collects it; each time the
    19 shards written are read, not collected again."""
    shards = tmp_path / "shards"
    shutil.copytree(on_cluster.shards, shards)
    broken = org.members[7]
    (shards / "run-1" / KIND / f"{broken}.jsonl.gz").unlink()
    connector = AwsConnector(config(org))
    ctx = UnitContext(now=NOW)
    split = connector.split(ctx)
    units = tuple(
        replace(u, payload=replace(u.payload, profile="nhiscan-no-such-profile"))
        if u.key == broken else u
        for u in split.units
    )  # fmt: skip
    first = cluster_of(org, shards, "run-1", resume=True)
    outcomes = run_units(first, units, ctx)
    assert [o.unit.key for o in outcomes if not o.resumed] == [broken]
    records = list(split_records(first.store, split.before, outcomes, split.after, split.merge))
    [gap] = [r for r in records if isinstance(r, CollectionGap) and r.scope == broken]
    assert gap.operation == f"collect {KIND}" and f"aws account {broken} (team-07)" in gap.detail
    assert "2 attempts" in gap.detail and "nhiscan-no-such-profile" in gap.detail
    collected = {r.id for r in records if isinstance(r, Account)}
    assert collected == set(org.accounts) - {broken}
    identities = {r.id for r in records if isinstance(r, Identity)}
    assert f"arn:aws:iam::{broken}:user/deployer-8" not in identities
    assert f"arn:aws:iam::{org.members[8]}:user/deployer-9" in identities
    [stage] = first.stages
    assert (stage.resumed, stage.done, stage.failed, stage.retries) == (19, 19, 1, 1)

    again = cluster_of(org, shards, "run-1", resume=True)
    outcomes = run_units(again, split.units, ctx)
    assert [o.unit.key for o in outcomes if not o.resumed] == [broken]
    [stage] = again.stages
    assert (stage.jobs, stage.resumed, stage.done, stage.failed) == (20, 19, 20, 0)
    records = split_records(again.store, split.before, outcomes, split.after, split.merge)
    resumed = build_snapshot(records, tool=pipeline.TOOL, collected_at=NOW,
                             sources=connector.sources)  # fmt: skip
    assert to_json(footprint_free(resumed)) == to_json(footprint_free(local))


def _scan(tmp_path: Path, org: Org, name: str, *executor: str) -> tuple[Result, dict[str, Any]]:
    out = tmp_path / name
    result = CliRunner().invoke(cli, [
        "scan", "--aws-org-role", ORG_ROLE, "--aws-region", REGION, "--no-aws-lookup-events",
        "--no-store", "-o", str(out), *executor,
    ], env={"AWS_ENDPOINT_URL": org.endpoint}, catch_exceptions=False)  # fmt: skip
    return result, json.loads((out / "report.json").read_text())


def _findings(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return sorted((f["fingerprint"], f["rule_id"], f["subject"], f["severity"])
                  for f in report["findings"])  # fmt: skip


def test_the_cli_on_a_local_cluster_reports_the_local_findings(org: Org, tmp_path: Path) -> None:
    result, report = _scan(tmp_path, org, "local")
    on_cluster, cluster_report = _scan(tmp_path, org, "cluster", "--executor", "local-cluster:2")
    assert on_cluster.exit_code == result.exit_code
    assert "collect: 20/20 shards done (0 resumed, 0 failed" in on_cluster.stderr
    assert _findings(cluster_report) == _findings(report)
    assert any(f[2].endswith(":role/cross-0") for f in _findings(report))
