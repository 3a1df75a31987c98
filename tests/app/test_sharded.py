"""The sharded analysis (issue #21) on a real ``LocalCluster`` of 2 worker processes gives the
same findings, every field, as the local analysis of the same input."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nhiscan.app import pipeline
from nhiscan.app.config import Settings
from nhiscan.app.sharded import analyse_sharded
from nhiscan.app.sharded_snapshot import write_snapshot_copy
from nhiscan.cluster.executor import open_executor
from nhiscan.cluster.run import Cluster
from nhiscan.cluster.shards import ShardStore
from nhiscan.connectors.aws.gaad_file import GaadFileConnector
from nhiscan.connectors.base import CollectContext, Connector
from nhiscan.scanner import snapshot
from nhiscan.scanner.model import Account, PolicyKind, Record
from tests import factories

distributed = pytest.importorskip("distributed")

NOW = datetime(2026, 12, 1, tzinfo=UTC)
A, B, C, D, E = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"
ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
ASSUME = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")  # fmt: skip
    try:
        yield cluster
    finally:
        cluster.close()


def _role(account: str, name: str, trusted: Any, *statements: dict[str, Any]) -> dict[str, Any]:
    trust = {"Effect": "Allow", "Principal": trusted, "Action": "sts:AssumeRole"}
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return {
        "Path": "/", "RoleName": name, "RoleId": f"AROA{account}{name.upper()[:5]}",
        "Arn": f"arn:aws:iam::{account}:role/{name}", "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
        "InstanceProfileList": [], "AttachedManagedPolicies": [], "Tags": [],
        "RoleLastUsed": {},
        "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": document}]
        if statements else [],
    }  # fmt: skip


def _user(account: str, name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return {
        "Path": "/", "UserName": name, "UserId": f"AIDA{account}{name.upper()[:5]}",
        "Arn": f"arn:aws:iam::{account}:user/{name}", "CreateDate": "2023-01-01T00:00:00Z",
        "GroupList": [], "AttachedManagedPolicies": [], "Tags": [],
        "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": document}],
    }  # fmt: skip


def _export(folder: Path, account: str, roles: list[Any], users: list[Any]) -> Path:
    path = folder / f"{account}.json"
    admin = {
        "PolicyName": "AdministratorAccess", "PolicyId": "ANPAADMIN",
        "Arn": "arn:aws:iam::aws:policy/AdministratorAccess", "Path": "/",
        "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": True,
        "PolicyVersionList": [{"Document": {"Version": "2012-10-17", "Statement": [ADMIN]},
                               "VersionId": "v1", "IsDefaultVersion": True}],
    }  # fmt: skip
    roles = [*roles, _role(account, "ops", {"Service": "ec2.amazonaws.com"})]
    roles[-1]["AttachedManagedPolicies"] = [
        {"PolicyName": "AdministratorAccess", "PolicyArn": admin["Arn"]}
    ]
    gaad = {"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles,
            "Policies": [admin]}  # fmt: skip
    path.write_text(json.dumps(gaad), encoding="utf-8")
    return path


def linked_estate(folder: Path) -> list[Path]:
    """A and B trust each other's roles (one group), C and D stand alone."""
    return [
        _export(folder, A, [_role(A, "deploy", {"AWS": f"arn:aws:iam::{B}:role/ci"}, ADMIN)],
                [_user(A, "svc-a", ASSUME)]),
        _export(folder, B, [_role(B, "ci", {"AWS": f"arn:aws:iam::{A}:root"}, ASSUME)],
                [_user(B, "svc-b", {"Effect": "Allow", "Action": "iam:*", "Resource": "*"})]),
        _export(folder, C, [_role(C, "app", {"Service": "lambda.amazonaws.com"}, ASSUME)],
                [_user(C, "svc-c", ASSUME)]),
        _export(folder, D, [_role(D, "batch", {"AWS": f"arn:aws:iam::{D}:root"}, ADMIN)],
                [_user(D, "svc-d", {"Effect": "Allow", "Action": "iam:PassRole",
                                    "Resource": "*"})]),
    ]  # fmt: skip


