"""Agent gap rules: each agent's granted access against its declared workflow (NHI300 excess,
NHI301 missing). They read the agent analysis (``ctx.agents``) and are silent when no agent
files were given or reach analysis was off. Every finding carries ``evidence.agent``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from nhiscan.rules.agents_meta import EXCESS, MISSING
from nhiscan.rules.base import RuleContext, make_finding
from nhiscan.rules.common import agent_results, describe
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.gaps import AgentGap, IdentityGap
from nhiscan.scanner.gaps.analysis import AgentResult
from nhiscan.scanner.gaps.score import score
from nhiscan.scanner.model import Finding, Provider, Severity

TOP_SERVICES = 10


def _digest(keys: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]


class AgentExcessAccess:
    meta = EXCESS

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result in agent_results(ctx):
            for gap in result.gap.identities if result.gap is not None else ():
                if (
                    gap.excess
                    or gap.excess_scope
                    or gap.conditional
                    or gap.admin
                    or gap.escalations
                ):
                    yield self._finding(estate, ctx, result, gap)

    def _finding(
        self, estate: Estate, ctx: RuleContext, result: AgentResult, gap: IdentityGap
    ) -> Finding:
        points = score(AgentGap(agent=result.agent.name, identities=(gap,)))
        items = (*gap.excess, *gap.excess_scope, *gap.conditional)
        services = sorted({i.service for i in items})
        who = describe(estate.identities.get(gap.identity), gap.identity, ctx.providers)
        return make_finding(
            self.meta,
            subject=gap.identity,
            provider=gap.provider,
            severity=points.band or Severity.LOW,
            title=f"Agent {result.agent.name} runs as {who}, which {_excess_words(gap)}.",
            key=(result.agent.name, _digest(f"{i.action} {i.resource} {i.via}" for i in items)),
            evidence={
                "agent": result.agent.name,
                "identity": gap.identity,
                "score": points.value,
                "excess": len(gap.excess),
                "excess_scope": len(gap.excess_scope),
                "conditional": len(gap.conditional),
                "admin": gap.admin,
                "escalation_methods": list(points.escalation_methods),
                "services": services[:TOP_SERVICES],
                "more_services": max(0, len(services) - TOP_SERVICES),
                **_least_privilege(ctx, result, gap),
            },
        )


def _least_privilege(ctx: RuleContext, result: AgentResult, gap: IdentityGap) -> dict[str, Any]:
    """The plan's least-privilege policy, or with ``[activity] least_privilege_used`` the one of
    what was planned and used, when the trail saw the identity use some of its needs."""
    used = result.usage.least_privilege_used if result.usage is not None else None
    if ctx.activity.least_privilege_used and used and gap.identity in used:
        return {"least_privilege": used[gap.identity], "least_privilege_of": "planned and used"}
    return {"least_privilege": gap.policy}


def _excess_words(gap: IdentityGap) -> str:
    if gap.admin:
        return "is an administrator where its workflow needs far less"
    parts = []
    if gap.escalations:
        parts.append(f"can escalate its privileges ({len(gap.escalations)} way(s))")
    if gap.excess:
        parts.append(f"holds {len(gap.excess):,} grant(s) its workflow does not need")
    if gap.excess_scope:
        parts.append(f"holds {len(gap.excess_scope):,} needed action(s) on more than needed")
    if gap.conditional:
        parts.append(f"holds {len(gap.conditional):,} unneeded grant(s) under conditions")
    return " and ".join(parts)


UNKNOWN = "unknown"  # the provider of a finding whose cloud nothing names


def _provider_of(estate: Estate, result: AgentResult) -> Provider:
    """The provider of the agent's identities (its first one in the inventory); when none is
    in it, the one cloud the agent's defaults name; else "unknown" (never a guess)."""
    for identity_id in result.identities:
        identity = estate.identities.get(identity_id)
        if identity is not None:
            return identity.provider
    named = sorted(result.agent.defaults)
    return Provider(named[0] if len(named) == 1 else UNKNOWN)


class AgentMissingAccess:
    meta = MISSING

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result in agent_results(ctx):
            if result.gap is None or not result.gap.missing:
                continue
            missing = result.gap.missing
            steps = sorted({s for m in missing for s in m.steps})
            yield make_finding(
                self.meta,
                subject=f"agent:{result.agent.name}",
                provider=_provider_of(estate, result),
                title=(
                    f"Agent {result.agent.name} lacks {len(missing)} permission(s) its workflow "
                    f"needs (steps {', '.join(map(str, steps)) or '-'}): those steps will fail."
                ),
                key=(result.agent.name, _digest(f"{m.action} {m.resource}" for m in missing)),
                evidence={
                    "agent": result.agent.name,
                    "identities": list(result.identities),
                    "missing": [
                        {"action": m.action, "resource": m.resource, "steps": list(m.steps),
                         "reason": m.reason}
                        for m in missing
                    ],
                },
            )  # fmt: skip
