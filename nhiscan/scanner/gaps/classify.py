"""Sorting grants against needs: needed, excess (no step needs the action), excess scope (a
needed action on more than is needed) and conditional excess."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.gaps.model import GrantItem
from nhiscan.scanner.glob import glob_match

Sorted = tuple[GrantItem, ...]


def classify(granted: Iterable[GrantItem], needs: Iterable[Need]) -> tuple[Sorted, Sorted, Sorted]:
    """(excess, excess scope, conditional excess), each sorted by service, action, resource."""
    needed: dict[str, list[str]] = {}
    for need in needs:
        needed.setdefault(need.action.lower(), []).append(need.resource)
    excess: list[GrantItem] = []
    scope: list[GrantItem] = []
    conditional: list[GrantItem] = []
    for item in granted:
        resources = needed.get(item.action.lower())
        if resources and any(covers(r, item.resource) for r in resources):
            continue
        if resources:
            item = replace(item, needed_on=tuple(sorted(set(resources))))
        (conditional if item.conditional else scope if resources else excess).append(item)
    return _sorted(excess), _sorted(scope), _sorted(conditional)


def covers(needed: str, granted: str) -> bool:
    """Whether a grant on ``granted`` is within ``needed``: the needed pattern matches the
    granted one read literally (``docs/*`` covers ``docs/2026/*``)."""
    return needed == granted or glob_match(needed, granted)


def _sorted(items: list[GrantItem]) -> Sorted:
    return tuple(sorted(items, key=lambda i: (i.service, i.action.lower(), i.resource, i.via)))
