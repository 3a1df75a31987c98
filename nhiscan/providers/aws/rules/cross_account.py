"""Role assumption across the estate's accounts, over the reach graph's can_assume hops: who
can assume a role in another account (NHI107), and which roles another account can assume
(NHI108). Paths are the graph's shortest ones, as hops (``Hop.to_json``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhiscan.providers.aws.facts import KIND_WORDS
from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import capital, named
from nhiscan.rules.reach_support import (
    AdminReach,
    admin_reach,
    conditional,
    per_graph,
    sample,
)
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph, path_json
from nhiscan.scanner.model import Finding, Identity, Provider, Severity

Path = tuple[Hop, ...]


class CrossAccountAssume:
    meta = RuleMeta(
        needs_graph=True,
        id="NHI107",
        name="cross-account-assume",
        severity=Severity.MEDIUM,
        summary=(
            "An identity can assume a role in another account of the estate. High when that "
            "role is admin-equivalent."
        ),
        remediation=(
            "Confirm the identity needs to act in the other account. If not, remove the role's "
            "trust in it (or its account) and its sts:AssumeRole grant; if so, trust the exact "
            "role ARN rather than the account root, and keep the role's permissions narrow."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        graph = ctx.require_graph(self.meta)
        reach = admin_reach(graph)
        grouped: dict[tuple[str, str], list[Hop]] = {}
        for hop, source, role in per_graph(graph, "crossings", _crossings):
            grouped.setdefault((source.id, role.account), []).append(hop)
        for (source_id, account), hops in sorted(grouped.items()):
            source = estate.identities[source_id]
            yield self._finding(estate, reach, source, account, hops)

    def _finding(
        self, estate: Estate, reach: AdminReach, source: Identity, account: str, hops: list[Hop]
    ) -> Finding:
        hops = sorted(hops, key=lambda h: (not reach.reaches(h.target), h.conditional, h.target))
        hop = hops[0]
        admin = reach.reaches(hop.target)
        path = (hop, *(reach.path(hop.target) or ()))
        role = estate.identities[hop.target]
        roles = [h.target for h in hops]
        more = f" (and {len(roles) - 1:,} other roles there)" if len(roles) > 1 else ""
        return make_finding(
            self.meta,
            subject=source.id,
            provider=source.provider,
            title=(
                f"{capital(named(source, KIND_WORDS))} can assume role {role.name} in "
                f"account {account}{_admin_words(admin)}{more}."
            ),
            evidence=_crossing_evidence(source, role, admin, path)
            | {"roles": len(roles), "sample_roles": sample(roles)},
            key=(account,),
            severity=Severity.HIGH if admin else Severity.MEDIUM,
            path=path_json(path),
        )


class CrossAccountAssumable:
    meta = RuleMeta(
        needs_graph=True,
        id="NHI108",
        name="cross-account-assumable",
        severity=Severity.MEDIUM,
        summary=(
            "A role can be assumed by identities of another account of the estate. High when "
            "the role is admin-equivalent."
        ),
        remediation=(
            "Confirm each other account's identities need the role. Trust the exact role ARNs "
            "that need it rather than the account root, add conditions (aws:PrincipalOrgID, "
            "sts:ExternalId for third parties), and keep the role's permissions narrow."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        graph = ctx.require_graph(self.meta)
        reach = admin_reach(graph)
        grouped: dict[tuple[str, str], list[Hop]] = {}
        for hop, source, role in per_graph(graph, "crossings", _crossings):
            grouped.setdefault((role.id, source.account), []).append(hop)
        for (role_id, account), hops in sorted(grouped.items()):
            role = estate.identities[role_id]
            yield self._finding(estate, reach, role, account, hops)

    def _finding(
        self, estate: Estate, reach: AdminReach, role: Identity, account: str, hops: list[Hop]
    ) -> Finding:
        hops = sorted(hops, key=lambda h: (h.conditional, h.source))
        hop = hops[0]
        admin = reach.reaches(role.id)
        path = (hop, *(reach.path(role.id) or ()))
        source = estate.identities[hop.source]
        callers = [h.source for h in hops]
        more = f" (and {len(callers) - 1:,} other identities there)" if len(callers) > 1 else ""
        return make_finding(
            self.meta,
            subject=role.id,
            provider=role.provider,
            title=(
                f"Role {role.name}{_admin_words(admin)} can be assumed from account {account} "
                f"by {named(source, KIND_WORDS)}{more}."
            ),
            evidence=_crossing_evidence(source, role, admin, path)
            | {"callers": len(callers), "sample_callers": sample(callers)},
            key=(account,),
            severity=Severity.HIGH if admin else Severity.MEDIUM,
            path=path_json(path),
        )


def _crossings(graph: ReachGraph) -> list[tuple[Hop, Identity, Identity]]:
    """(hop, caller, role) for each can_assume hop between two AWS accounts of the estate (other
    clouds' acting-as hops, a GCP service account impersonating one in another project, are
    not role assumption: these rules' words and fixes are AWS's)."""
    estate = graph.estate
    found = []
    for hop in graph.edges(EdgeKind.CAN_ASSUME):
        source = estate.identities.get(hop.source)
        role = estate.identities.get(hop.target)
        if source is None or role is None or source.service_linked:
            continue
        if source.provider is not Provider.AWS or role.provider is not Provider.AWS:
            continue
        if source.account != role.account:
            found.append((hop, source, role))
    return found


def _crossing_evidence(source: Identity, role: Identity, admin: bool, path: Path) -> dict[str, Any]:
    return {
        "identity": source.id,
        "identity_account": source.account,
        "role": role.id,
        "role_account": role.account,
        "accounts": sorted({source.account, role.account}),
        "role_reaches_admin": admin,
        "conditional": conditional(path[:1]),
    }


def _admin_words(admin: bool) -> str:
    return ", which reaches admin," if admin else ""
