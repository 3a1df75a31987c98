"""The agent analysis of one scan: each agent's plan, the identities it runs as, its gap and
score, and the NHIs no agent claims (the dark matter, largest reach first). Pure: what only a
cloud knows is asked of the providers the orchestration hands in (``ProviderSet``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nhiscan.scanner.agents.claims import Claims, claim
from nhiscan.scanner.agents.compiler import compile_agent
from nhiscan.scanner.agents.model import Agent, AgentFile, AgentPlan, IdentityRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import ActionFacts, PermissionCatalog
from nhiscan.scanner.gaps.analyzer import GapAnalyzer
from nhiscan.scanner.gaps.model import AgentGap
from nhiscan.scanner.gaps.score import Score, score
from nhiscan.scanner.gaps.usage import UsageContext, analyze_usage
from nhiscan.scanner.gaps.usage_sessions import ActivityIndex, Attribution
from nhiscan.scanner.graph import ReachGraph
from nhiscan.scanner.graph.counts import reach_counts
from nhiscan.scanner.provider import ProviderSet
from nhiscan.scanner.usage import AgentUsage


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentResult:
    agent: Agent
    plan: AgentPlan
    identities: tuple[str, ...]  # the identity ids it runs as
    unmatched: tuple[IdentityRef, ...]  # references matching nothing that was scanned
    unchecked: tuple[IdentityRef, ...]  # references to providers not scanned
    gap: AgentGap | None = None  # None: reach analysis was off
    score: Score | None = None
    # Needed vs granted vs used (issue #19); None when no activity source was read.
    usage: AgentUsage | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unclaimed:
    """A non-human identity no agent runs as, with what it reaches."""

    identity: str
    reach: int  # identities, resources and admin sinks it reaches (0 without reach analysis)
    resources: int
    admin: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentAnalysis:
    sources: tuple[str, ...]
    source_hash: str
    results: tuple[AgentResult, ...]
    claims: Claims
    unclaimed: tuple[Unclaimed, ...]  # largest reach first
    gaps_analysed: bool  # False: reach analysis was off, so no gap analysis


def analyze_agents(
    agents: AgentFile,
    estate: Estate,
    graph: ReachGraph | None,
    providers: ProviderSet,
    *,
    default_max_key_age: int,
    now: datetime | None = None,
    unused_days: int = 90,
) -> AgentAnalysis:
    """``now`` (the analysis time; default the end of the activity window) and
    ``unused_days`` (``[activity]``) judge what the audit trail saw, when the snapshot has one."""
    claims = claim(agents.agents, estate, providers.federated_trusts())
    analyzer = GapAnalyzer(estate, graph, providers) if graph is not None else None
    catalog = agent_catalog(providers)
    usage = _usage_context(agents, estate, providers, claims, now, unused_days)
    results = []
    for agent in agents.agents:
        plan = compile_agent(agent, catalog, default_max_key_age=default_max_key_age)
        ids = claims.identities[agent.name]
        gap = analyzer.agent(plan, ids) if analyzer is not None else None
        results.append(
            AgentResult(
                agent=agent,
                plan=plan,
                identities=ids,
                unmatched=claims.unmatched[agent.name],
                unchecked=claims.unchecked[agent.name],
                gap=gap,
                score=score(gap) if gap is not None else None,
                usage=analyze_usage(usage, plan, ids, gap) if usage is not None else None,
            )
        )
    return AgentAnalysis(
        sources=agents.sources,
        source_hash=agents.source_hash,
        results=tuple(results),
        claims=claims,
        unclaimed=unclaimed(estate, graph, claims, providers),
        gaps_analysed=graph is not None,
    )


def _usage_context(
    agents: AgentFile,
    estate: Estate,
    providers: ProviderSet,
    claims: Claims,
    now: datetime | None,
    unused_days: int,
) -> UsageContext | None:
    index = ActivityIndex.of(estate.snapshot)
    if index is None:
        return None
    attribution = Attribution(agents={a.name: a for a in agents.agents}, claims=claims)
    return UsageContext(index=index, attribution=attribution, estate=estate,
                        providers=providers, now=now or index.until,
                        unused_days=unused_days)  # fmt: skip


def unclaimed(
    estate: Estate, graph: ReachGraph | None, claims: Claims, providers: ProviderSet
) -> tuple[Unclaimed, ...]:
    """Every machine (or unclassified) identity no agent claims; those the provider manages
    itself are the cloud's own and are left out. Administrators first, then the largest
    reach, then by id."""
    counts = reach_counts(graph) if graph is not None else {}
    found = []
    for identity in estate.identities.values():
        if identity.is_human or claims.claimed(identity.id):
            continue
        analysis = providers.analysis(identity.provider)
        if analysis is not None and analysis.provider_managed(identity):
            continue
        count = counts.get(identity.id)
        found.append(
            Unclaimed(
                identity=identity.id,
                reach=count.nodes if count else 0,
                resources=count.resources if count else 0,
                admin=count.admin if count else False,
            )
        )
    return tuple(sorted(found, key=lambda u: (not u.admin, -u.reach, u.identity)))


def agent_catalog(providers: ProviderSet) -> PermissionCatalog:
    """The permissions agent steps compile to: the catalogue of the provider with an agent
    vocabulary (of each, when there are several; none: every pattern stays as written)."""
    found = [p.catalog for _, p in sorted(providers.providers.items()) if p.agents is not None]
    return found[0] if len(found) == 1 else Catalogs(found)


class Catalogs:
    """Several providers' catalogues read as one: their permission names do not collide."""

    def __init__(self, catalogs: Sequence[PermissionCatalog]) -> None:
        self._catalogs = tuple(catalogs)

    @property
    def version(self) -> str:
        return ", ".join(c.version for c in self._catalogs)

    @property
    def updated_at(self) -> str:
        return max((c.updated_at for c in self._catalogs), default="")

    @property
    def example(self) -> str:
        return self._catalogs[0].example if self._catalogs else "read"

    def expand(self, pattern: str, /) -> frozenset[str]:
        return frozenset().union(*(c.expand(pattern) for c in self._catalogs))

    def info(self, action: str, /) -> ActionFacts | None:
        return next((i for c in self._catalogs if (i := c.info(action)) is not None), None)

    def known(self, action: str, /) -> bool:
        return any(c.known(action) for c in self._catalogs)

    def actions_for_resource(self, resource: str, /) -> frozenset[str]:
        return frozenset().union(*(c.actions_for_resource(resource) for c in self._catalogs))
