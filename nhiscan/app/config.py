"""Settings from nhiscan.toml and the command line. Thresholds are set here, never in rules
(``[lifecycle]`` is read into ``rules.thresholds.LifecycleThresholds``, which rules are given).

Unknown keys are errors (a typo must not silently fall back to a default), naming the file
and the key.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from nhiscan.connectors import connector_specs
from nhiscan.errors import ConfigError
from nhiscan.rules.thresholds import ActivitySettings, FederationSettings, LifecycleThresholds
from nhiscan.scanner.model import Severity
from nhiscan.scanner.suppress import Suppression, parse_suppressions

DEFAULT_CONFIG_NAME = "nhiscan.toml"


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSettings:
    # An agent file or a folder of them; relative to the current directory. None: agents.yaml
    # or agents/ in the current directory when present.
    path: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    lifecycle: LifecycleThresholds = field(default_factory=LifecycleThresholds)
    agents: AgentSettings = field(default_factory=AgentSettings)
    federation: FederationSettings = field(default_factory=FederationSettings)
    activity: ActivitySettings = field(default_factory=ActivitySettings)
    # Each connector's table ([aws], [git]), by connector name (the spec's section dataclass).
    sources: Mapping[str, Any] = field(default_factory=lambda: _source_defaults())
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
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason}): save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError:  # tomllib recurses per nested array or inline table
        raise ConfigError(
            f"{path}: not valid TOML: arrays or inline tables nested too deeply (from line "
            f"{_deep_line(text)}); no setting of nhiscan.toml nests more than one level"
        ) from None
    return settings_from_dict(data, source=str(path))


def _deep_line(text: str, depth: int = 100) -> int:
    """The line where brackets and braces first nest ``depth`` deep (strings not told apart:
    a pointer for the reader, not a parser)."""
    level = 0
    for line, content in enumerate(text.splitlines(), start=1):
        for char in content:
            level += (char in "[{") - (char in "]}")
            if level >= depth:
                return line
    return 1


# The core tables of nhiscan.toml, by name: what ``[name]`` may hold. Each connector with a
# section adds its own (``source_sections``).
SECTIONS: dict[str, type[Any]] = {
    "lifecycle": LifecycleThresholds,
    "agents": AgentSettings,
    "federation": FederationSettings,
    "activity": ActivitySettings,
}
TOP_KEYS = ("fail_on", "strict", "suppress")


def source_sections() -> dict[str, type[Any]]:
    """The registered connectors' tables, by connector name."""
    tables = {spec.name: spec.section for spec in connector_specs() if spec.section is not None}
    clash = sorted(tables.keys() & {*SECTIONS, *TOP_KEYS})
    if clash:
        raise ConfigError(f"connector {clash[0]!r}: [{clash[0]}] is a core table: rename it")
    return tables


def _source_defaults() -> dict[str, Any]:
    return {name: cls() for name, cls in source_sections().items()}


def settings_from_dict(data: dict[str, Any], *, source: str) -> Settings:
    data = dict(data)
    sources = source_sections()
    top_keys = (*TOP_KEYS, *SECTIONS, *sources)
    for key in data:
        if key not in top_keys:
            raise ConfigError(_unknown(source, key, None, top_keys))
    tables = {**SECTIONS, **sources}
    sections = {
        name: _section(cls, data.pop(name, {}), source, name) for name, cls in tables.items()
    }
    suppressions = parse_suppressions(data.pop("suppress", []), source=source)
    top = _section(_Top, data, source, None)
    fail_on = None
    if top.fail_on is not None:
        fail_on = parse_severity(top.fail_on, where=f"{source}: fail_on")
    return Settings(
        lifecycle=sections.pop("lifecycle"),
        agents=sections.pop("agents"),
        federation=sections.pop("federation"),
        activity=sections.pop("activity"),
        sources=sections,
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


# The upper bound of a whole-number setting without its own (a field's ``metadata["max"]``): a
# value past it is a typo, and days past about 100 years overflow the date arithmetic.
MAX_DAYS = 36_500


def _section(cls: type[Any], data: Any, source: str, name: str | None) -> Any:
    where = source if name is None else f"{source}: [{name}]"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table ([{name}] with its keys), got {data!r}")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(_unknown(source, key, name, tuple(known)))
        default = getattr(cls(), key)
        limit = known[key].metadata.get("max", MAX_DAYS)
        values[key] = _coerce(
            value, default, limit, f"{where} {key}" if name else f"{source}: {key}"
        )
    return replace(cls(), **values)


def _unknown(source: str, key: str, section: str | None, valid: Iterable[str]) -> str:
    level = "at the top level" if section is None else f"in [{section}]"
    names = sorted(valid)
    close = difflib.get_close_matches(key, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{source}: unknown key {key!r} {level}{hint}; valid keys: {', '.join(names)}"


def _coerce(value: Any, default: Any, limit: int, where: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {_shown(value)}")
        return value
    if isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
            raise ConfigError(
                f"{where}: expected a whole number from 0 to {limit}, got {_shown(value)}"
            )
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings, got {_shown(value)}")
        return tuple(value)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    """A value as written, cut short: a config error quotes what it refuses, not a wall."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
