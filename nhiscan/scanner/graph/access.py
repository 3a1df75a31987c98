"""can_access edges: which actions each principal may take on each known resource.

The provider says which requests a resource answers (``access_requests``: the resource ids to
ask about, their actions, and those the resource's own policy could grant) and which actions a
principal's own grants could allow (``could_grant``). Asking the evaluator about every action
of every resource for every principal is too slow on large estates, so the candidates are
first narrowed to the actions either could grant. Narrowing never adds: the evaluator still
judges each candidate exactly. A principal is asked only about resources of its own provider.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from nhiscan.scanner.authz import Decision, Evaluation, StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import EdgeKind, Hop
from nhiscan.scanner.graph.sources import AccessRequest, GraphSource
from nhiscan.scanner.model import Resource


class AccessFinder:
    def __init__(self, estate: Estate, source: GraphSource) -> None:
        self._estate = estate
        self._source = source
        self._authorizer = source.authorizer
        self._granted: dict[tuple[str, str], frozenset[str] | None] = {}

    def hops(self, principals: Iterable[str], resources: Iterable[Resource]) -> Iterator[Hop]:
        requests = [(r, self._source.access_requests(r)) for r in resources]
        requests = [(r, wanted) for r, wanted in requests if wanted]
        for principal in principals:
            identity = self._estate.identities.get(principal)
            for resource, wanted in requests:
                if identity is not None and identity.provider != resource.provider:
                    continue
                hop = self._hop(principal, resource, wanted)
                if hop is not None:
                    yield hop

    def _hop(
        self, principal: str, resource: Resource, wanted: Sequence[AccessRequest]
    ) -> Hop | None:
        found: dict[str, Evaluation] = {}
        for request in wanted:
            actions = request.actions
            by_resource = request.granted_by_resource
            mine = self._principal_actions(principal, request.service)
            if mine is not None and by_resource is not None:
                actions = actions & (mine | by_resource)
            for action in sorted(actions):
                if action in found:
                    continue
                result = self._authorizer.evaluate(principal, action, request.resource)
                if result.decision.possible:
                    found[action] = result
        if not found:
            return None
        conditional = tuple(a for a, r in found.items() if r.decision is Decision.CONDITIONAL)
        refs: dict[StatementRef, None] = {}
        for result in found.values():
            refs.update(dict.fromkeys(result.allowed_by))
        return Hop(
            source=principal,
            target=resource.id,
            edge=EdgeKind.CAN_ACCESS,
            statements=tuple(refs),
            conditional=len(conditional) == len(found),
            actions=tuple(sorted(found)),
            conditional_actions=tuple(sorted(conditional)),
        )

    def _principal_actions(self, principal: str, service: str) -> frozenset[str] | None:
        """What the provider says the principal's own grants could allow of the service's
        actions (None: ask about all), asked once per principal and service."""
        key = (principal, service)
        if key not in self._granted:
            self._granted[key] = self._source.could_grant(principal, service)
        return self._granted[key]
