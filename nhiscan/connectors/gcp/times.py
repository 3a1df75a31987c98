"""Google's RFC 3339 times, read the same way by the live connector and the offline reader."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_time(value: Any) -> datetime:
    """An RFC 3339 time (Z or offset, up to nanoseconds) as an aware UTC datetime."""
    if not isinstance(value, str):
        raise TypeError(value)
    moment = datetime.fromisoformat(_FRACTION.sub(r"\1", value))
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment.astimezone(UTC)
