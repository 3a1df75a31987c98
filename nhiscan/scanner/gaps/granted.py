"""What a principal is granted: every (action, resource) its policies name, as the evaluator
sees it.

The principal's provider reads its policies (``ProviderAnalysis.grants``): each ``Grant`` is
one action on one resource pattern from one statement, its own and its groups' policies first,
then the resource policies the reach graph's ``can_access`` hops rest on. Here each grant is
kept when the evaluator (denies, ceilings) still allows it, asked about the resource the
provider says to probe (policy variables filled in, with the request attributes the resource
carries: ``Probe``); the statements granting the same (action, resource) are gathered on one
item.
"""

from __future__ import annotations

from dataclasses import replace

from nhiscan.scanner.authz import Authorizer, Decision
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.gaps.model import GrantItem
from nhiscan.scanner.grants import Grant
from nhiscan.scanner.graph import EdgeKind, ReachGraph
from nhiscan.scanner.model import Identity
from nhiscan.scanner.provider import ProviderAnalysis, ProviderSet

Key = tuple[str, str]  # (lower-case action, resource pattern)


class Grants:
    """Each principal's grants, computed on first use and kept."""

    def __init__(
        self, estate: Estate, graph: ReachGraph, authorizer: Authorizer, providers: ProviderSet
    ) -> None:
        self.estate = estate
        self.graph = graph
        self.authorizer = authorizer
        self.providers = providers
        self._of: dict[str, dict[Key, GrantItem]] = {}

    def uncollected(self, principal: str) -> tuple[str, ...]:
        """The policies attached to ``principal`` (or its groups) whose documents are not in
        the snapshot: its grants are incomplete by what they hold (a collection gap says why)."""
        identity = self.estate.identities.get(principal)
        if identity is None:
            return ()
        return tuple(p for p in self._policy_ids(identity) if p not in self.estate.policies)

    def of(self, principal: str) -> dict[Key, GrantItem]:
        found = self._of.get(principal)
        if found is None:
            found = self._of[principal] = self._compute(principal)
        return found

    def _compute(self, principal: str) -> dict[Key, GrantItem]:
        identity = self.estate.identities.get(principal)
        found: dict[Key, GrantItem] = {}
        analysis = self.providers.analysis(identity.provider) if identity is not None else None
        if identity is None or analysis is None:
            return found
        accessed = [h for h in self.graph.hops_from(principal) if h.edge is EdgeKind.CAN_ACCESS]
        for grant in analysis.grants(identity, accessed):
            self._add(found, identity, analysis, grant)
            if grant.except_resources:
                self._except(found, (grant.action.lower(), grant.resource), grant.except_resources)
        return found

    @staticmethod
    def _except(found: dict[Key, GrantItem], key: Key, excluded: tuple[str, ...]) -> None:
        item = found.get(key)
        if item is not None and not item.except_resources:
            found[key] = replace(item, except_resources=excluded)

    def _add(
        self,
        found: dict[Key, GrantItem],
        identity: Identity,
        analysis: ProviderAnalysis,
        grant: Grant,
    ) -> None:
        key = (grant.action.lower(), grant.resource)
        old = found.get(key)
        if old is not None:
            if grant.source not in old.statements:
                found[key] = replace(old, statements=(*old.statements, grant.source))
            return
        probe = analysis.probe(identity, grant.resource)
        result = self.authorizer.evaluate(
            identity.id, grant.action, probe.resource, probe.context or None
        )
        if result.decision.possible:
            found[key] = self.item(identity, grant, result.decision is Decision.CONDITIONAL)

    def item(self, identity: Identity, grant: Grant, conditional: bool) -> GrantItem:
        provider = self.providers.get(identity.provider)
        sensitive = self.providers.facts(identity.provider).sensitive_services
        return GrantItem(
            provider=identity.provider,
            action=grant.action,
            resource=grant.resource,
            service=grant.service,
            access_level=None if grant.access_level is None else grant.access_level.value,
            statements=(grant.source,),
            conditional=conditional,
            sensitive=grant.service in sensitive,
            broad=provider.ids.is_broad(grant.resource) if provider is not None else False,
        )

    def _policy_ids(self, identity: Identity) -> tuple[str, ...]:
        policy_ids = list(identity.policies)
        for group_id in identity.member_of:
            group = self.estate.groups.get(group_id)
            policy_ids += list(group.policies) if group is not None else [group_id]
        return tuple(dict.fromkeys(policy_ids))
