"""The exposure score of an agent: how much its excess access is worth to an attacker.

score = sum over excess (action, resource) of level x data x breadth x certainty,
        + 1000 if any identity is administrator, + 500 per escalation method it can use.

- level: Permissions management 10, Write 4, Read 2, Tagging 1, List 1 (an action the catalogue
  does not know counts as Read).
- data: x3 for data stores and secrets (the provider's ``sensitive_services``, read when the
  grant is found: ``GrantItem.sensitive``) except List and Tagging.
- breadth: x2 when granted on every resource (``*``) or a whole service (the provider's
  ``IdScheme.is_broad``: ``GrantItem.broad``).
- certainty: x0.5 when it holds only under conditions nhiscan could not decide, and x0.5 for a
  needed action granted on more than is needed (excess scope).

Bands: 0 none, below 50 low, below 250 medium, below 1000 high, from 1000 critical. The report
prints this table (``SCORE_DOC``) next to every score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nhiscan.scanner.gaps.model import AgentGap, GrantItem
from nhiscan.scanner.model import Severity

LEVEL_WEIGHT = {
    "Permissions management": 10.0,
    "Write": 4.0,
    "Read": 2.0,
    "Tagging": 1.0,
    "List": 1.0,
}
ADMIN_POINTS = 1000
ESCALATION_POINTS = 500
BANDS = ((1000, Severity.CRITICAL), (250, Severity.HIGH), (50, Severity.MEDIUM), (1, Severity.LOW))

SCORE_DOC = (
    "Score = sum over excess grants of level weight (permissions management 10, write 4, "
    "read 2, tagging 1, list 1) x 3 for data stores and secrets x 2 when granted on every "
    "resource x 0.5 when only conditional x 0.5 for excess scope of a needed action; "
    "+1000 when administrator, +500 per escalation method. Bands: low < 50 <= medium < 250 "
    "<= high < 1000 <= critical."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    value: int
    band: Severity | None  # None: no excess at all
    excess_points: float
    admin: bool
    escalation_methods: tuple[str, ...]


def weight(item: GrantItem, *, scope: bool = False) -> float:
    level = item.access_level or "Read"
    points = LEVEL_WEIGHT.get(level, 2.0)
    if item.sensitive and level not in ("List", "Tagging"):
        points *= 3
    if item.broad:
        points *= 2
    if item.conditional:
        points *= 0.5
    if scope:
        points *= 0.5
    return points


def score(gap: AgentGap) -> Score:
    points = _sum(gap.excess) + _sum(gap.conditional) + _sum(gap.excess_scope, scope=True)
    methods = tuple(sorted({e.method for e in gap.escalations}))
    total = points + (ADMIN_POINTS if gap.admin else 0) + ESCALATION_POINTS * len(methods)
    value = round(total)
    return Score(
        value=value,
        band=band(value),
        excess_points=round(points, 1),
        admin=gap.admin,
        escalation_methods=methods,
    )


def band(value: int) -> Severity | None:
    for floor, severity in BANDS:
        if value >= floor:
            return severity
    return None


def _sum(items: Iterable[GrantItem], *, scope: bool = False) -> float:
    return sum(weight(item, scope=scope) for item in items)
