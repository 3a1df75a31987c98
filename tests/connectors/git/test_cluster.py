"""Repositories as work units (issue #21): generated repositories scanned with history on a
real ``LocalCluster`` of 2 worker processes give the same snapshot (exposures, Repository
records, gaps) and the same NHI200/NHI202 findings as ``--executor local``.

The suite makes 40 (two minutes of git processes under load for 200, too long for every run);
issue #21's figure, 200, is the same test with ``NHISCAN_CLUSTER_REPOSITORIES=200``
(``python bench/bench_repos_cluster.py`` runs it so and prints the time)."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.app import pipeline
from nhiscan.app.config import Settings
from nhiscan.cli import cli
from nhiscan.cluster.executor import DaskExecutor
from nhiscan.cluster.run import Cluster, run_units, split_records
from nhiscan.cluster.shards import ShardStore, new_run_id
from nhiscan.cluster.units import UnitContext, WorkUnit
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.git import GitConfig, GitConnector
from nhiscan.connectors.git.connector import RepositoryJob, scan_repository
from nhiscan.connectors.git.secrets.redact import secret_hash
from nhiscan.connectors.git.source import resolve
from nhiscan.connectors.git.verify import AwsKeyVerifier, VerifyConfig
from nhiscan.errors import ConnectorError
from nhiscan.scanner import snapshot as snapshots
from nhiscan.scanner.model import Exposure, Provider
from tests.connectors.git.helpers import (
    NOW,
    aws_key_id,
    aws_secret_key,
    make_repo,
    repository,
    slack_token,
)

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.usefixtures("isolated_git")

REPOSITORIES = int(os.environ.get("NHISCAN_CLUSTER_REPOSITORIES", "40"))
_STAMP = 1_700_000_000


@dataclass(frozen=True)
class Estate:
    specs: tuple[str, ...]  # in scan order: the repositories, a missing one, a corrupt one
    shared: str  # a token committed to two repositories
    shared_in: tuple[str, str]
    missing: str  # a file:// URL with nothing behind it
    corrupt: str  # a repository with one unreadable blob


def _commit(ref: str, n: int, message: str, changes: list[str]) -> bytes:
    stamp = _STAMP + n * 86_400
    text = message.encode()
    head = (
        f"commit {ref}\nauthor Alice <alice@example.com> {stamp} +0000\n"
        f"committer Alice <alice@example.com> {stamp} +0000\ndata {len(text)}\n"
    ).encode()
    return head + text + b"\n" + "".join(changes).encode()


def _file(path: str, content: str) -> str:
    return f"M 100644 inline {path}\ndata {len(content.encode())}\n{content}\n"


def _history(index: int, secret: str | None, *, deleted: bool) -> bytes:
    """Three commits: a README, a settings file (with ``secret`` when given), then the
    settings rewritten (without it when ``deleted``: found only in the history)."""
    ref = "refs/heads/main"
    settings = f'DEBUG = True\nNAME = "service-{index}"\n'
    stream = [
        _commit(ref, 1, "readme", [_file("README.md", f"service {index}\n")]),
        _commit(ref, 2, "settings", [_file("app/settings.py", settings + (secret or ""))]),
        _commit(ref, 3, "tidy", [_file("app/settings.py", settings if deleted else
                                       settings + (secret or "") + "TIMEOUT = 3\n")]),
    ]  # fmt: skip
    return b"".join(stream)


def _imported(path: Path, stream: bytes, template: Path | None = None) -> str:
    """A bare repository at ``path`` (``template`` copied, or a new one) holding ``stream``."""
    if template is not None:
        shutil.copytree(template, path)
    else:
        subprocess.run(["git", "init", "-q", "--bare", "--template=", "-b", "main", str(path)],
                       check=True)  # fmt: skip
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=stream,
                   check=True, capture_output=True)  # fmt: skip
    return str(path)


def _aws_pair() -> str:
    return f'AWS_KEY_ID = "{aws_key_id()}"\nAWS_SECRET = "{aws_secret_key()}"\n'


def _generate(root: Path) -> Estate:
    """The repositories, made fast: a bare template copied, then one ``git fast-import``."""
    template = root / "template.git"
    _imported(template, b"")
    shared = slack_token()
    shared_in = (9, REPOSITORIES - 10)
    specs: list[str] = []
    for index in range(REPOSITORIES):
        secret: str | None = None
        if index in shared_in:
            secret = f'SLACK = "{shared}"\n'
        elif index % 5 == 0:
            secret = _aws_pair()
        elif index % 5 == 1:
            secret = f'TOKEN = "{slack_token()}"\n'
        stream = _history(index, secret, deleted=index % 2 == 0)
        specs.append(_imported(root / f"repo-{index:03}.git", stream, template))
    missing = (root / "gone.git").as_uri()
    corrupt = make_repo(root / "corrupt")
    corrupt.write("lost.txt", f"{slack_token()}\n")
    corrupt.write("kept.txt", f"{aws_key_id()}\n")
    corrupt.commit("two")
    blob = corrupt.git("rev-parse", "HEAD:lost.txt")
    loose = corrupt.path / ".git" / "objects" / blob[:2] / blob[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"this is not zlib data at all")
    return Estate(
        specs=(*specs, missing, str(corrupt.path)),
        shared=shared,
        shared_in=(specs[shared_in[0]], specs[shared_in[1]]),
        missing=missing,
        corrupt=str(corrupt.path),
    )


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Estate:
    return _generate(tmp_path_factory.mktemp("repositories"))


@pytest.fixture
def few(tmp_path: Path) -> list[str]:
    """Three small repositories with history, an AWS key pair in the first one's."""
    return [
        _imported(tmp_path / f"repo-{i}.git", _history(i, _aws_pair() if i == 0 else None,
                                                       deleted=True))
        for i in range(3)
    ]  # fmt: skip


