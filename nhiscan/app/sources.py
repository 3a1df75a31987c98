"""Which connectors a command line asks for, and collecting a snapshot with them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nhiscan.app import pipeline
from nhiscan.app.config import Settings
from nhiscan.app.options import SourceOptions
from nhiscan.app.progress import StderrProgress
from nhiscan.connectors import connector_class
from nhiscan.connectors.base import CollectContext, Connector
from nhiscan.errors import ConfigError
from nhiscan.scanner import snapshot


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
