"""Agent lifecycle rules: decommissioned agents whose credentials still work, identities shared
by agents or belonging to people, keys older than an agent's rotation policy, NHIs no agent
claims (dark matter, largest reach first) and agent files naming identities that do not exist.
They read the agent analysis (``ctx.agents``) and are silent without agent files. Every finding
carries ``evidence.agent`` (a name, a list of names, or null for an unclaimed NHI)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

from nhiscan.rules.agents_meta import DECOMMISSIONED, HUMAN, ROTATION, SHARED, UNCLAIMED, UNMATCHED
from nhiscan.rules.base import RuleContext, make_finding
from nhiscan.rules.common import (
    active_keys,
    agent_results,
    capital,
    credential_word,
    days_since,
    describe,
    provider_of,
)
from nhiscan.scanner.agents.model import AgentStatus
from nhiscan.scanner.codec import iso
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.gaps.analysis import AgentResult
from nhiscan.scanner.model import CredentialStatus, Finding, Identity, Provider, Severity
from nhiscan.scanner.provider import ProviderSet


class DecommissionedAgentActive:
    meta = DECOMMISSIONED

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result in agent_results(ctx):
            if result.agent.status is not AgentStatus.DECOMMISSIONED:
                continue
            for identity_id in result.identities:
                finding = self._finding(estate, ctx, result, identity_id)
                if finding is not None:
                    yield finding

    def _finding(
        self, estate: Estate, ctx: RuleContext, result: AgentResult, identity_id: str
    ) -> Finding | None:
        identity = estate.identities[identity_id]
        live = [
            c
            for c in estate.credentials(identity_id)
            if c.status is CredentialStatus.ACTIVE or c.kind.is_login
        ]
        assumable = _assumable(ctx.providers, identity)
        if not live and not assumable:
            return None
        since = result.agent.decommissioned_at
        cutoff = datetime.combine(since, time(), tzinfo=UTC) if since is not None else None
        used = [c.id for c in live if cutoff and c.last_used and c.last_used >= cutoff]
        if cutoff and identity.last_used and identity.last_used >= cutoff:
            used.append(identity.id)
        return make_finding(
            self.meta,
            subject=identity_id,
            provider=identity.provider,
            severity=Severity.CRITICAL if used else self.meta.severity,
            title=(
                f"Agent {result.agent.name} is decommissioned but "
                f"{describe(identity, identity_id, ctx.providers)}"
                f" still works{' and was used since' if used else ''}."
            ),
            key=(result.agent.name,),
            evidence={
                "agent": result.agent.name,
                "decommissioned_at": since.isoformat() if since else None,
                "active_credentials": [c.id for c in live],
                "assumable_role": assumable,
                "used_since_decommissioned": used,
            },
        )


def _assumable(providers: ProviderSet, identity: Identity) -> bool:
    """Whether others can act as the identity (an AWS role's trust policy), as its provider's
    analysis says; without one (no registered provider, or no analysis), nothing says so."""
    analysis = providers.analysis(identity.provider)
    return analysis is not None and analysis.assumable(identity)


class SharedAgentIdentity:
    meta = SHARED

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.agents is None:
            return
        for identity_id, agents in sorted(ctx.agents.claims.agents_of.items()):
            if len(agents) < 2:
                continue
            who = describe(estate.identities.get(identity_id), identity_id, ctx.providers)
            yield make_finding(
                self.meta,
                subject=identity_id,
                provider=provider_of(estate, identity_id),
                title=f"{len(agents)} agents run as {who}: {', '.join(agents)}.",
                key=tuple(agents),
                evidence={"agent": list(agents), "identity": identity_id},
            )


class AgentOnHumanIdentity:
    meta = HUMAN

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result in agent_results(ctx):
            for identity_id in result.identities:
                identity = estate.identities[identity_id]
                if not identity.is_human:
                    continue
                yield make_finding(
                    self.meta,
                    subject=identity_id,
                    provider=identity.provider,
                    title=(
                        f"Agent {result.agent.name} runs as a person's account, "
                        f"{describe(identity, identity_id, ctx.providers)}."
                    ),
                    key=(result.agent.name,),
                    evidence={
                        "agent": result.agent.name,
                        "identity": identity_id,
                        "human_reason": identity.human_reason,
                    },
                )


class AgentKeyPastRotation:
    meta = ROTATION

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result in agent_results(ctx):
            limit = result.agent.max_key_age_days
            if limit is None or limit >= ctx.thresholds.key_max_age_days:
                continue  # no stricter than the global rotation policy: NHI001 covers it
            for identity_id in result.identities:
                for key in active_keys(estate.credentials(identity_id), ctx.providers):
                    if key.created is None or days_since(key.created, ctx.now) <= limit:
                        continue
                    age = days_since(key.created, ctx.now)
                    what = capital(credential_word(key, ctx.providers))
                    yield make_finding(
                        self.meta,
                        subject=identity_id,
                        provider=key.provider,
                        title=(
                            f"{what} {key.id} of agent {result.agent.name} is {age} days "
                            f"old; the agent's rotation policy is {limit} days."
                        ),
                        key=(result.agent.name, key.id),
                        evidence={
                            "agent": result.agent.name,
                            "credential": key.id,
                            "created": iso(key.created),
                            "max_key_age_days": limit,
                        },
                    )


class UnclaimedNhi:
    meta = UNCLAIMED

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.agents is None:
            return
        for rank, item in enumerate(ctx.agents.unclaimed, start=1):
            identity = estate.identities[item.identity]
            severity = (
                Severity.HIGH if item.admin else Severity.MEDIUM if item.resources else Severity.LOW
            )
            reach = "administrator" if item.admin else f"reaches {item.reach} node(s)"
            yield make_finding(
                self.meta,
                subject=item.identity,
                provider=identity.provider,
                severity=severity,
                title=(
                    f"No agent claims {describe(identity, item.identity, ctx.providers)} ({reach})."
                ),
                evidence={
                    "agent": None,
                    "identity": item.identity,
                    "reach": item.reach,
                    "resources": item.resources,
                    "admin": item.admin,
                    "rank": rank,
                },
            )


class AgentIdentityUnmatched:
    meta = UNMATCHED

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result in agent_results(ctx):
            if not result.unmatched:
                continue
            none = not result.identities and not result.unchecked
            refs = [f"{r.describe()} ({r.where})" for r in result.unmatched]
            yield make_finding(
                self.meta,
                subject=f"agent:{result.agent.name}",
                provider=result.unmatched[0].provider or Provider.AWS,
                severity=Severity.HIGH if none else self.meta.severity,
                title=(
                    f"Agent {result.agent.name}: "
                    + ("none of its identities" if none else f"{len(refs)} identity reference(s)")
                    + " match anything in the inventory."
                ),
                key=(result.agent.name, *sorted(r.describe() for r in result.unmatched)),
                evidence={
                    "agent": result.agent.name,
                    "unmatched": refs,
                    "matched": list(result.identities),
                    "where": str(result.agent.where),
                },
            )
