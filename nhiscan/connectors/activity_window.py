"""The activity window every audit-log reader shares (``--activity-since`` /
``--activity-until``) and the settings of their ``nhiscan.toml`` tables.

The two options are declared by each reader's spec as ``shared`` options: the command line has
them once, every reader gets their values, and they go with any reader's location option
(``--aws-cloudtrail``, ``--gcp-audit-log``, ``--azure-activity-log``, ``--entra-signin-log``).
Without ``--activity-since`` a reader reads ``window_days`` before the window's end, which is
``--activity-until``, else ``--as-of`` (``CollectContext.as_of``), else the scan's time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nhiscan.connectors.base import OptionSpec
from nhiscan.errors import ConfigError


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityLogSettings:
    """A reader's ``nhiscan.toml`` table (``[gcp-audit-log]``, ``[azure-activity-log]``)."""

    # The window read when --activity-since is not given: this many days before its end.
    window_days: int = field(default=90, metadata={"max": 3650})
    samples: int = field(default=3, metadata={"max": 100})  # sample events per action use
    set_limit: int = field(default=20, metadata={"max": 1000})  # source IPs, user agents kept


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    since: datetime | None = None  # None: ``days`` before ``until``
    until: datetime | None = None  # None: --as-of, else the scan's time
    days: int = 90

    def bounds(self, end: datetime) -> tuple[datetime, datetime]:
        """[since, until) for a scan whose default end is ``end`` (``as_of or now``)."""
        until = self.until or end
        return self.since or until - timedelta(days=self.days), until


def window_options(*requires: str) -> tuple[OptionSpec, OptionSpec]:
    """The two shared options, going with the reader's location options ``requires``."""
    return (
        OptionSpec(
            flag="--activity-since",
            dest="activity_since",
            metavar="DATE",
            requires=requires,
            shared=True,
            help="Activity from this UTC date on (default: 90 days before the scan or --as-of).",
        ),
        OptionSpec(
            flag="--activity-until",
            dest="activity_until",
            metavar="DATE",
            requires=requires,
            shared=True,
            help="Activity before this UTC date (default: the scan's time).",
        ),
    )


def parse_day(flag: str, value: str | None) -> datetime | None:
    """A UTC date or date-time (2026-11-01, 2026-11-01T12:00:00Z) for an option."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{flag} {value!r:.60}: expected a UTC date such as 2026-11-01 or a date-time such "
            "as 2026-11-01T12:00:00Z"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def check_window(values: Mapping[str, Any]) -> None:
    since = parse_day("--activity-since", values.get("activity_since"))
    until = parse_day("--activity-until", values.get("activity_until"))
    if since is not None and until is not None and since >= until:
        raise ConfigError("--activity-since must be before --activity-until")


def window_of(values: Mapping[str, Any], days: int) -> Window:
    return Window(
        since=parse_day("--activity-since", values.get("activity_since")),
        until=parse_day("--activity-until", values.get("activity_until")),
        days=days or 90,
    )
