"""NHI706 agent-behaviour-changed: an agent's sessions do what they did not in the previous run
of the scan's scope (a new action, resource, source IP or user agent) and no change of its plan
explains it (``scanner/history/behaviour.py``).

The previous run's stored behaviour is read from the history store before the rules run
(``RuleContext.previous_behaviour``). Without a previous run, or when either run read no audit
trail, nothing is judged: the report says why (``PreviousBehaviour.note``), and no finding is
raised on what cannot be compared.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import provider_of
from nhiscan.scanner.activity import EventRef
from nhiscan.scanner.codec import iso
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import AccessLevel
from nhiscan.scanner.gaps.analysis import AgentResult
from nhiscan.scanner.history.behaviour import (
    AgentBehaviourChange,
    BehaviourItem,
    ItemKind,
    PreviousBehaviour,
    agent_sessions,
    compare,
    events_for,
    stored_agent,
)
from nhiscan.scanner.model import Finding, Provider, Severity
from nhiscan.scanner.provider import ProviderSet

BEHAVIOUR = RuleMeta(
    id="NHI706",
    name="agent-behaviour-changed",
    severity=Severity.MEDIUM,
    summary=(
        "An agent's sessions do something they did not in the previous recorded run (a new "
        "action, resource, source IP or user agent) and no change of its plan explains it: a "
        "compromise, or a workflow that changed without its agent file. High when a new action "
        "writes or manages permissions."
    ),
    remediation=(
        "Pull the events named in the finding from the audit trail and check who acted. If the "
        "agent's workflow really changed, add the step to its agent file (the next run explains "
        "the change by the plan); otherwise revoke the session's credentials and the grant."
    ),
)
EVENTS = 20  # sample events named per finding
_SEVERE = frozenset({AccessLevel.WRITE, AccessLevel.PERMISSIONS_MANAGEMENT})


class AgentBehaviourChanged:
    meta = BEHAVIOUR

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        previous = ctx.previous_behaviour
        activity = estate.snapshot.activity
        if ctx.agents is None or previous is None or previous.run is None:
            return
        if not estate.snapshot.activity_sources:
            return
        matched = ctx.agents.claims.matched
        for result in ctx.agents.results:
            after = stored_agent(result, activity, matched)
            change = compare(previous.of(result.agent.name), after, name=result.agent.name)
            if change is None or not change.unexplained:
                continue
            sessions = agent_sessions(result, activity, matched)
            events = events_for(sessions, change.unexplained)[:EVENTS]
            yield self._finding(estate, ctx, result, change, previous, events)

    def _finding(
        self,
        estate: Estate,
        ctx: RuleContext,
        result: AgentResult,
        change: AgentBehaviourChange,
        previous: PreviousBehaviour,
        events: Sequence[EventRef],
    ) -> Finding:
        name = result.agent.name
        unexplained = change.unexplained
        severe = [i.value for i in unexplained if _severe(ctx.providers, i)]
        flagged = sorted(i.key for i in unexplained)
        provider = provider_of(estate, result.identities[0]) if result.identities else Provider.AWS
        return make_finding(
            self.meta,
            subject=name,
            provider=provider,
            title=f"Agent {name} does what it did not before and its plan does not explain: "
            f"{_describe(unexplained)}.",
            severity=Severity.HIGH if severe else Severity.MEDIUM,
            key=flagged,
            evidence={
                "agent": name,
                "previous_run": previous.run,
                "previous_started_at": iso(previous.started_at) if previous.started_at else None,
                "plan_changed": change.plan_changed,
                "flagged": flagged,
                "unexplained": [_item(i) for i in unexplained],
                "explained_by_plan_change": [_item(i) for i in change.items if i.explained],
                "writes_or_permissions": severe,
                "identities": list(result.identities),
                "events": [{"id": e.id, "time": iso(e.time), "source": e.source} for e in events],
            },
        )


def _severe(providers: ProviderSet, item: BehaviourItem) -> bool:
    """A new action the catalogue calls a write or permission management."""
    if item.kind is not ItemKind.ACTION:
        return False
    for name in sorted(providers.providers):
        info = providers.providers[name].catalog.info(item.value)
        if info is not None:
            return info.access_level in _SEVERE
    return False


def _item(item: BehaviourItem) -> dict[str, object]:
    return {"kind": item.kind.value, "value": item.value, "since_before": item.carried}


_WORDS = {
    ItemKind.ACTION: "new action",
    ItemKind.RESOURCE: "new resource",
    ItemKind.SOURCE_IP: "new source IP",
    ItemKind.USER_AGENT: "new user agent",
}


def _describe(items: Sequence[BehaviourItem]) -> str:
    shown = [f"{_WORDS[i.kind]} {i.value}" for i in items[:4]]
    more = f" and {len(items) - 4} more" if len(items) > 4 else ""
    return ", ".join(shown) + more
