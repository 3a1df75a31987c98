"""Find each principal's escalations: for every method of ``METHODS`` and every place it
could apply (each other service account, each scope, each custom role the principal holds,
each compute resource running as someone), ask the authorizer each permission it needs. A
scope the principal administers outright (``admin_of`` ALLOW there or above) is no escalation
target: the graph's is_admin hop already says so."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from nhiscan.providers.gcp.authz import GcpAuthorizer
from nhiscan.providers.gcp.humans import provider_managed
from nhiscan.providers.gcp.ids import CRM
from nhiscan.providers.gcp.privesc.methods import METHODS, GcpMethod, On, Target
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity, IdentityKind, PolicyKind, Provider

AGENT_DOMAINS = {
    Target.BUILD_AGENT: "cloudbuild.gserviceaccount.com",
    Target.APIS_AGENT: "cloudservices.gserviceaccount.com",
}


def scope_resource(scope: str) -> str:
    """The full resource name permissions on a scope are asked about (a bare project id is no
    resource name: asked about it, the bindings of its folders and organization would not
    count)."""
    return CRM + (scope if "/" in scope else f"projects/{scope}")


def sa_resource(identity: Identity) -> str:
    """The full resource name permissions on a service account are asked about."""
    return f"//iam.googleapis.com/projects/{identity.account}/serviceAccounts/{identity.id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    target: str
    resources: Mapping[On, str]
    scope: str | None = None
    missing: str | None = None  # the target is not in the snapshot: potential


class Engine:
    def __init__(self, estate: Estate, authorizer: GcpAuthorizer) -> None:
        self._estate = estate
        self._authz = authorizer
        # Google's service agents are no target: Google alone holds their keys and acts as
        # them, whatever the customer's project policy grants on them.
        self._accounts = [
            i for i in estate.identities.values()
            if i.provider is Provider.GCP and i.kind is IdentityKind.SERVICE_ACCOUNT
            and not provider_managed(i)
        ]  # fmt: skip

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        for principal in principals:
            identity = self._estate.identities.get(principal)
            if identity is None or not self._authz.mine(identity):
                continue
            possible = self._authz.possible(identity)
            held: frozenset[str] | None = None
            for method in METHODS:
                if possible is not None and any(n.permission not in possible for n in method.needs):
                    continue  # no binding could grant one of its permissions
                for candidate in self.candidates(method, identity):
                    if candidate.scope is not None:
                        held = self._administered(identity) if held is None else held
                        if self._within(candidate.scope, held):
                            continue  # admin of it already (an is_admin hop says so)
                    found = self.attempt(method, identity, candidate)
                    if found is not None:
                        yield found

    def _administered(self, identity: Identity) -> frozenset[str]:
        """The scopes the principal administers outright (``admin_of`` answers ALLOW)."""
        answers = self._authz.admin_of(identity.id)
        return frozenset(s for s, e in answers if e.decision is Decision.ALLOW)

    def _within(self, scope: str, held: frozenset[str]) -> bool:
        """Whether ``scope`` or one of its ancestors is among ``held``."""
        return any(s in held for s in self._authz.hierarchy.ancestors(scope))

    def attempt(
        self, method: GcpMethod, identity: Identity, candidate: Candidate
    ) -> Escalation | None:
        steps = []
        for need in method.needs:
            resource = candidate.resources[need.on]
            evaluation = self._authz.evaluate(identity.id, need.permission, resource)
            if not evaluation.decision.possible:
                return None
            steps.append(Step(need.permission, resource, evaluation))
        return Escalation.of(
            principal=identity.id, method=method.name, family=method.family,
            target=candidate.target, steps=tuple(steps), missing=candidate.missing,
            scope=candidate.scope,
        )  # fmt: skip

    def candidates(self, method: GcpMethod, identity: Identity) -> Iterator[Candidate]:
        if method.target is Target.SA:
            for target in self._accounts:
                if target.id != identity.id:
                    resources = {
                        On.TARGET_SA: sa_resource(target),
                        On.NEW_RESOURCE: scope_resource(target.account),
                    }
                    yield Candidate(target=target.id, resources=resources)
        elif method.target is Target.ADMIN and method.scope_kind is not None:
            for node in self._authz.hierarchy.nodes.values():
                if node.kind == method.scope_kind:
                    resources = {On.SCOPE: scope_resource(node.id)}
                    yield Candidate(target="admin", resources=resources, scope=node.id)
        elif method.target is Target.ADMIN:
            yield from self._custom_roles(identity)
        elif method.target is Target.RUNS_AS:
            yield from self._compute(method)
        else:
            yield from self._agents(method.target)

    def _custom_roles(self, identity: Identity) -> Iterator[Candidate]:
        held = {b.role for b in self._authz.index.naming(identity)}
        for role in sorted(held):
            policy = self._estate.policies.get(role)
            if policy is None or policy.kind is not PolicyKind.CUSTOM_ROLE:
                continue
            scope = self._authz.hierarchy.scope_id("/".join(role.split("/")[:2]))
            if scope is not None:
                resources = {On.CUSTOM_ROLE_HELD: scope_resource(scope)}
                yield Candidate(target="admin", resources=resources, scope=scope)

    def _compute(self, method: GcpMethod) -> Iterator[Candidate]:
        for resource in sorted(self._estate.resources.values(), key=lambda r: r.id):
            if resource.kind in method.kinds and resource.runs_as:
                resources = {On.EXISTING_RESOURCE: resource.id}
                yield Candidate(target=resource.runs_as, resources=resources)

    def _agents(self, target: Target) -> Iterator[Candidate]:
        for account in self._estate.snapshot.accounts:
            if account.provider is not Provider.GCP or not account.native_id:
                continue
            agent = f"{account.native_id}@{AGENT_DOMAINS[target]}"
            known = agent in self._estate.identities
            yield Candidate(
                target=agent if known else "unknown",
                resources={On.NEW_RESOURCE: scope_resource(account.id)},
                missing=None if known else f"service account {agent} (not in the snapshot)",
            )
