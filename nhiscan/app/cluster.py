"""Opening a scan's cluster (issue #21): the executor ``--executor`` names, the shard store,
this run's id, and the summary printed when the scan ends. ``--executor local`` opens none:
the scan runs as it always did."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from datetime import datetime

import click

from nhiscan.app.options import ClusterOptions
from nhiscan.app.progress import StderrProgress
from nhiscan.cluster.executor import open_executor, parse_spec
from nhiscan.cluster.run import Cluster, summary_lines
from nhiscan.cluster.shards import ShardStore, check_run_id, new_run_id
from nhiscan.errors import ClusterError

SUMMARY = "summary.json"


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
    kind, _ = parse_spec(options.executor)
    if kind == "scheduler" and options.shards is None:
        raise ClusterError(
            f"--executor {options.executor} runs on other machines: give --shards, a folder "
            "every worker and this machine share, or an object store URL (see --shards)"
        )


@contextmanager
def opened(options: ClusterOptions, now: datetime) -> Iterator[Cluster | None]:
    """The cluster of a scan, closed after the block; its summary printed on standard error
    and written beside the run's shards. None for ``--executor local`` without ``--shards``
    (today's scan, nothing split); with ``--shards``, the units run one after another in this
    process and write their shards, so that a long scan can be resumed (``--resume``).

    Whatever ends the block (a failure, Ctrl-C), the executor is closed (a local cluster's
    worker processes stopped), and a temporary shard folder removed: each step is undone
    even when the one before it failed."""
    check(options)
    if options.local and options.shards is None:
        yield None
        return
    with ExitStack() as undo:
        temporary = options.shards is None
        root = options.shards
        if root is None:
            root = tempfile.mkdtemp(prefix="nhiscan-shards-")
            undo.callback(shutil.rmtree, root, ignore_errors=True)
        store = ShardStore.at(root)
        run = options.resume or new_run_id(now)
        if options.resume is not None and not store.has_run(run):
            raise ClusterError(f"--resume {run}: the shard store {store.url} has no such run")
        executor = open_executor(options.executor)
        progress = StderrProgress()
        cluster = Cluster(executor=executor, store=store, run=run, retries=options.retries,
                          resume=options.resume is not None, progress=progress)  # fmt: skip
        undo.callback(_summarise, cluster, written=not temporary)
        undo.callback(executor.close)
        undo.callback(progress.close)
        click.echo(f"run {run} on {executor.description}, shards in {store.url}", err=True)
        if executor.dashboard:
            click.echo(f"dask dashboard: {executor.dashboard}", err=True)
        yield cluster


def _summarise(cluster: Cluster, *, written: bool) -> None:
    """The per-run summary on standard error, and as ``summary.json`` in the run's folder of
    the shard store (not of a temporary one: it is removed)."""
    for line in summary_lines(cluster):
        click.echo(line, err=True)
    if not written:
        return
    document = {
        "run": cluster.run,
        "executor": cluster.executor.description,
        "stages": [asdict(stage) for stage in cluster.stages],
    }
    data = (json.dumps(document, indent=1) + "\n").encode()
    try:
        cluster.store.put(cluster.run, SUMMARY, data)
    except ClusterError as exc:  # the scan's result stands; only its summary is missing
        click.echo(f"{exc} (the summary above is not kept)", err=True)
