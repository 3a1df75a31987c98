"""``GcpAuthorizer``: may a service account (or workload identity) use a permission on a
resource? Allow bindings on the resource and every ancestor (project, folders, organization)
whose member is the principal and whose role holds the permission allow it; IAM Conditions are
decided where the snapshot knows (``conditions.py``), else the answer is CONDITIONAL; a deny
rule on the chain that names both denies it (an undecided one leaves the allow CONDITIONAL).
Admin of a scope: ``roles/owner`` there, or the scope's ``setIamPolicy``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from nhiscan.providers.gcp.conditions import Request, Tri, decide
from nhiscan.providers.gcp.hierarchy import Hierarchy
from nhiscan.providers.gcp.ids import FULL_NAME
from nhiscan.providers.gcp.policies import Binding, PolicyIndex, denies, member_match
from nhiscan.providers.gcp.roles import RoleBook
from nhiscan.scanner.authz import Decision, Evaluation, StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity, IdentityKind, Provider

OWNER = "roles/owner"
SET_IAM_POLICY = {
    "organization": "resourcemanager.organizations.setIamPolicy",
    "folder": "resourcemanager.folders.setIamPolicy",
    "project": "resourcemanager.projects.setIamPolicy",
}
PRINCIPAL_KINDS = (IdentityKind.SERVICE_ACCOUNT, IdentityKind.WORKLOAD_IDENTITY)
Context = Mapping[str, str | Sequence[str] | None] | None


def both(a: Tri, b: Tri) -> Tri:
    return False if False in (a, b) else (None if None in (a, b) else True)


class GcpAuthorizer:
    def __init__(self, estate: Estate, roles: RoleBook, hierarchy: Hierarchy) -> None:
        self._estate = estate
        self._roles = roles
        self.hierarchy = hierarchy
        self.index = PolicyIndex(estate.policies.values(), hierarchy)
        self._now = estate.snapshot.collected_at
        self._cache: dict[tuple[str, str, str], Evaluation] = {}
        self._possible: dict[str, frozenset[str] | None] = {}

    def principals(self) -> Iterable[str]:
        return sorted(i.id for i in self._estate.identities.values() if self.mine(i))

    def mine(self, identity: Identity | None) -> bool:
        return (
            identity is not None
            and identity.provider is Provider.GCP
            and identity.kind in PRINCIPAL_KINDS
        )

    def possible(self, identity: Identity) -> frozenset[str] | None:
        """Every permission some binding that may name the principal could grant, anywhere
        (a superset, to skip what it cannot do); None when a binding names an unknown role."""
        if identity.id not in self._possible:
            found: set[str] | None = set()
            for binding in self.index.naming(identity):
                permissions = self._roles.permissions(binding.role)
                if permissions is None or found is None:
                    found = None
                    break
                found.update(permissions)
            self._possible[identity.id] = None if found is None else frozenset(found)
        return self._possible[identity.id]

    def evaluate(
        self, principal: str, action: str, resource: str, context: Context = None
    ) -> Evaluation:
        key = (principal, action, resource)
        if context is None and key in self._cache:
            return self._cache[key]
        identity = self._estate.identities.get(principal)
        if identity is None or not self.mine(identity):
            return Evaluation(decision=Decision.IMPLICIT_DENY, reason="not a GCP principal")
        chain = self.hierarchy.chain(resource)
        grants = self._role_grants(action)
        found = self._decide(
            identity, action, chain, chain, self.request(resource, context), grants
        )
        if context is None:
            self._cache[key] = found
        return found

    def _role_grants(self, action: str) -> Callable[[str], Tri]:
        def grants(role: str) -> Tri:
            permissions = self._roles.permissions(role)
            return None if permissions is None else action in permissions

        return grants

    def request(self, resource: str, context: Context) -> Request:
        when = self._now
        given = (context or {}).get("request.time")
        if isinstance(given, str):
            when = datetime.fromisoformat(given.replace("Z", "+00:00"))
        full = FULL_NAME.match(resource)
        if full is None:
            return Request(time=when, name=resource, service=None)
        return Request(time=when, name=full.group(2), service=f"{full.group(1)}.googleapis.com")

    def _decide(
        self,
        identity: Identity,
        action: str,
        nodes: Sequence[str],
        chain: Sequence[str],
        request: Request,
        grants: Callable[[str], Tri],
    ) -> Evaluation:
        allowed: list[StatementRef] = []
        undecided: list[StatementRef] = []
        for binding in self.index.bindings(nodes):
            answer = self._binding(binding, identity, request, grants)
            if answer is True:
                allowed.append(binding.ref)
            elif answer is None:
                undecided.append(binding.ref)
        if not allowed and not undecided:
            return Evaluation(decision=Decision.IMPLICIT_DENY, reason="no binding grants it")
        denied, deny_undecided = self._denied(identity, action, chain, request)
        if denied:
            return Evaluation(
                decision=Decision.DENY,
                allowed_by=tuple(allowed),
                denied_by=tuple(denied),
                reason="denied by a deny policy",
            )
        undecided.extend(deny_undecided)
        if allowed and not deny_undecided:
            return Evaluation(decision=Decision.ALLOW, allowed_by=tuple(allowed))
        return Evaluation(decision=Decision.CONDITIONAL, allowed_by=tuple(allowed),
                          undecided=tuple(undecided),
                          reason="rests on conditions nhiscan cannot decide")  # fmt: skip

    def _binding(
        self, binding: Binding, identity: Identity, request: Request, grants: Callable[[str], Tri]
    ) -> Tri:
        answer = both(member_match(binding.members, identity), grants(binding.role))
        if answer is False or binding.condition is None:
            return answer
        return both(answer, decide(binding.condition, request))

    def _denied(
        self, identity: Identity, action: str, chain: Sequence[str], request: Request
    ) -> tuple[list[StatementRef], list[StatementRef]]:
        denied: list[StatementRef] = []
        undecided: list[StatementRef] = []
        for node in chain:
            for rule in self.index.deny.get(node, ()):
                answer = denies(rule, identity, action)
                if answer is not False and rule.condition is not None:
                    answer = both(answer, decide(rule.condition, request))
                if answer is True:
                    denied.append(rule.ref)
                elif answer is None:
                    undecided.append(rule.ref)
        return denied, undecided

    def admin_at(self, principal: str, scope: str) -> Evaluation:
        """Admin of ``scope`` by a binding on the scope itself (``inherits`` hops do the rest)."""
        identity = self._estate.identities.get(principal)
        node = self.hierarchy.nodes.get(scope)
        if identity is None or not self.mine(identity) or node is None:
            return Evaluation(decision=Decision.IMPLICIT_DENY, reason="not a GCP principal")
        action = SET_IAM_POLICY[node.kind]
        role_grants = self._role_grants(action)

        def grants(role: str) -> Tri:
            return True if role == OWNER else role_grants(role)

        chain = self.hierarchy.ancestors(scope)
        return self._decide(identity, action, [scope], chain, self.request(scope, None), grants)

    def admin_of(self, principal: str) -> Iterable[tuple[str, Evaluation]]:
        found = []
        for scope in sorted(self.hierarchy.nodes):
            evaluation = self.admin_at(principal, scope)
            if evaluation.decision.possible:
                found.append((scope, evaluation))
        return found

    def is_admin(self, principal: str) -> Evaluation:
        answers = [e for _, e in self.admin_of(principal)]
        for decision in (Decision.ALLOW, Decision.CONDITIONAL):
            for evaluation in answers:
                if evaluation.decision is decision:
                    return evaluation
        return Evaluation(decision=Decision.IMPLICIT_DENY, reason="admin of no scope")
