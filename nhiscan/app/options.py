"""What a command asks for, once parsed: its sources (``SourceOptions``) and how its
results are written and gated (``Gate``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nhiscan.scanner.model import Severity


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
