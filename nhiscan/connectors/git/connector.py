"""``GitConnector``: secrets in repositories, as Exposure, SkippedFile, Repository and
CollectionGap records, and the CI workflow steps that request cloud credentials
(WorkflowCredential, ``workflows``). Every repository is checked before any is scanned, so a
mistyped path fails at once (ConnectorError); a clone or git command that fails later is a gap.

On a cluster (``split``) each repository is one work unit: ``scan_repository`` on a worker does
for its repository exactly what ``collect`` does for each (``collect_target``), so the records,
and the snapshot read back from the shards, are the same."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from nhiscan.cluster.units import Split, UnitContext, WorkUnit
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.git import work
from nhiscan.connectors.git.collate import CommitInfo, Findings
from nhiscan.connectors.git.config import GitConfig, ScanMode
from nhiscan.connectors.git.gitcmd import Git
from nhiscan.connectors.git.history import describe, history_plan, resolve_rev, staged_plan
from nhiscan.connectors.git.plan import Plan, files_plan, gap, tree_plan
from nhiscan.connectors.git.source import Layout, Source, Target, opened, redact_url, resolve
from nhiscan.connectors.git.workflows import collect_workflows, origin_slug
from nhiscan.scanner.model import CollectionGap, Provider, Record, Repository, SkippedFile

_PROGRESS_EVERY = 1.0  # seconds


class GitConnector:
    def __init__(self, config: GitConfig) -> None:
        self._config = config

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(f"git:{redact_url(spec)}" for spec in self._config.repos)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        for target in self._targets():
            yield from collect_target(target, self._config, ctx)

    def split(self, ctx: UnitContext) -> Split:
        """One unit per repository, checked here first as ``collect`` checks them. A unit's
        scan runs in one process (``workers=1``): the cluster's parallelism is across
        repositories, and a Dask worker (a daemonic process) cannot start a pool anyway."""
        del ctx
        config = self._config
        units = []
        keys: set[str] = set()
        for target in self._targets():
            key = _unique(target.label, keys)
            units.append(
                WorkUnit(
                    kind="repository",
                    key=key,
                    label=f"repository {target.label}",
                    provider=Provider.GIT,
                    task=scan_repository,
                    payload=RepositoryJob(
                        target=target, config=replace(config, repos=(target.spec,), workers=1)
                    ),
                )
            )
        return Split(units=tuple(units))

    def _targets(self) -> list[Target]:
        """The repositories, each once, all checked before any is scanned."""
        config = self._config
        targets = [resolve(spec, config.mode) for spec in dict.fromkeys(config.repos)]
        for target in targets:
            if target.path is not None and config.since is not None:
                _check_since(target, config.since)
        return targets


@dataclass(frozen=True, slots=True, kw_only=True)
class RepositoryJob:
    """A repository's unit, as a worker gets it: the target checked on the client and the
    configuration (the verifier's too: it pickles as its settings)."""

    target: Target
    config: GitConfig


def scan_repository(job: RepositoryJob, ctx: UnitContext) -> Iterator[Record]:
    """On a worker: one repository's records, as ``collect`` yields them."""
    collect_ctx = CollectContext(now=ctx.now, as_of=ctx.as_of, progress=ctx.progress)
    yield from collect_target(job.target, job.config, collect_ctx)


def collect_target(target: Target, config: GitConfig, ctx: CollectContext) -> Iterator[Record]:
    """One repository's records: cloned when it is a URL (a gap when that fails), scanned,
    then its workflows."""
    with opened(target, config.mode) as source:
        if isinstance(source, CollectionGap):
            yield source
            return
        ctx.progress(f"git {source.label}: listing ({config.label})")
        slug = origin_slug(source.git, source.label)
        for record in scan_plan(make_plan(source, config), config, ctx):
            yield replace(record, slug=slug) if isinstance(record, Repository) else record
        yield from collect_workflows(source, config.mode, slug)


def _unique(label: str, taken: set[str]) -> str:
    """A unit key for ``label`` no other unit of the split has (two URLs that differ only in
    their redacted password share a label, and must not share a shard)."""
    key, n = label, 1
    while key in taken:
        n += 1
        key = f"{label}#{n}"
    taken.add(key)
    return key


def _check_since(target: Target, since: str) -> None:
    """A local repository's since revision, checked before anything is scanned."""
    assert target.path is not None
    resolve_rev(Git(target.path), since, target.label)


def make_plan(source: Source, config: GitConfig) -> Plan:
    label, git, size = source.label, source.git, config.max_file_size
    if config.mode is ScanMode.WORKTREE:
        if source.layout is Layout.BARE and git is not None:
            return tree_plan(label, git, size)
        return files_plan(label, source.root, git, size)
    assert git is not None  # resolve() refused a plain directory for these modes
    if config.mode is ScanMode.STAGED:
        return staged_plan(label, git, size)
    return history_plan(label, git, size, since=config.since)


def scan_plan(plan: Plan, config: GitConfig, ctx: CollectContext) -> Iterator[Record]:
    """Scan a plan's items and yield its records: gaps and skips as they come, then the
    exposures, then the Repository record with the counts."""
    yield from plan.gaps
    yield from plan.skipped
    findings = Findings()
    counts = _Counts(skipped=len(plan.skipped))
    progress = _Progress(ctx, plan)
    workers = pool_size(plan, config)
    outcomes = work.scan(
        plan.items,
        plan.reading,
        max_file_size=config.max_file_size,
        workers=workers,
        meter=progress.moved,
    )
    for outcome in outcomes:
        progress.tick()
        record = counts.add(plan, outcome)
        if record is not None:
            yield record
        elif outcome.error is None and outcome.skipped is None:
            findings.add(outcome, plan.here_of(outcome.item))
    progress.done()
    infos: Mapping[int, CommitInfo] = {}
    if plan.git is not None and plan.commits is not None:
        infos, gaps = describe(plan.git, plan.label, plan.commits, findings.commits())
        yield from gaps
    yield from findings.exposures(plan.label, infos, config.verifier)
    yield Repository(
        id=plan.label,
        mode=plan.mode,
        head=plan.head,
        commits=len(plan.commits) if plan.commits is not None else None,
        blobs=counts.scanned,
        bytes=counts.bytes,
        skipped=counts.skipped,
        ignored_inline=counts.ignored,
    )


def pool_size(plan: Plan, config: GitConfig) -> int:
    """Worker processes: one (this process) unless there is enough work to pay for a pool.
    Always one in a daemonic process (a Dask worker's), which may not start children."""
    if multiprocessing.current_process().daemon:
        return 1
    workers = config.workers or os.cpu_count() or 1
    if workers <= 1 or len(plan.items) <= 1:
        return 1
    total = sum(item.size for item in plan.items)
    if total > config.pool_min_bytes or len(plan.items) > config.pool_min_files:
        return min(workers, len(plan.items))
    return 1


class _Counts:
    def __init__(self, *, skipped: int) -> None:
        self.scanned = 0
        self.bytes = 0
        self.skipped = skipped
        self.ignored = 0

    def add(self, plan: Plan, outcome: work.Outcome) -> Record | None:
        """Count an outcome; the record it calls for (a gap, a skip) when it was not scanned."""
        item = outcome.item
        if outcome.error is not None:
            return gap(plan.label, plan.read_operation, outcome.error, item.path)
        if item.prior:
            return None
        if outcome.skipped is not None:
            self.skipped += 1
            return SkippedFile(
                repository=plan.label,
                path=item.path,
                reason=outcome.skipped,
                size=item.size,
                blob=item.key if plan.reading.git is not None else None,
            )
        self.scanned += 1
        self.bytes += item.size
        self.ignored += outcome.ignored
        return None


class _Progress:
    """``scanning files 1/2, 37/200 MB``: items done, and bytes scanned (which move within
    one huge file too), at most every ``_PROGRESS_EVERY`` seconds."""

    def __init__(self, ctx: CollectContext, plan: Plan) -> None:
        self._ctx = ctx
        self._prefix = f"git {plan.label}: scanning {plan.noun}"
        self._total = len(plan.items)
        self._total_bytes = sum(item.size for item in plan.items)
        self._done = 0
        self._bytes = 0
        self._last = time.monotonic()
        self._say()

    def tick(self) -> None:
        self._done += 1
        self._maybe_say()

    def moved(self, done: int) -> None:
        self._bytes += done
        self._maybe_say()

    def done(self) -> None:
        self._say()

    def _maybe_say(self) -> None:
        now = time.monotonic()
        if now - self._last >= _PROGRESS_EVERY:
            self._last = now
            self._say()

    def _say(self) -> None:
        shift, unit = (20, "MB") if self._total_bytes >> 20 else (10, "KB")
        done, total = self._bytes >> shift, self._total_bytes >> shift
        self._ctx.progress(f"{self._prefix} {self._done}/{self._total}, {done}/{total} {unit}")