@pytest.fixture(scope="module")
def dask() -> Iterator[DaskExecutor]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster, set_as_default=False)
    executor = DaskExecutor(client, description="local-cluster:2", cluster=cluster)
    try:
        yield executor
    finally:
        executor.close()


def _cluster(executor: DaskExecutor, tmp_path: Path) -> Cluster:
    return Cluster(executor=executor, store=ShardStore.at(str(tmp_path / "shards")),
                   run=new_run_id(NOW))  # fmt: skip


def _snapshot(config: GitConfig, cluster: Cluster | None) -> snapshots.Snapshot:
    return pipeline.collect([GitConnector(config)], CollectContext(now=NOW), cluster=cluster)


@dataclass(frozen=True)
class Scans:
    local: snapshots.Snapshot
    split: snapshots.Snapshot
    cluster: Cluster


@pytest.fixture(scope="module")
def scans(estate: Estate, dask: DaskExecutor, tmp_path_factory: pytest.TempPathFactory) -> Scans:
    """Every repository with history, with ``--executor local`` and on the cluster."""
    config = GitConfig(repos=estate.specs, mode="history")
    cluster = _cluster(dask, tmp_path_factory.mktemp("split"))
    return Scans(local=_snapshot(config, None), split=_snapshot(config, cluster), cluster=cluster)


@pytest.mark.slow
def test_the_repositories_on_a_local_cluster_give_the_local_snapshot(
    estate: Estate, scans: Scans
) -> None:
    assert snapshots.to_json(scans.split) == snapshots.to_json(scans.local)
    (stage,) = scans.cluster.stages
    assert (stage.jobs, stage.done, stage.failed) == (REPOSITORIES + 2, REPOSITORIES + 2, 0)
    # What both hold is what the estate was made of, not two empty lists alike.
    split = scans.split
    assert [r.id for r in split.repositories] == [s for s in estate.specs if s != estate.missing]
    assert all(r.commits == 3 for r in split.repositories[:REPOSITORIES])
    assert [(g.scope, g.operation) for g in split.gaps if g.subject is None] == [
        (estate.missing, "git clone --mirror")
    ]
    assert [(g.scope, g.subject) for g in split.gaps if g.subject is not None] == [
        (estate.corrupt, "lost.txt")
    ]
    exposed = {e.repository for e in split.exposures}
    assert exposed == {
        *(s for i, s in enumerate(estate.specs[:REPOSITORIES]) if i % 5 in (0, 1)),
        *estate.shared_in,
        estate.corrupt,
    }
    shared = [e.repository for e in split.exposures if e.secret_hash == secret_hash(estate.shared)]
    assert sorted(shared) == sorted(estate.shared_in)


@pytest.mark.slow
def test_the_findings_are_the_same_and_name_the_shared_secret(scans: Scans) -> None:
    settings = Settings()

    def findings(snapshot: snapshots.Snapshot) -> list[tuple[str, str, str]]:
        report = pipeline.analyze(snapshot, settings=settings, now=NOW)
        return sorted((f.rule_id, f.fingerprint, f.title) for f in report.findings)

    local = findings(scans.local)

    assert findings(scans.split) == local
    rules = [rule for rule, _, _ in local]
    assert rules.count("NHI202") == 1
    # One per repository's secret (an AWS key id and its secret key are one), the shared one
    # once.
    exposed = {e.repository for e in scans.local.exposures}
    assert rules.count("NHI200") == len(exposed) - 1