class Organization:
    """The organization's listing, collected on the client: its accounts and an SCP that
    denies IAM changes in account D (findings of D change with it)."""

    sources = ("test:organization",)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        del ctx
        for account in (A, B, C, D, E):
            yield factories.org_account(account)
        yield factories.scp("full", ADMIN, attached_to=(factories.ROOT,))
        deny = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
        yield factories.scp("no-iam", deny, attached_to=(D,))


def _local(connectors: list[Connector]) -> tuple[Any, snapshot.Snapshot]:
    ctx = CollectContext(now=NOW)
    snap = pipeline.collect(connectors, ctx)
    report = pipeline.analyze(snap, settings=Settings(), now=NOW)
    return report.findings, snap


def _cluster(dask_cluster: Any, store: Path, run: str) -> Cluster:
    executor = open_executor(dask_cluster.scheduler_address)
    return Cluster(executor=executor, store=ShardStore.at(str(store)), run=run)


def _sharded(dask_cluster: Any, tmp_path: Path, connectors: list[Connector]) -> Any:
    cluster = _cluster(dask_cluster, tmp_path / "shards", "t")
    try:
        return analyse_sharded(connectors, cluster, settings=Settings(), collected_at=NOW,
                               now=NOW), cluster  # fmt: skip
    finally:
        cluster.executor.close()


def test_linked_accounts_and_org_records_give_the_local_findings(
    dask_cluster: Any, tmp_path: Path
) -> None:
    connectors: list[Connector] = [Organization(), GaadFileConnector(linked_estate(tmp_path))]
    local, snap = _local(connectors)
    done, cluster = _sharded(dask_cluster, tmp_path, connectors)
    assert list(done.findings()) == list(local)
    assert {f.rule_id for f in local} >= {"NHI107"}  # an identity of A assumes B's role
    owners = [set().union(*(done.links[i].owners for i in g)) for g in done.grouping.groups]
    assert owners == [{A, B}, {C}, {D}]
    assert done.grouping.whole is None
    assert len(done.grouping.org_wide) == 1  # the organization's shard, read by every group
    copy = tmp_path / "snapshot.json"
    write_snapshot_copy(copy, cluster.store, done.segments, tool=snap.tool, collected_at=NOW,
                        sources=snap.sources)  # fmt: skip
    assert copy.read_text(encoding="utf-8") == snapshot.to_json(snap)


def test_the_scp_reaches_the_group_of_the_account_it_names(
    dask_cluster: Any, tmp_path: Path
) -> None:
    with_org: list[Connector] = [Organization(), GaadFileConnector(linked_estate(tmp_path))]
    without: list[Connector] = [GaadFileConnector(linked_estate(tmp_path))]
    denied = [f for f in _local(with_org)[0] if D in f.subject]
    allowed = [f for f in _local(without)[0] if D in f.subject]
    assert denied != allowed  # the SCP changes D's findings
    done, _ = _sharded(dask_cluster, tmp_path, with_org)
    assert [f for f in done.findings() if D in f.subject] == denied


def test_a_trust_of_anyone_joins_every_account_and_stays_exact(
    dask_cluster: Any, tmp_path: Path
) -> None:
    paths = linked_estate(tmp_path)
    paths.append(_export(tmp_path, E, [_role(E, "open", {"AWS": "*"}, ADMIN)], []))
    connectors: list[Connector] = [Organization(), GaadFileConnector(paths)]
    local, _ = _local(connectors)
    done, _ = _sharded(dask_cluster, tmp_path, connectors)
    assert done.grouping.whole is not None and "any principal" in done.grouping.whole
    assert len(done.grouping.groups) == 1
    assert list(done.findings()) == list(local)
    assert any(f.subject.endswith(f"{E}:role/open") for f in local)


