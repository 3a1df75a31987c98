"""Find each principal's escalations: for every method of ``METHODS`` and every place it
could apply (each other service account, each scope, each custom role the principal holds,
each compute resource running as someone), ask the authorizer each permission it needs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from nhiscan.providers.gcp.authz import GcpAuthorizer
from nhiscan.providers.gcp.privesc.methods import METHODS, GcpMethod, On, Target
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity, IdentityKind, PolicyKind, Provider

AGENT_DOMAINS = {
    Target.BUILD_AGENT: "cloudbuild.gserviceaccount.com",
    Target.APIS_AGENT: "cloudservices.gserviceaccount.com",
}


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
        self._accounts = [
            i for i in estate.identities.values()
            if i.provider is Provider.GCP and i.kind is IdentityKind.SERVICE_ACCOUNT
        ]  # fmt: skip

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        for principal in principals:
            identity = self._estate.identities.get(principal)
            if identity is None or not self._authz.mine(identity):
                continue
            possible = self._authz.possible(identity)
            for method in METHODS:
                if possible is not None and any(n.permission not in possible for n in method.needs):
                    continue  # no binding could grant one of its permissions
                for candidate in self.candidates(method, identity):
                    found = self.attempt(method, identity, candidate)
                    if found is not None:
                        yield found

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
        return Escalation(
            principal=identity.id,
            method=method.name,
            family=method.family,
            target=candidate.target,
            potential=candidate.missing is not None,
            conditional=any(s.evaluation.decision is Decision.CONDITIONAL for s in steps),
            missing=candidate.missing,
            steps=tuple(steps),
            scope=candidate.scope,
        )

    def candidates(self, method: GcpMethod, identity: Identity) -> Iterator[Candidate]:
        if method.target is Target.SA:
            for target in self._accounts:
                if target.id != identity.id:
                    resources = {On.TARGET_SA: sa_resource(target), On.NEW_RESOURCE: target.account}
                    yield Candidate(target=target.id, resources=resources)
        elif method.target is Target.ADMIN and method.scope_kind is not None:
            for node in self._authz.hierarchy.nodes.values():
                if node.kind == method.scope_kind:
                    yield Candidate(target="admin", resources={On.SCOPE: node.id}, scope=node.id)
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
                resources = {On.CUSTOM_ROLE_HELD: scope}
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
                resources={On.NEW_RESOURCE: account.id},
                missing=None if known else f"{agent} is not in the snapshot",
            )