@pytest.mark.slow
def test_the_command_line_scan_on_a_local_cluster_reports_the_same_exposures(
    estate: Estate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NHISCAN_STORE", f"sqlite:///{tmp_path / 'store.db'}")
    specs = estate.specs[:10]  # a part is enough here: the split itself is tested above

    def report(executor: str) -> dict[str, Any]:
        out = tmp_path / executor.replace(":", "-")
        argv = ["scan", "--history", "--no-store", "-o", str(out), "--format", "json"]
        argv += [arg for spec in specs for arg in ("--repo", spec)]
        result = CliRunner().invoke(cli, [*argv, "--executor", executor])
        assert result.exit_code in (0, 1), result.output
        data: dict[str, Any] = json.loads((out / "report.json").read_text())
        return data

    local = report("local")
    split = report("local-cluster:2")

    assert split["exposures"] == local["exposures"]
    assert split["repositories"] == local["repositories"]
    assert split["gaps"] == local["gaps"] == []
    assert [f["fingerprint"] for f in split["findings"]] == [
        f["fingerprint"] for f in local["findings"]
    ]
    assert len({e["repository"] for e in local["exposures"]}) == 2 * 10 // 5 + 1


def test_a_repository_unit_is_one_process_and_its_verifier_travels_as_settings(
    few: list[str],
) -> None:
    verifier = AwsKeyVerifier(VerifyConfig(), environ={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    config = GitConfig(repos=few, mode="history", workers=8, verifier=verifier)

    split = GitConnector(config).split(UnitContext(now=NOW))

    assert [u.key for u in split.units] == list(few)
    unit = split.units[0]
    assert (unit.kind, unit.label, unit.provider) == (
        "repository",
        f"repository {few[0]}",
        Provider.GIT,
    )
    job = pickle.loads(pickle.dumps(unit.payload))
    assert job.config.workers == 1 and job.config.repos == (few[0],)
    assert job.config.verifier.endpoint_url == "http://127.0.0.1:9"


def test_the_repositories_are_checked_on_the_client_before_any_unit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    repo.write("README.md", "hello\n")
    repo.commit("readme")
    since = GitConfig(repos=(str(repo.path),), mode="since", since="no-such-revision")
    with pytest.raises(ConnectorError, match="no-such-revision"):
        GitConnector(since).split(UnitContext(now=NOW))
    missing = GitConfig(repos=(str(repo.path), str(tmp_path / "gone")), mode="history")
    with pytest.raises(ConnectorError, match="does not exist"):
        GitConnector(missing).split(UnitContext(now=NOW))


def test_two_urls_that_differ_only_in_their_password_get_two_shards(tmp_path: Path) -> None:
    specs = ("https://ci:one@git.example.com/x.git", "https://ci:two@git.example.com/x.git")
    split = GitConnector(GitConfig(repos=specs, mode="history")).split(UnitContext(now=NOW))

    keys = [u.key for u in split.units]
    assert keys == [
        "https://ci:***@git.example.com/x.git",
        "https://ci:***@git.example.com/x.git#2",
    ]
    assert not any("one" in k or "two" in k for k in keys)


def test_a_pool_asked_for_on_a_dask_worker_scans_in_the_worker_itself(
    few: list[str], dask: DaskExecutor, tmp_path: Path
) -> None:
    """A Dask worker is a daemonic process: a unit whose configuration asks for a pool (here
    built by hand, bypassing ``split``) scans serially instead of failing every attempt."""
    spec = few[0]  # three blobs, an AWS key pair in the history
    config = GitConfig(repos=(spec,), mode="history", workers=2, pool_min_bytes=0,
                       pool_min_files=0)  # fmt: skip
    job = RepositoryJob(target=resolve(spec, config.mode), config=config)
    unit = WorkUnit(kind="repository", key="pooled", label="repository pooled",
                    provider=Provider.GIT, task=scan_repository, payload=job)  # fmt: skip
    cluster = replace(_cluster(dask, tmp_path), retries=0)
    ctx = UnitContext(now=NOW)

    (outcome,) = run_units(cluster, [unit], ctx)

    assert outcome.gap is None, outcome.gap.detail
    records = list(split_records(cluster.store, (), [outcome], ()))
    assert records == list(scan_repository(job, ctx))  # here, on a pool of two
    assert repository(records).blobs == 3
    assert {e.detector for e in records if isinstance(e, Exposure)} >= {"AWS Access Key ID"}
