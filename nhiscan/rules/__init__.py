"""The rule registry. ``ALL_RULES`` is explicit: a rule that is not listed here does not run,
and a meta-test checks every listed rule has a fixture that triggers it and one that does not.
"""

from __future__ import annotations

from nhiscan.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = ()
