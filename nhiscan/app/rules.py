"""``nhiscan rules``: the rule table, as text or JSON."""

from __future__ import annotations

import json


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
