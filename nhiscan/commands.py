"""What the commands do, between parsing (cli.py) and the pipeline: pick connectors, run the
stages, write outputs, choose the exit code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from nhiscan.commands_agents import echo_unmatched, load_agent_files
from nhiscan.config import Settings
from nhiscan.connectors import connector_class
from nhiscan.connectors.base import CollectContext, Connector
from nhiscan.errors import ConfigError
from nhiscan.progress import StderrProgress
from nhiscan.reports.base import Format, reporter
from nhiscan.scanner import baseline as baselines
from nhiscan.scanner import pipeline, snapshot
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.model import Severity
from nhiscan.scanner.pipeline import Report

DEFAULT_REPORT_DIR = "nhiscan-report"


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
    snap = collect_snapshot(src, settings)
    snapshot.save(snap, output)
    click.echo(f"wrote {output}", err=True)
    _echo_gaps(len(snap.gaps))
    strict = settings.strict if strict is None else strict
    return 3 if strict and snap.gaps else 0


def run_analyze(path: Path, settings: Settings, gate: Gate) -> int:
    snap = snapshot.load(path)
    return _report(snap, settings, gate, snapshot_copy=False)


def run_scan(src: SourceOptions, settings: Settings, gate: Gate) -> int:
    started = datetime.now(UTC)
    # bad agent files fail before collecting
    agents = load_agent_files(gate.agents, settings, demo=src.demo, disabled=gate.no_agents)
    snap = collect_snapshot(src, settings)
    return _report(snap, settings, gate, snapshot_copy=True, agents=agents, started=started)


def _report(
    snap: snapshot.Snapshot,
    settings: Settings,
    gate: Gate,
    *,
    snapshot_copy: bool,
    agents: AgentFile | None = None,
    started: datetime | None = None,
) -> int:
    targets = resolve_outputs(gate.output, gate.formats)
    now = gate.now or datetime.now(UTC)
    if agents is None and not snapshot_copy:
        agents = load_agent_files(
            gate.agents, settings, demo=_is_demo(snap), disabled=gate.no_agents
        )
    report = pipeline.analyze(snap, settings=settings, now=now, reach=gate.reach, agents=agents)
    echo_unmatched(report)
    _echo_suppressions(report)
    if gate.baseline is not None:
        accepted = baselines.load(gate.baseline)
        report = pipeline.apply_baseline(report, accepted, source=str(gate.baseline))
    if started is not None and gate.record:
        from nhiscan.commands_history import record_history

        report = record_history(report, gate, started=started)
    for fmt, target in targets:
        data = reporter(fmt).render(report)
        if target is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        click.echo(f"wrote {target}", err=True)
    directory = _directory_of(targets)
    if snapshot_copy and directory is not None:
        snapshot.save(snap, directory / "snapshot.json")
        click.echo(f"wrote {directory / 'snapshot.json'}", err=True)
    click.echo(summary_line(report), err=True)
    return pipeline.exit_code(report, fail_on=gate.fail_on, strict=gate.strict)


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


def resolve_outputs(
    output: str | None, formats: tuple[str, ...]
) -> list[tuple[Format, Path | None]]:
    """-o as a directory (report.<fmt> for each format), a single file, or - for stdout."""
    chosen = [Format(f) for f in dict.fromkeys(formats)]
    if output == "-":
        if len(chosen) > 1:
            raise ConfigError("-o - writes one format to standard output: give one --format")
        return [(chosen[0] if chosen else Format.JSON, None)]
    path = Path(output or DEFAULT_REPORT_DIR)
    as_dir = output is None or output.endswith(("/", "\\")) or path.is_dir() or path.suffix == ""
    if as_dir:
        return [(fmt, path / fmt.filename) for fmt in chosen or [Format.JSON, Format.HTML]]
    suffix_format = {f".{f.value}": f for f in Format}.get(path.suffix.lower())
    if not chosen:
        if suffix_format is None:
            raise ConfigError(
                f"-o {output}: cannot tell the format from the suffix; add --format, or give "
                "a directory to get every format"
            )
        chosen = [suffix_format]
    if len(chosen) > 1:
        raise ConfigError(f"-o {output} is one file: give a directory for several formats")
    return [(chosen[0], path)]


def _directory_of(targets: list[tuple[Format, Path | None]]) -> Path | None:
    paths = [t for _, t in targets if t is not None]
    if paths and all(p.name == fmt.filename for fmt, p in targets if p is not None):
        return paths[0].parent
    return None


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

    snap = snapshot.load(path) if path is not None else collect_snapshot(src, settings)
    text = render_inventory(build_estate(snap), fmt=fmt, now=now or datetime.now(UTC))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
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
    snap = snapshot.load(path) if path is not None else collect_snapshot(src, settings)
    if agent_files is None and not disabled and path is not None and _is_demo(snap):
        agent_files = load_agent_files(None, settings, demo=True)
    report = pipeline.analyze(
        snap, settings=settings, now=now or datetime.now(UTC), agents=agent_files
    )
    if update:
        accepted, dropped = baselines.update(baselines.load(output), report.findings)
        for entry in dropped:
            click.echo(f"dropped (matches nothing): {entry.rule_id} {entry.subject}", err=True)
    else:
        accepted = baselines.create(report.findings)
    baselines.save(accepted, output)
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
    text = ask(load_query_subject(path, src, settings))
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)
