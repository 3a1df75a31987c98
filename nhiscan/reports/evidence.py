"""Evidence as the HTML report shows it: a finding's evidence in plain lines (``facts``), the
steps of a path that are not hops as key/value trees, identities by name and id.

Every text goes through ``escape`` exactly as autoescape would: evidence comes from clouds and
repositories and is attacker-controlled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from markupsafe import Markup, escape

from nhiscan.reports.model import Report
from nhiscan.scanner.codec import encode, iso

MAX_EVIDENCE_DEPTH = 6


@dataclass(frozen=True, slots=True)
class Node:
    """An evidence value as a tree the template walks: text, key/value entries, or items."""

    kind: Literal["text", "map", "list"]
    text: str = ""
    entries: tuple[tuple[str, Node], ...] = ()
    items: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """An identity as a person reads it: its name when we know it, always its stable id."""

    id: str
    name: str | None


def evidence_tree(value: Any, depth: int = 0) -> Node:
    """Turn evidence (JSON-like, possibly nested) into a ``Node`` tree, in a stable order."""
    if depth >= MAX_EVIDENCE_DEPTH and isinstance(value, Mapping | list | tuple | set | frozenset):
        return Node("text", text=json.dumps(encode(listed(value)), sort_keys=True, default=str))
    if isinstance(value, Mapping):
        if not value:
            return Node("text", text="(empty)")
        return Node(
            "map", entries=tuple((str(k), evidence_tree(v, depth + 1)) for k, v in value.items())
        )
    if isinstance(value, list | tuple | set | frozenset):
        items = listed(value)
        if not items:
            return Node("text", text="(none)")
        return Node("list", items=tuple(evidence_tree(v, depth + 1) for v in items))
    return Node("text", text=scalar_text(value))


def tree_html(node: Node) -> Markup:
    """An evidence tree as nested key/value lists. Built here rather than in a recursive
    template macro, which is many times slower on tens of thousands of findings; every text
    goes through ``escape`` exactly as autoescape would."""
    if node.kind == "map":
        inner = "".join(f"<dt>{escape(k)}</dt><dd>{tree_html(c)}</dd>" for k, c in node.entries)
        return Markup(f'<dl class="kv">{inner}</dl>')
    if node.kind == "list":
        inner = "".join(f"<li>{tree_html(c)}</li>" for c in node.items)
        return Markup(f'<ul class="items">{inner}</ul>')
    return Markup(f'<span class="v">{escape(node.text)}</span>')


def listed(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return value


def scalar_text(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def subject_of(report: Report, identity_id: str) -> Subject:
    identity = report.estate.identities.get(identity_id)
    return Subject(id=identity_id, name=None if identity is None else identity.name)


FACT_ITEMS = 8  # items of a list named in one fact; the rest are counted


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """A finding's evidence as a person reads it: one line per top-level entry whose value is
    a scalar, a list of scalars or a flat map; nested structures are counted in ``left_out``
    (report.json keeps the raw object)."""

    lines: tuple[tuple[str, str], ...]
    left_out: int


def facts(evidence: Mapping[str, Any]) -> Facts:
    lines: list[tuple[str, str]] = []
    left_out = 0
    for key, value in evidence.items():
        text = fact_text(value)
        if text is None:
            left_out += 1
        else:
            lines.append((str(key).replace("_", " "), text))
    return Facts(lines=tuple(lines), left_out=left_out)


def fact_text(value: Any) -> str | None:
    """A value in one line; None when it is nested deeper than a flat list or map."""
    if isinstance(value, Mapping):
        if any(isinstance(v, Mapping | list | tuple | set | frozenset) for v in value.values()):
            return None
        parts = [f"{k}: {scalar_text(v)}" for k, v in value.items()]
        return _joined(parts) if parts else "(none)"
    if isinstance(value, list | tuple | set | frozenset):
        items = listed(value)
        if any(isinstance(v, Mapping | list | tuple | set | frozenset) for v in items):
            return None
        return _joined([scalar_text(v) for v in items]) if items else "(none)"
    return scalar_text(value)


def _joined(parts: list[str]) -> str:
    shown = ", ".join(parts[:FACT_ITEMS])
    more = len(parts) - FACT_ITEMS
    return f"{shown} and {more} more" if more > 0 else shown


def short_id(identity_id: str, limit: int = 32) -> str:
    """An id short enough for one line: an ARN's or path's last segment, else its ends."""
    if "/" in identity_id:
        last = identity_id.rstrip("/").rsplit("/", 1)[-1]
        if last:
            identity_id = last
    if len(identity_id) <= limit:
        return identity_id
    half = (limit - 1) // 2
    return f"{identity_id[:half]}…{identity_id[-half:]}"
