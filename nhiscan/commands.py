"""What the commands do, between parsing (cli.py) and the pipeline: pick connectors, run the
stages, write outputs, choose the exit code.

Every option is checked before anything is collected: agent files, the baseline, the outputs
(resolved and writable, ``outputs``) and the history store (opened). A scan is recorded in
the store only once all its reports and its snapshot copy are written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nhiscan.commands_agents import echo_unmatched, load_agent_files
from nhiscan.config import Settings
from nhiscan.connectors import connector_class
from nhiscan.connectors.base import CollectContext, Connector
from nhiscan.errors import ConfigError
from nhiscan.outputs import (
    Target,
    check_writable,
    prepare_outputs,
    snapshot_copy_path,
    write_output,
    write_reports,
)
from nhiscan.progress import StderrProgress
from nhiscan.scanner import baseline as baselines
from nhiscan.scanner import pipeline, snapshot
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.model import Severity
from nhiscan.scanner.pipeline import Report

if TYPE_CHECKING:
    from nhiscan.store.store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceOptions:
    demo: bool = False
    aws_profiles: tuple[str, ...] = ()
    aws_regions: tuple[str, ...] = ()
    aws_assume_role: str | None = None
    aws_org_role: str | None = None
    aws_gaad: tuple[Path, ...] = ()
    repos: tuple[str, ...] = ()  # local paths or clone URLs to scan for secrets
    history: bool = False
    since: str | None = None
    staged: bool = False
    max_file_size: int | None = None
    verify: bool = False  # check found AWS keys with sts:GetCallerIdentity

    @property
    def cloud_asked(self) -> bool:
        return self.demo or self.live_aws_asked or bool(self.aws_gaad)

    @property
    def live_aws_asked(self) -> bool:
        return bool(
            self.aws_profiles or self.aws_regions or self.aws_assume_role or self.aws_org_role
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate:
    output: str | None
    formats: tuple[str, ...]
    fail_on: Severity | None
    strict: bool
    now: datetime | None  # judge ages as of this time; None: when the analysis runs
    reach: bool = True  # build the reach graph and run the rules that need it
    baseline: Path | None = None  # accepted findings: only new ones gate and are reported
    agents: Path | None = None  # --agents: an agent file or folder
    no_agents: bool = False  # --no-agents: do not look for agent files
    # scan only: the history store (None: the default) and whether to record the run there
    store: str | None = None
    record: bool = True
    notify_webhook: str | None = None  # post new findings at or above notify_on here
    notify_on: Severity = Severity.HIGH


def build_connectors(src: SourceOptions, settings: Settings) -> list[Connector]:
    """Which connectors a command line asks for. No source at all means live AWS; repositories
    alone (--repo) mean no cloud."""
    git = _git_connector(src, settings)
    if not src.cloud_asked and git is not None:
        return [git]
    return _cloud_connectors(src, settings) + ([git] if git is not None else [])


def _git_connector(src: SourceOptions, settings: Settings) -> Connector | None:
    modes = [flag for flag, on in (("--history", src.history), ("--since", src.since),
                                   ("--staged", src.staged)) if on]  # fmt: skip
    if not src.repos:
        if modes or src.verify:
            raise ConfigError(f"{(modes or ['--verify'])[0]} needs --repo PATH")
        return None
    if len(modes) > 1:
        raise ConfigError(f"choose one of {', '.join(modes)}")
    from nhiscan.connectors.git.config import GitConfig, ScanMode

    mode = ScanMode.WORKTREE
    if src.history:
        mode = ScanMode.HISTORY
    elif src.since:
        mode = ScanMode.SINCE
    elif src.staged:
        mode = ScanMode.STAGED
    config = GitConfig(
        repos=src.repos,
        mode=mode,
        since=src.since,
        max_file_size=src.max_file_size or settings.git.max_file_size,
        workers=settings.git.workers or None,
        verifier=_verifier() if src.verify else None,
    )
    connector: Connector = connector_class("git")(config)
    return connector


def _verifier() -> Any:
    from nhiscan.connectors.git.verify import AwsKeyVerifier, VerifyConfig

    return AwsKeyVerifier(VerifyConfig())


def verify_plan() -> str:
    """What --verify would contact (--verify --dry-run): the endpoints, one per line."""
    from nhiscan.connectors.git.verify import VerifyConfig, endpoints

    lines = [
        "--verify sends one sts:GetCallerIdentity request per AWS access key found with its",
        "secret key (signed with that key; the secret key itself is not sent), to:",
        *(f"  {url}" for url in endpoints(VerifyConfig())),
        "and contacts nothing else. Nothing was scanned or sent (--dry-run).",
    ]
    return "\n".join(lines) + "\n"


def _cloud_connectors(src: SourceOptions, settings: Settings) -> list[Connector]:
    aws = settings.aws
    regions = src.aws_regions or aws.regions
    if src.demo:
        if src.live_aws_asked or src.aws_gaad:
            raise ConfigError("--demo scans the built-in estate: drop the --aws-* options")
        return [connector_class("demo")(regions=regions)]
    connectors: list[Connector] = []
    if src.aws_gaad:
        connectors.append(connector_class("aws-gaad")(src.aws_gaad))
    if src.live_aws_asked or not connectors:
        from nhiscan.connectors.aws.live import AwsConfig

        config = AwsConfig(
            profiles=src.aws_profiles or aws.profiles,
            regions=regions,
            assume_role=src.aws_assume_role or aws.assume_role,
            org_role=src.aws_org_role or aws.org_role,
            max_workers=aws.max_workers,
        )
        connectors.append(connector_class("aws")(config))
    return connectors


def collect_snapshot(src: SourceOptions, settings: Settings) -> snapshot.Snapshot:
    progress = StderrProgress()
    try:
        ctx = CollectContext(now=datetime.now(UTC), progress=progress)
        return pipeline.collect(build_connectors(src, settings), ctx)
    finally:
        progress.close()


def run_collect(
    src: SourceOptions, settings: Settings, *, output: Path, strict: bool | None
) -> int:
    check_writable(output)
    snap = collect_snapshot(src, settings)
    write_output(output, snapshot.to_json(snap).encode())
    click.echo(f"wrote {output}", err=True)
    _echo_gaps(len(snap.gaps))
    strict = settings.strict if strict is None else strict
    return 3 if strict and snap.gaps else 0


def run_analyze(path: Path, settings: Settings, gate: Gate) -> int:
    targets = prepare_outputs(gate.output, gate.formats)
    accepted = _load_baseline(gate)
    snap = snapshot.load(path)
    return _report(snap, settings, gate, targets=targets, accepted=accepted)


def run_scan(src: SourceOptions, settings: Settings, gate: Gate) -> int:
    started = datetime.now(UTC)
    # every option is checked before collecting: agent files, baseline, outputs, store
    agents = load_agent_files(gate.agents, settings, demo=src.demo, disabled=gate.no_agents)
    accepted = _load_baseline(gate)
    targets = prepare_outputs(gate.output, gate.formats, snapshot_copy=True)
    store = _open_history(gate)
    try:
        snap = collect_snapshot(src, settings)
        return _report(
            snap,
            settings,
            gate,
            targets=targets,
            accepted=accepted,
            agents=agents,
            recording=(store, started) if store is not None else None,
            snapshot_copy=True,
        )
    finally:
        if store is not None:
            store.close()


def _load_baseline(gate: Gate) -> baselines.Baseline | None:
    return baselines.load(gate.baseline) if gate.baseline is not None else None


def _open_history(gate: Gate) -> Store | None:
    from nhiscan.commands_history import open_history

    return open_history(gate)


def _report(
    snap: snapshot.Snapshot,
    settings: Settings,
    gate: Gate,
    *,
    targets: list[Target],
    accepted: baselines.Baseline | None,
    agents: AgentFile | None = None,
    recording: tuple[Store, datetime] | None = None,
    snapshot_copy: bool = False,
) -> int:
    """Analyse, write the reports (and the snapshot copy), then record the run when asked."""
    now = gate.now or datetime.now(UTC)
    if agents is None and not snapshot_copy:
        agents = load_agent_files(
            gate.agents, settings, demo=_is_demo(snap), disabled=gate.no_agents
        )
    report = pipeline.analyze(snap, settings=settings, now=now, reach=gate.reach, agents=agents)
    echo_unmatched(report)
    _echo_suppressions(report)
    if accepted is not None:
        report = pipeline.apply_baseline(report, accepted, source=str(gate.baseline))
    copy = snap if snapshot_copy else None
    if recording is None:
        _write_all(report, targets, copy)
    else:
        from nhiscan.commands_history import recorded

        store, started = recording
        with recorded(store, report, gate, started=started) as report:
            _write_all(report, targets, copy)
    click.echo(summary_line(report), err=True)
    return pipeline.exit_code(report, fail_on=gate.fail_on, strict=gate.strict)


def _write_all(report: Report, targets: list[Target], snap: snapshot.Snapshot | None) -> None:
    write_reports(report, targets)
    path = snapshot_copy_path(targets) if snap is not None else None
    if snap is not None and path is not None:
        write_output(path, snapshot.to_json(snap).encode())
        click.echo(f"wrote {path}", err=True)


def _echo_suppressions(report: Report) -> None:
    for expired in report.expired_suppressions:
        click.echo(
            f"{expired.describe()}: expired on {expired.expires}, no longer suppressing "
            f"(reason was: {expired.reason})",
            err=True,
        )
    for unused in report.unused_suppressions:
        click.echo(f"{unused.describe()}: matches no finding any more", err=True)


def _is_demo(snap: snapshot.Snapshot) -> bool:
    return any(source.startswith("demo:") for source in snap.sources)


def summary_line(report: Report) -> str:
    counts = {s: 0 for s in Severity}
    for finding in report.findings:
        counts[finding.severity] += 1
    by_sev = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    gaps = len(report.gaps)
    text = (
        f"{len(report.estate.identities)} identities, {len(report.snapshot.credentials)} "
        f"credentials, {len(report.findings)} findings" + (f" ({by_sev})" if by_sev else "")
    )
    if gaps:
        text += f"; {gaps} collection gaps: results are incomplete (see the report)"
    if report.suppressed:
        text += f"; {len(report.suppressed)} suppressed in nhiscan.toml"
    if report.expired_suppressions:
        text += f"; {len(report.expired_suppressions)} suppressions expired"
    if report.baseline_file is not None:
        text += f"; {len(report.baselined)} accepted in the baseline"
        if report.stale_baseline:
            text += f", {len(report.stale_baseline)} baseline entries match nothing any more"
    skipped = len(report.snapshot.skipped)
    if skipped:
        files = "file" if skipped == 1 else "files"
        text += f"; {skipped} {files} not scanned (binary or too large, listed in the report)"
    return text


def _echo_gaps(count: int) -> None:
    if count:
        click.echo(f"{count} collection gaps: some parts could not be examined", err=True)


def run_inventory(
    path: Path | None,
    src: SourceOptions,
    settings: Settings,
    *,
    fmt: str,
    output: Path | None,
    now: datetime | None,
) -> None:
    from nhiscan.reports.inventory import render_inventory
    from nhiscan.scanner.estate import build_estate

    if output is not None:
        check_writable(output)
    snap = snapshot.load(path) if path is not None else collect_snapshot(src, settings)
    text = render_inventory(build_estate(snap), fmt=fmt, now=now or datetime.now(UTC))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)


def run_baseline(
    path: Path | None,
    src: SourceOptions,
    settings: Settings,
    *,
    output: Path,
    update: bool,
    now: datetime | None,
    agents: tuple[Path | None, bool] = (None, False),
) -> None:
    """``baseline create``: accept every current finding; ``baseline update``: the current
    findings, keeping notes, dropping entries that match nothing (and saying which)."""
    if path is not None and (src.cloud_asked or src.repos):
        raise ConfigError(f"{path}: give a snapshot or source options, not both")
    given, disabled = agents
    agent_files = load_agent_files(given, settings, demo=src.demo, disabled=disabled)
    old = baselines.load(output) if update else None
    check_writable(output)
    snap = snapshot.load(path) if path is not None else collect_snapshot(src, settings)
    if agent_files is None and not disabled and path is not None and _is_demo(snap):
        agent_files = load_agent_files(None, settings, demo=True)
    report = pipeline.analyze(
        snap, settings=settings, now=now or datetime.now(UTC), agents=agent_files
    )
    if old is not None:
        accepted, dropped = baselines.update(old, report.findings)
        for entry in dropped:
            click.echo(f"dropped (matches nothing): {entry.rule_id} {entry.subject}", err=True)
    else:
        accepted = baselines.create(report.findings)
    write_output(output, baselines.to_json(accepted).encode("utf-8"))
    click.echo(f"wrote {output} ({len(accepted.entries)} accepted findings)", err=True)


def render_rules(fmt: str) -> str:
    from nhiscan.rules import ALL_RULES

    metas = [rule.meta for rule in ALL_RULES]
    if fmt == "json":
        rows = [
            {"id": m.id, "name": m.name, "severity": m.severity.value, "summary": m.summary}
            for m in metas
        ]
        return json.dumps(rows, indent=2) + "\n"
    lines = [f"{m.id}  {m.severity.value:<8}  {m.name:<40}  {m.summary}" for m in metas]
    return "\n".join(lines) + "\n"


# --- reach queries ---------------------------------------------------------------------------


def load_query_subject(path: Path | None, src: SourceOptions, settings: Settings) -> Any:
    """The reach graph of a snapshot file, or of an estate collected now from ``src``."""
    if path is not None and (src.cloud_asked or src.repos):
        raise ConfigError(f"{path}: give a snapshot or source options (--demo, --aws-*), not both")
    snap = snapshot.load(path) if path is not None else collect_snapshot(src, settings)
    from nhiscan import queries

    return queries.load(snap)


def run_query(
    path: Path | None,
    src: SourceOptions,
    settings: Settings,
    ask: Callable[[Any], str],
    *,
    output: Path | None = None,
) -> None:
    """Load, ask, and write the answer to standard output or ``output`` ("-" is stdout)."""
    to_file = output is not None and str(output) != "-"
    if output is not None and to_file:
        check_writable(output)
    text = ask(load_query_subject(path, src, settings))
    if output is None or not to_file:
        click.echo(text, nl=False)
        return
    write_output(output, text.encode("utf-8"))
    click.echo(f"wrote {output}", err=True)
