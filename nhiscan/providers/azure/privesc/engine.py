"""Find each principal's escalations: for every method of ``METHODS`` and every place it could
apply (each application and service principal that can be taken over, Microsoft Graph's
service principal, the tenant, each ARM scope, each compute resource running as an identity),
ask the authorizer each action it needs. A scope the principal administers outright
(``admin_of`` ALLOW there or above) is no escalation target: the graph's is_admin hop says so."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from nhiscan.providers.azure.authz import AzureAuthorizer
from nhiscan.providers.azure.graph_permissions import GRAPH_APP_ID
from nhiscan.providers.azure.privesc.methods import (
    LOCKED,
    METHODS,
    SUBSUMED_BY,
    AzureMethod,
    On,
)
from nhiscan.providers.azure.scopes import ROOT
from nhiscan.providers.azure.tree import DIRECTORY
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity, IdentityKind, Provider


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    target: str
    resource: str  # what every need of the method is asked about
    scope: str | None = None
    missing: str | None = None  # what cannot be known here: the escalation is potential


class Engine:
    def __init__(self, estate: Estate, authorizer: AzureAuthorizer) -> None:
        self._estate = estate
        self._authz = authorizer
        self._directory = authorizer.directory
        # service principals whose credentials and owners a tenant may change: not managed
        # identities (Entra refuses, plan 5.2), not Microsoft's own applications
        self._takeable = sorted(
            (
                i
                for i in estate.identities.values()
                if i.provider is Provider.AZURE
                and i.kind is IdentityKind.SERVICE_PRINCIPAL
                and not self._directory.first_party(i)
            ),
            key=lambda i: i.id,
        )

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        for principal in principals:
            identity = self._estate.identities.get(principal)
            if identity is None or not self._authz.mine(identity):
                continue
            found = list(self._found(identity))
            said = {_key(e.method, e) for e in found}
            for escalation in found:
                other = SUBSUMED_BY.get(escalation.method)
                if other is None or _key(other, escalation) not in said:
                    yield escalation

    def _found(self, identity: Identity) -> Iterator[Escalation]:
        held = self._administered(identity)
        for method in METHODS:
            reached: set[str] = set()  # scopes it escalates to: not again below them
            for candidate in self.candidates(method, identity):
                if candidate.scope is not None and self._within(candidate.scope, held):
                    continue  # admin of it already (an is_admin hop says so)
                if candidate.scope is not None and self._within(candidate.scope, reached):
                    continue  # admin of a scope above: inherited
                found = self.attempt(method, identity, candidate)
                if found is not None:
                    reached.update([candidate.scope] if candidate.scope else [])
                    yield found

    def _administered(self, identity: Identity) -> frozenset[str]:
        answers = self._authz.admin_of(identity.id)
        return frozenset(s for s, e in answers if e.decision is Decision.ALLOW)

    def _within(self, scope: str, held: frozenset[str] | set[str]) -> bool:
        return any(s in held for s in self._authz.tree.ancestors(scope))

    def attempt(
        self, method: AzureMethod, identity: Identity, candidate: Candidate
    ) -> Escalation | None:
        steps = []
        for need in method.needs:
            evaluation = self._authz.evaluate(identity.id, need.action, candidate.resource)
            if not evaluation.decision.possible:
                return None
            steps.append(Step(need.action, candidate.resource, evaluation))
        return Escalation.of(
            principal=identity.id, method=method.name, family=method.family,
            target=candidate.target, steps=tuple(steps), missing=candidate.missing,
            scope=candidate.scope,
        )  # fmt: skip

    def candidates(self, method: AzureMethod, identity: Identity) -> Iterator[Candidate]:
        on = method.needs[0].on
        if on is On.APPLICATION:
            yield from self._applications(identity)
        elif on is On.SERVICE_PRINCIPAL:
            yield from self._service_principals(identity)
        elif on in (On.GRAPH, On.TENANT):
            yield self._tenant(identity, on)
        elif on is On.SCOPE:
            tree = self._authz.tree
            for scope in sorted(
                tree.scopes.values(), key=lambda s: (len(tree.ancestors(s.id)), s.id)
            ):
                if scope.kind != DIRECTORY:
                    yield Candidate(target="admin", resource=scope.id, scope=scope.id)
        else:
            yield from self._compute(method, identity)

    def _applications(self, identity: Identity) -> Iterator[Candidate]:
        takeable = {i.id for i in self._takeable}
        for app, sp in sorted(self._directory.app_sp.items()):
            if sp != identity.id and sp in takeable:
                yield Candidate(target=sp, resource=app)

    def _service_principals(self, identity: Identity) -> Iterator[Candidate]:
        for target in self._takeable:
            if target.id != identity.id:
                missing = LOCKED if self._directory.foreign(target) else None
                yield Candidate(target=target.id, resource=target.id, missing=missing)

    def _tenant(self, identity: Identity, on: On) -> Candidate:
        tenant = identity.account
        if on is On.TENANT:
            return Candidate(target="admin", resource=ROOT, scope=tenant)
        graph = self._directory.by_app_id(GRAPH_APP_ID)
        if graph is None:
            return Candidate(
                target="admin",
                resource=ROOT,
                scope=tenant,
                missing="Microsoft Graph's service principal (not in the snapshot)",
            )
        return Candidate(target="admin", resource=graph.id, scope=tenant)

    def _compute(self, method: AzureMethod, identity: Identity) -> Iterator[Candidate]:
        for resource in sorted(self._estate.resources.values(), key=lambda r: r.id):
            if resource.provider is not Provider.AZURE or resource.kind not in method.kinds:
                continue
            runs = (resource.runs_as, *resource.also_runs_as) if resource.runs_as else ()
            for target in dict.fromkeys(runs):
                if target != identity.id:
                    yield Candidate(target=target, resource=resource.id)


def _key(method: str, escalation: Escalation) -> tuple[object, ...]:
    """What makes two escalations one problem: the target and scope, how sure, and the grants
    (statements) every step rests on (``methods.SUBSUMED_BY``)."""
    grants = frozenset(
        (ref.policy_id, ref.index)
        for step in escalation.steps
        for ref in (*step.evaluation.allowed_by, *step.evaluation.undecided)
    )
    return (method, escalation.target, escalation.scope, escalation.potential,
            escalation.conditional, grants)  # fmt: skip
