"""can_access edges: which actions each principal may take on each known resource.

Asking the evaluator about every catalogued action of every resource for every principal is
too slow on large estates, so the candidates are first narrowed to the actions that some Allow
statement could grant (the principal's identity and group policies, or the resource's own
policy). Narrowing never adds: the evaluator still judges each candidate exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from nhiscan.providers.aws.statements import Statement, statements
from nhiscan.scanner.authz import Authorizer, Decision, Evaluation, StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import PermissionCatalog
from nhiscan.scanner.glob import compile_patterns, matches
from nhiscan.scanner.graph.model import EdgeKind, Hop
from nhiscan.scanner.model import Resource, ResourceKind


class AccessFinder:
    def __init__(self, estate: Estate, authorizer: Authorizer, catalog: PermissionCatalog) -> None:
        self._estate = estate
        self._authorizer = authorizer
        self._catalog = catalog
        self._granted: dict[tuple[str, str], frozenset[str] | None] = {}

    def hops(self, principals: Iterable[str], resources: list[Resource]) -> Iterator[Hop]:
        requests = [(r, self._requests(r)) for r in resources]
        for principal in principals:
            for resource, wanted in requests:
                hop = self._hop(principal, resource, wanted)
                if hop is not None:
                    yield hop

    def _requests(self, resource: Resource) -> list[tuple[str, frozenset[str], frozenset[str]]]:
        """(ARN, its actions, those the resource's own policy could grant) for each ARN asked:
        a bucket is asked about itself and its objects."""
        arns = [resource.id]
        if resource.kind is ResourceKind.S3_BUCKET:
            arns.append(f"{resource.id}/*")
        policy = self._estate.policy(resource.policy)
        unknown = resource.policy is not None and policy is None  # its policy was not collected
        out = []
        for arn in arns:
            actions = self._catalog.actions_for_resource(arn)
            if unknown:  # it may grant anything: ask the evaluator about every action
                granted = actions
            elif policy is not None:
                granted = _matching(actions, statements(policy.document))
            else:
                granted = frozenset()
            out.append((arn, actions, granted))
        return out

    def _hop(
        self,
        principal: str,
        resource: Resource,
        wanted: list[tuple[str, frozenset[str], frozenset[str]]],
    ) -> Hop | None:
        found: dict[str, Evaluation] = {}
        for arn, actions, by_resource in wanted:
            mine = self._principal_actions(principal, _service(arn))
            candidates = actions if mine is None else actions & (mine | by_resource)
            for action in sorted(candidates):
                if action in found:
                    continue
                result = self._authorizer.evaluate(principal, action, arn)
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
        """The service's actions some Allow of the principal's identity or group policies could
        grant; None when the authorizer cannot show its policies (then ask about all)."""
        key = (principal, service)
        if key not in self._granted:
            self._granted[key] = self._compute(principal, service)
        return self._granted[key]

    def _compute(self, principal: str, service: str) -> frozenset[str] | None:
        view = getattr(self._authorizer, "view", None)
        if view is None:
            return None
        everything = self._catalog.expand(f"{service}:*")
        found: set[str] = set()
        for bound in view(principal).identity:
            if bound.document is None:  # a policy the snapshot lacks may allow anything
                return None
            for statement in bound.document.statements:
                if statement.allow and ({service, "*"} & statement.services):
                    found.update(a for a in everything if statement.matches_action(a.lower()))
        return frozenset(found)


def _matching(actions: frozenset[str], found: Iterable[Statement]) -> frozenset[str]:
    """Of ``actions``, those some Allow statement of a resource policy names."""
    out: set[str] = set()
    for statement in found:
        if not statement.allows:
            continue
        if statement.not_actions:
            excluded = compile_patterns(statement.not_actions)
            out.update(a for a in actions if not matches(excluded, a))
        else:
            pattern = compile_patterns(statement.actions)
            out.update(a for a in actions if matches(pattern, a))
    return frozenset(out)


def _service(arn: str) -> str:
    parts = arn.split(":", 3)
    return parts[2] if len(parts) > 2 else ""
