"""Opening a scan's cluster (issue #21): the executor ``--executor`` names, the shard store,
this run's id, and the summary printed when the scan ends. ``--executor local`` opens none:
the scan runs as it always did."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click

from nhiscan.app.options import ClusterOptions
from nhiscan.app.progress import StderrProgress
from nhiscan.cluster.executor import LOCAL_CLUSTER, open_executor
from nhiscan.cluster.run import Cluster, summary_lines
from nhiscan.cluster.shards import ShardStore, check_run_id, new_run_id
from nhiscan.errors import ClusterError


def check(options: ClusterOptions) -> None:
    """The combinations that cannot work, before anything runs (ClusterError)."""
    if options.resume is not None:
        check_run_id(options.resume)
        if options.shards is None:
            raise ClusterError(
                "--resume needs --shards: the shard store the resumed run wrote to (a run "
                "without --shards wrote to a temporary folder, removed when it ended)"
            )
    if options.retries < 0:
        raise ClusterError("--shard-retries must be 0 or more")
    remote = not options.local and not options.executor.startswith(LOCAL_CLUSTER)
    if remote and options.shards is None:
        raise ClusterError(
            f"--executor {options.executor} runs on other machines: give --shards, a folder "
            "every worker and this machine share, or an object store URL (see --shards)"
        )


@contextmanager
def opened(options: ClusterOptions, now: datetime) -> Iterator[Cluster | None]:
    """The cluster of a scan (None for ``--executor local``), closed after the block; its
    summary printed on standard error and written beside the run's shards."""
    check(options)
    if options.local:
        yield None
        return
    temporary = options.shards is None
    root = tempfile.mkdtemp(prefix="nhiscan-shards-") if temporary else options.shards
    assert root is not None
    store = ShardStore.at(root)
    run = options.resume or new_run_id(now)
    if options.resume is not None and not store.has_run(run):
        raise ClusterError(f"--resume {run}: the shard store {store.url} has no such run")
    executor = open_executor(options.executor)
    progress = StderrProgress()
    cluster = Cluster(executor=executor, store=store, run=run, retries=options.retries,
                      resume=options.resume is not None, progress=progress)  # fmt: skip
    click.echo(f"run {run} on {executor.description}, shards in {store.url}", err=True)
    if executor.dashboard:
        click.echo(f"dask dashboard: {executor.dashboard}", err=True)
    try:
        yield cluster
    finally:
        progress.close()
        lines = summary_lines(cluster)  # before closing: a closed Dask client names no workers
        described = executor.description
        executor.close()
        for line in lines:
            click.echo(line, err=True)
        if store.is_folder and not temporary:
            _write_summary(Path(store.url, run, "summary.json"), cluster, described)
        if temporary:
            shutil.rmtree(root, ignore_errors=True)


def _write_summary(path: Path, cluster: Cluster, executor: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "run": cluster.run,
        "executor": executor,
        "stages": [asdict(stage) for stage in cluster.stages],
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