def test_a_worker_killed_during_the_analysis_changes_nothing(
    dask_cluster: Any, tmp_path: Path
) -> None:
    paths = linked_estate(tmp_path)
    chain = [_role(E, f"r{i}", {"AWS": f"arn:aws:iam::{E}:role/r{i - 1}"}, ASSUME)
             for i in range(1, 400)]  # fmt: skip
    paths.append(_export(tmp_path, E, chain, [_user(E, f"u{i}", ASSUME) for i in range(200)]))
    connectors: list[Connector] = [GaadFileConnector(paths)]
    local, _ = _local(connectors)
    killed: list[str] = []
    watcher = threading.Thread(target=_kill_an_analysis, args=(dask_cluster, killed), daemon=True)
    watcher.start()
    done, _ = _sharded(dask_cluster, tmp_path, connectors)
    watcher.join(timeout=30)
    assert killed, "no worker was running an analysis to kill"
    assert list(done.findings()) == list(local)


def _kill_an_analysis(dask_cluster: Any, killed: list[str]) -> None:
    """Kill (SIGKILL) the worker process that runs a group's analysis, once."""
    client = distributed.Client(dask_cluster.scheduler_address, set_as_default=False)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for worker, keys in client.processing().items():
                if any("nhiscan-group-" in str(key) for key in keys):
                    pid = client.run(os.getpid, workers=[worker])[worker]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(worker)
                    break
            time.sleep(0.01)
    finally:
        client.close()


def test_every_record_is_in_one_shard_and_accounts_are_counted(
    dask_cluster: Any, tmp_path: Path
) -> None:
    connectors: list[Connector] = [Organization(), GaadFileConnector(linked_estate(tmp_path))]
    _, snap = _local(connectors)
    done, _ = _sharded(dask_cluster, tmp_path, connectors)
    counted = sum(link.counts["identities"] for link in done.links)
    assert counted == len(snap.identities)
    per_account: dict[str, int] = {}
    for link in done.links:
        for account, count in link.identities_by_account.items():
            per_account[account] = per_account.get(account, 0) + count
    assert per_account == {a: sum(i.account == a for i in snap.identities) for a in (A, B, C, D)}
    scps = [p for p in snap.policies if p.kind is PolicyKind.SCP]
    assert len(scps) == 2 and all(isinstance(a, Account) for a in snap.accounts)


def _scan(*args: str) -> Any:
    from click.testing import CliRunner

    from nhiscan.cli import cli

    common = ["scan", "--no-store", "--as-of", "2026-12-01", "--fail-on", "high"]
    return CliRunner().invoke(cli, [*common, *args], catch_exceptions=False)


def test_scan_with_an_executor_writes_the_local_findings_and_snapshot(
    dask_cluster: Any, tmp_path: Path
) -> None:
    gaad = [arg for path in linked_estate(tmp_path) for arg in ("--aws-gaad", str(path))]
    local = _scan(*gaad, "--no-agents", "-o", f"{tmp_path}/local/", "--format", "json")
    cluster = ["--executor", dask_cluster.scheduler_address, "--shards", str(tmp_path / "s"),
               "--analysis", "sharded"]  # fmt: skip
    sharded = _scan(*gaad, *cluster, "--no-agents", "-o", f"{tmp_path}/sharded/")
    assert local.exit_code == sharded.exit_code == 1  # an admin role: high findings gate both
    expected = json.loads((tmp_path / "local/report.json").read_text(encoding="utf-8"))
    report = json.loads((tmp_path / "sharded/report.json").read_text(encoding="utf-8"))
    assert report["findings"] == expected["findings"]
    assert report["gaps"] == expected["gaps"]
    assert report["inventory"]["identities_by_account"] == {A: 3, B: 3, C: 3, D: 3}
    assert report["inventory"]["shards"] == str(tmp_path / "s")
    assert (
        "0 identities" not in sharded.output and "12 identities (in the shards)" in sharded.output
    )
    copies = [tmp_path / side / "snapshot.json" for side in ("local", "sharded")]
    texts = [json.loads(p.read_text(encoding="utf-8")) for p in copies]
    assert texts[0] | {"collected_at": None} == texts[1] | {"collected_at": None}


