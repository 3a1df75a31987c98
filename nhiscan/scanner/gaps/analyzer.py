"""``GapAnalyzer``: each agent identity's grants against the agent's needs (see the package
docstring). Built once per analysis; each principal's grants are computed once. Whatever only
the identity's cloud knows (its grants, its needs bound to the identity, the least-privilege
documents) is asked of its provider, through the ``ProviderSet`` the orchestration hands in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from nhiscan.scanner.agents.model import AgentPlan, Need
from nhiscan.scanner.authz import Decision, Evaluation
from nhiscan.scanner.escalation import Escalation, expand
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.gaps.classify import classify
from nhiscan.scanner.gaps.documents import Documents, vocabulary_of
from nhiscan.scanner.gaps.granted import Grants, Key
from nhiscan.scanner.gaps.model import (
    AgentGap,
    EscalationItem,
    GrantItem,
    IdentityGap,
    MissingItem,
    count_by_service,
)
from nhiscan.scanner.glob import glob_match
from nhiscan.scanner.grants import Probe
from nhiscan.scanner.graph import ReachGraph
from nhiscan.scanner.model import Identity
from nhiscan.scanner.provider import AgentVocabulary, ProviderAnalysis, ProviderSet

SAMPLES = 5  # escalation targets named per method
_RANK = {Decision.DENY: 0, Decision.IMPLICIT_DENY: 1, Decision.CONDITIONAL: 2, Decision.ALLOW: 3}


class GapAnalyzer:
    def __init__(self, estate: Estate, graph: ReachGraph, providers: ProviderSet) -> None:
        self.estate = estate
        self.graph = graph
        if graph.authorizer is None:
            raise ValueError("the gap analysis asks the reach graph's authorizer: use build_graph")
        self.authorizer = graph.authorizer  # the one the graph was built with
        self.providers = providers
        self.grants = Grants(estate, graph, self.authorizer, providers)
        self.documents = Documents(estate, graph, providers)
        self._escalations: dict[str, list[Escalation]] | None = None

    def agent(self, plan: AgentPlan, identity_ids: Iterable[str]) -> AgentGap:
        ids = tuple(identity_ids)
        return AgentGap(agent=plan.name, identities=tuple(self.identity(plan, i, ids) for i in ids))

    def identity(
        self, plan: AgentPlan, identity_id: str, agent_ids: tuple[str, ...]
    ) -> IdentityGap:
        identity = self.estate.identities[identity_id]
        analysis = self.providers.analysis(identity.provider)
        vocabulary = vocabulary_of(self.providers, identity)
        if analysis is None or vocabulary is None:
            unknown = f"gap analysis for {identity.provider} {identity.kind} is not supported yet"
            return _not_analysed(identity, unknown)
        reason = analysis.gap_support(identity)
        if reason is not None:
            return _not_analysed(identity, reason)
        return self._analysed(plan, identity, agent_ids, analysis, vocabulary)

    def _analysed(
        self,
        plan: AgentPlan,
        identity: Identity,
        agent_ids: tuple[str, ...],
        analysis: ProviderAnalysis,
        vocabulary: AgentVocabulary,
    ) -> IdentityGap:
        chain = self.chain(identity.id)
        onward = tuple(
            r
            for r, via in chain.items()
            if r in agent_ids and r != identity.id and not via.conditional
        )
        needs = analysis.gap_needs(identity, plan.needs, onward)
        unjudged = _unjudged(analysis, identity, needs)
        skip = {(u.action, u.resource) for u in unjudged}
        judged = [n for n in needs if (n.action, n.resource) not in skip]
        granted = self.granted(chain)
        missing, conditional_needs = self.coverage(chain, judged)
        excess, scope, conditional = classify(granted.values(), needs)
        return IdentityGap(
            identity=identity.id,
            provider=identity.provider,
            account=identity.account,
            needed=needs,
            granted=len(granted),
            excess=excess,
            excess_scope=scope,
            conditional=conditional,
            missing=missing,
            conditional_needs=conditional_needs,
            unjudged=unjudged,
            roles=tuple(r for r in chain if r != identity.id),
            admin=any(
                self.authorizer.is_admin(p).decision is Decision.ALLOW
                for p, via in chain.items()
                if not via.conditional
            ),
            escalations=self.escalations(chain),
            policy=self.documents.policy(plan, identity, onward, analysis, vocabulary),
            trust=self.documents.trust(identity, agent_ids, analysis, vocabulary),
            by_service=count_by_service(granted.values()),
            uncollected=tuple(p for principal in chain for p in self.grants.uncollected(principal)),
        )

    # --- granted --------------------------------------------------------------------------

    def chain(self, start: str) -> dict[str, Via]:
        """``start`` and every role it can assume, directly or in a chain: the roles assumed on
        the way (shortest chain, certain hops first) and whether the chain rests on a hop
        nhiscan could not decide (then what it leads to is only conditionally granted)."""
        found: dict[str, Via] = {start: Via(roles=(), conditional=False)}
        for allow_conditional in (False, True):
            queue = list(found)
            while queue:
                node = queue.pop(0)
                for hop in self.graph.assumes(node):
                    if hop.target in found:
                        continue
                    if hop.conditional and not allow_conditional:
                        continue
                    before = found[node]
                    found[hop.target] = Via(
                        roles=(*before.roles, hop.target),
                        conditional=before.conditional or hop.conditional,
                    )
                    queue.append(hop.target)
        return found

    def granted(self, chain: Mapping[str, Via]) -> dict[Key, GrantItem]:
        """Every grant of the chain's principals; a grant held directly wins over one held
        through an assumed role, a certain one over a conditional one."""
        items: dict[Key, GrantItem] = {}
        for principal, via in sorted(chain.items(), key=lambda kv: kv[1].conditional):
            for key, item in self.grants.of(principal).items():
                if key in items:
                    continue
                if via.roles:
                    item = replace(
                        item, via=via.roles, conditional=item.conditional or via.conditional
                    )
                items[key] = item
        return items

    def escalations(self, chain: Mapping[str, Via]) -> tuple[EscalationItem, ...]:
        """The escalation methods open to the chain's principals, one item per principal and
        method with its target count (a wide grant can reach thousands of targets)."""
        if self._escalations is None:
            self._escalations = {}
            for found in self.graph.escalations:
                self._escalations.setdefault(found.principal, []).append(found)
        items = []
        for principal in chain:
            by_method: dict[str, list[Escalation]] = {}
            for found in self._escalations.get(principal, ()):
                by_method.setdefault(found.method, []).append(found)
            for method, ways in by_method.items():
                targets = sorted({w.target for w in expand(ways)})
                items.append(
                    EscalationItem(
                        principal=principal,
                        method=method,
                        target=targets[0],
                        targets=len(targets),
                        samples=tuple(targets[:SAMPLES]),
                        conditional=all(w.conditional for w in expand(ways)),
                    )
                )
        return tuple(items)

    # --- needed ---------------------------------------------------------------------------

    def coverage(
        self, chain: Mapping[str, Via], needs: Iterable[Need]
    ) -> tuple[tuple[MissingItem, ...], tuple[Need, ...]]:
        """(missing, met only under conditions): a need is met when any principal of the chain
        may do it (only conditionally when the chain to it is conditional)."""
        missing: list[MissingItem] = []
        conditional: list[Need] = []
        for need in needs:
            results = [_weaken(self._allows(p, need), via) for p, via in chain.items()]
            best = max(results, key=lambda r: _RANK[r.decision])
            if best.decision is Decision.ALLOW:
                continue
            if best.decision is Decision.CONDITIONAL:
                conditional.append(need)
                continue
            missing.append(
                MissingItem(
                    provider=need.provider,
                    action=need.action,
                    resource=need.resource,
                    steps=need.steps,
                    reason=results[0].reason or "nothing allows it",
                )
            )
        return tuple(missing), tuple(conditional)

    def _allows(self, principal: str, need: Need) -> Evaluation:
        """The least favourable answer over the resources the need names (all must work)."""
        identity = self.estate.identities[principal]
        given: dict[str, str | list[str] | None] = {
            key: list(values) for tests in need.conditions.values() for key, values in tests.items()
        }
        results = [self._evaluate(principal, identity, need.action, t, given)
                   for t in self._concrete(need.resource)]  # fmt: skip
        worst = min(results, key=lambda r: _RANK[r.decision])
        if worst.decision.possible or not self._any_region(identity, need.resource):
            return worst
        return self._in_some_region(principal, identity, need, given) or worst

    def _in_some_region(
        self,
        principal: str,
        identity: Identity,
        need: Need,
        given: dict[str, str | list[str] | None],
    ) -> Evaluation | None:
        """A need that names no region (the agent file set none) is met where the principal is
        granted it in one region: the agent then works in that region. The regional resource
        is asked of the evaluator, so a deny there still counts."""
        action = need.action.lower()
        for (granted_action, resource), _ in self.grants.of(principal).items():
            if granted_action != action or self._any_region(identity, resource):
                continue
            if not glob_match(need.resource, resource):
                continue
            result = self._evaluate(principal, identity, need.action, resource, given)
            if result.decision.possible:
                return result
        return None

    def _concrete(self, resource: str) -> list[str]:
        """A need named with ``?`` placeholders (a secret's random suffix) is checked on the
        collected resources it names, when there are any."""
        if "?" not in resource:
            return [resource]
        found = [r for r in self.estate.resources if glob_match(resource, r)]
        return found or [resource]

    def _evaluate(
        self,
        principal: str,
        identity: Identity,
        action: str,
        resource: str,
        given: Mapping[str, str | Sequence[str] | None],
    ) -> Evaluation:
        """The authorizer's answer on the resource the provider says to probe, with the
        attributes the resource carries joined to the need's condition values."""
        analysis = self.providers.analysis(identity.provider)
        probe = analysis.probe(identity, resource) if analysis is not None else Probe(
            resource=resource)  # fmt: skip
        context = {**given, **probe.context}
        return self.authorizer.evaluate(principal, action, probe.resource, context or None)

    def _any_region(self, identity: Identity, resource: str) -> bool:
        analysis = self.providers.analysis(identity.provider)
        return analysis.any_region(resource) if analysis is not None else False


@dataclass(frozen=True, slots=True)
class Via:
    roles: tuple[str, ...]  # the roles assumed to get there, in order
    conditional: bool  # some hop on the way rests on undecided conditions


def _weaken(result: Evaluation, via: Via) -> Evaluation:
    if via.conditional and result.decision is Decision.ALLOW:
        return replace(result, decision=Decision.CONDITIONAL)
    return result


def _unjudged(
    analysis: ProviderAnalysis, identity: Identity, needs: Iterable[Need]
) -> tuple[MissingItem, ...]:
    """The needs the identity's provider cannot judge from the snapshot, with why: neither met
    nor missing (the report says it could not judge them)."""
    found = []
    for need in needs:
        reason = analysis.unjudged(identity, need)
        if reason is not None:
            found.append(MissingItem(provider=need.provider, action=need.action,
                                     resource=need.resource, steps=need.steps,
                                     reason=reason))  # fmt: skip
    return tuple(found)


def _not_analysed(identity: Identity, reason: str) -> IdentityGap:
    return IdentityGap(
        identity=identity.id,
        provider=identity.provider,
        account=identity.account,
        analysed=False,
        reason=reason,
    )
