"""Settings from nhiscan.toml and the command line. Thresholds live here, never in rules.

Unknown keys are errors (a typo must not silently fall back to a default), naming the file
and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from nhiscan.errors import ConfigError
from nhiscan.scanner.model import Severity
from nhiscan.scanner.suppress import Suppression, parse_suppressions

DEFAULT_CONFIG_NAME = "nhiscan.toml"


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleSettings:
    key_max_age_days: int = 90
    key_unused_days: int = 45
    # A key never used since creation is flagged once it is this old (time to deploy it).
    key_never_used_grace_days: int = 7
    role_unused_days: int = 90
    # Tag keys that name an owner, compared without regard to case.
    owner_tag_keys: tuple[str, ...] = ("owner",)


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsSettings:
    profiles: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    assume_role: str | None = None
    org_role: str | None = None
    max_workers: int = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class GitSettings:
    # Files and blobs bigger than this are not scanned; each one is listed as skipped.
    max_file_size: int = 5 * 1024 * 1024
    workers: int = 0  # scanning processes; 0: one per CPU


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSettings:
    # An agent file or a folder of them; relative to the current directory. None: agents.yaml
    # or agents/ in the current directory when present.
    path: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    aws: AwsSettings = field(default_factory=AwsSettings)
    git: GitSettings = field(default_factory=GitSettings)
    agents: AgentSettings = field(default_factory=AgentSettings)
    suppressions: tuple[Suppression, ...] = ()  # [[suppress]] (scanner/suppress.py)
    fail_on: Severity | None = None
    strict: bool = False


def load_settings(path: Path | None) -> Settings:
    """Read ``path``, or ./nhiscan.toml when it exists, or return the defaults."""
    if path is None:
        default = Path(DEFAULT_CONFIG_NAME)
        if not default.is_file():
            return Settings()
        path = default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return settings_from_dict(data, source=str(path))


def settings_from_dict(data: dict[str, Any], *, source: str) -> Settings:
    data = dict(data)
    lifecycle = _section(LifecycleSettings, data.pop("lifecycle", {}), f"{source} [lifecycle]")
    aws = _section(AwsSettings, data.pop("aws", {}), f"{source} [aws]")
    git = _section(GitSettings, data.pop("git", {}), f"{source} [git]")
    agents = _section(AgentSettings, data.pop("agents", {}), f"{source} [agents]")
    suppressions = parse_suppressions(data.pop("suppress", []), source=source)
    top = _section(_Top, data, source)
    fail_on = None
    if top.fail_on is not None:
        fail_on = parse_severity(top.fail_on, where=f"{source}: fail_on")
    return Settings(
        lifecycle=lifecycle,
        aws=aws,
        git=git,
        agents=agents,
        suppressions=suppressions,
        fail_on=fail_on,
        strict=top.strict,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Top:
    fail_on: str | None = None
    strict: bool = False


def parse_severity(value: str, *, where: str) -> Severity:
    try:
        return Severity(value.lower())
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise ConfigError(f"{where}: unknown severity {value!r} (one of: {choices})") from None


def _section(cls: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(known))})")
        default = getattr(cls(), key)
        values[key] = _coerce(value, default, f"{where}: {key}")
    return replace(cls(), **values)


def _coerce(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: expected a whole number >= 0, got {value!r}")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
        return tuple(value)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    return value
