"""The rule registry: the neutral rules and every registered provider's, in one frozen order
(``nhiscan rules``, SARIF's rule table); and ``nhiscan rules``: that table, as text or JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nhiscan.rules.base import Rule

# Every rule's id in the order the rule table lists them. Frozen: a meta-test checks every
# registered rule is here (a provider registered later, not listed, comes after, by id).
RULE_ORDER: tuple[str, ...] = (
    "NHI001", "NHI002", "NHI003", "NHI004", "NHI005", "NHI006", "NHI007", "NHI008",
    "NHI100", "NHI101", "NHI102", "NHI103", "NHI104", "NHI105", "NHI106", "NHI107", "NHI108",
    "NHI109",
    "NHI200", "NHI201", "NHI202",
    "NHI300", "NHI301", "NHI302", "NHI303", "NHI304", "NHI305", "NHI306", "NHI307",
    "NHI400", "NHI401", "NHI402", "NHI403", "NHI404", "NHI405", "NHI406",
    "NHI500", "NHI501", "NHI502", "NHI503", "NHI504", "NHI505", "NHI506", "NHI507",
    "NHI600", "NHI601", "NHI602", "NHI603", "NHI604", "NHI605",
    "NHI700", "NHI701", "NHI702", "NHI703", "NHI704", "NHI705", "NHI706",
)  # fmt: skip


def all_rules() -> tuple[Rule, ...]:
    """The neutral rules and each registered provider's rules, in ``RULE_ORDER``."""
    from nhiscan import providers
    from nhiscan.rules.provider import assemble
    from nhiscan.rules.registry import CORE_RULES

    provided = [providers.rules_of(name) for name in sorted(providers.REGISTRY)]
    return assemble(CORE_RULES, provided, RULE_ORDER)


def render_rules(fmt: str) -> str:
    metas = [rule.meta for rule in all_rules()]
    if fmt == "json":
        rows = [
            {"id": m.id, "name": m.name, "severity": m.severity.value, "summary": m.summary}
            for m in metas
        ]
        return json.dumps(rows, indent=2) + "\n"
    lines = [f"{m.id}  {m.severity.value:<8}  {m.name:<40}  {m.summary}" for m in metas]
    return "\n".join(lines) + "\n"