def test_scan_with_an_executor_refuses_agents_and_other_formats(
    dask_cluster: Any, tmp_path: Path
) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text("agents: []\n", encoding="utf-8")
    gaad = ["--aws-gaad", str(linked_estate(tmp_path)[0])]
    cluster = ["--executor", dask_cluster.scheduler_address, "--shards", str(tmp_path / "s"),
               "--analysis", "sharded"]  # fmt: skip
    refused = _scan(*gaad, *cluster, "--agents", str(agents), "-o", f"{tmp_path}/r/")
    assert refused.exit_code == 2 and "--no-agents" in refused.output
    html = _scan(*gaad, *cluster, "--no-agents", "--format", "html", "-o", f"{tmp_path}/r/")
    assert html.exit_code == 2 and "JSON report only" in html.output


def test_suppressions_and_the_baseline_apply_over_every_group(
    dask_cluster: Any, tmp_path: Path
) -> None:
    from nhiscan.app.sharded_report import write_report
    from nhiscan.scanner import baseline as baselines
    from nhiscan.scanner import suppress
    from nhiscan.scanner.codec import encode

    connectors: list[Connector] = [GaadFileConnector(linked_estate(tmp_path))]
    local, _ = _local(connectors)
    in_c = next(f for f in local if C in f.subject)
    in_d = next(f for f in local if D in f.subject)
    rules = (
        suppress.Suppression(reason="c", where="#1", fingerprint=in_c.fingerprint),
        suppress.Suppression(reason="d", where="#2", rule=in_d.rule_id, subject=f"*{D}*"),
        suppress.Suppression(reason="none", where="#3", fingerprint="0" * 16),
    )
    accepted = baselines.create([f for f in local if A in f.subject][:2])
    expected = suppress.split(local, rules, NOW)
    verdict_expected = baselines.split(expected.kept, accepted)
    done, _ = _sharded(dask_cluster, tmp_path, connectors)
    path = tmp_path / "report.json"
    verdict = write_report(path, {"format": "test"}, done.items(), suppress=rules,
                           accepted=accepted, now=NOW)  # fmt: skip
    assert [s.where for s in verdict.unused] == [s.where for s in expected.unused] == ["#3"]
    assert verdict.suppressed == len(expected.suppressed) >= 2
    assert verdict.baselined == len(verdict_expected.baselined) == 2
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["findings"] == [encode(f) for f in verdict_expected.new]
    assert verdict.findings == len(verdict_expected.new)


def test_a_sharded_analysis_needs_somewhere_to_run_its_shards(tmp_path: Path) -> None:
    gaad = ["--aws-gaad", str(linked_estate(tmp_path)[0])]
    refused = _scan(*gaad, "--no-agents", "--analysis", "sharded", "-o", f"{tmp_path}/r/")
    assert refused.exit_code == 2
    assert "--analysis sharded runs the analysis as shards: give --executor" in refused.output


def test_a_group_whose_analysis_fails_is_a_gap_per_account_and_the_others_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nhiscan.app import sharded
    from nhiscan.cluster.executor import LocalExecutor

    connectors: list[Connector] = [Organization(), GaadFileConnector(linked_estate(tmp_path))]
    local, _ = _local(connectors)
    analyze = pipeline.analyze

    def failing_for_c(snap: snapshot.Snapshot, **kw: Any) -> Any:
        if any(i.account == C for i in snap.identities):
            raise RuntimeError("the worker ran out of memory")
        return analyze(snap, **kw)

    monkeypatch.setattr(sharded.pipeline, "analyze", failing_for_c)
    cluster = Cluster(executor=LocalExecutor(), store=ShardStore.at(str(tmp_path / "s")),
                      run="t", retries=1)  # fmt: skip
    done = analyse_sharded(connectors, cluster, settings=Settings(), collected_at=NOW, now=NOW)

    assert list(done.findings()) == [f for f in local if C not in f.subject]
    [gap] = done.failed
    assert (gap.scope, gap.operation, gap.reason) == (C, "analyse", "failed")
    assert "failed 2 attempts" in gap.detail and "out of memory" in gap.detail
    assert "--resume t" in gap.detail
    assert gap in sharded.gaps_of(done)
    [stage] = [s for s in cluster.stages if s.stage == "analyse"]
    assert (stage.failed, stage.retries) == (1, 1)
