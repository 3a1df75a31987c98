"""The git connector's options (``--repo`` and how to scan it) and its ``[git]`` table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionKind, OptionSpec
from nhiscan.errors import ConfigError


@dataclass(frozen=True, slots=True, kw_only=True)
class GitSettings:
    # Files and blobs bigger than this are not scanned; each one is listed as skipped.
    max_file_size: int = field(default=5 * 1024 * 1024, metadata={"max": 2**40})
    workers: int = field(default=0, metadata={"max": 1024})  # scanning processes; 0: per CPU


_MODES = (("--history", "history"), ("--since", "since"), ("--staged", "staged"))


def check(values: Mapping[str, Any]) -> None:
    modes = [flag for flag, dest in _MODES if values.get(dest)]
    if not values.get("repos"):
        if modes or values.get("verify"):
            raise ConfigError(f"{(modes or ['--verify'])[0]} needs --repo PATH")
        return
    if len(modes) > 1:
        raise ConfigError(f"choose one of {', '.join(modes)}")


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    cls = connector_class("git")
    from nhiscan.connectors.git.config import GitConfig, ScanMode

    mode = ScanMode.WORKTREE
    if values["history"]:
        mode = ScanMode.HISTORY
    elif values["since"]:
        mode = ScanMode.SINCE
    elif values["staged"]:
        mode = ScanMode.STAGED
    git: GitSettings = sections["git"]
    config = GitConfig(
        repos=values["repos"],
        mode=mode,
        since=values["since"],
        max_file_size=values["max_file_size"] or git.max_file_size,
        workers=git.workers or None,
        verifier=_verifier() if values["verify"] else None,
    )
    connector: Connector = cls(config)
    return connector


def _verifier() -> Any:
    from nhiscan.connectors.git.verify import AwsKeyVerifier, VerifyConfig

    return AwsKeyVerifier(VerifyConfig())


def verify_plan(values: Mapping[str, Any]) -> str | None:
    """What --verify would contact (--verify --dry-run): the endpoints, one per line."""
    if not (values.get("dry_run") and values.get("verify")):
        return None
    from nhiscan.connectors.git.verify import VerifyConfig, endpoints

    lines = [
        "--verify sends one sts:GetCallerIdentity request per AWS access key found with its",
        "secret key (signed with that key; the secret key itself is not sent), to:",
        *(f"  {url}" for url in endpoints(VerifyConfig())),
        "and contacts nothing else. Nothing was scanned or sent (--dry-run).",
    ]
    return "\n".join(lines) + "\n"


SPEC = ConnectorSpec(
    name="git",
    options=(
        OptionSpec(
            flag="--repo",
            dest="repos",
            multiple=True,
            metavar="PATH|URL",
            help="Scan a repository or directory for secrets (repeat); a URL is cloned.",
        ),
        OptionSpec(flag="--history", dest="history", kind=OptionKind.FLAG,
                   help="Scan every commit on every ref."),
        OptionSpec(flag="--since", dest="since", metavar="REV",
                   help="Scan only the commits after REV (CI)."),
        OptionSpec(flag="--staged", dest="staged", kind=OptionKind.FLAG,
                   help="Scan only staged changes (pre-commit)."),
        OptionSpec(
            flag="--max-file-size",
            dest="max_file_size",
            kind=OptionKind.POSITIVE,
            metavar="BYTES",
            help="Skip (and list) files larger than this. Default 5 MiB ([git] in nhiscan.toml).",
        ),
        OptionSpec(
            flag="--verify",
            dest="verify",
            kind=OptionKind.FLAG,
            help="Check found AWS keys with sts:GetCallerIdentity (off by default).",
        ),
        OptionSpec(
            flag="--dry-run",
            dest="dry_run",
            kind=OptionKind.FLAG,
            requires="verify",
            help="With --verify: list the endpoints it would contact, then stop.",
        ),
    ),
    section=GitSettings,
    build=build,
    identities=False,
    asked=lambda values: bool(values.get("repos")),
    check=check,
    plan=verify_plan,
    order=30,
)  # fmt: skip
