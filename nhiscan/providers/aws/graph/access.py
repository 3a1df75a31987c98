"""The requests each resource answers in the reach graph (can_access hops), and the narrowing
of candidates by what a principal's own Allow statements could grant.

Asking the evaluator about every catalogued action of every resource for every principal is
too slow on large estates, so the candidates are first narrowed to the actions that some Allow
statement could grant (the principal's identity and group policies, or the resource's own
policy). Narrowing never adds: the evaluator still judges each candidate exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

from nhiscan.providers.aws.catalog import Catalog
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.providers.aws.statements import Statement, statements
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.glob import compile_patterns, matches
from nhiscan.scanner.graph.sources import AccessRequest
from nhiscan.scanner.model import Resource, ResourceKind

ACCESS_KINDS = frozenset(
    {
        ResourceKind.S3_BUCKET,
        ResourceKind.KMS_KEY,
        ResourceKind.SECRET,
        ResourceKind.LAMBDA_FUNCTION,
    }
)


def access_requests(
    estate: Estate, catalog: Catalog, resource: Resource
) -> tuple[AccessRequest, ...]:
    """(ARN, its actions, those the resource's own policy could grant) for each ARN asked: a
    bucket is asked about itself and its objects; resources of other kinds are not asked."""
    if resource.kind not in ACCESS_KINDS:
        return ()
    arns = [resource.id]
    if resource.kind is ResourceKind.S3_BUCKET:
        arns.append(f"{resource.id}/*")
    policy = estate.policy(resource.policy)
    unknown = resource.policy is not None and policy is None  # its policy was not collected
    out = []
    for arn in arns:
        actions = catalog.actions_for_resource(arn)
        if unknown:  # it may grant anything: ask the evaluator about every action
            granted = actions
        elif policy is not None:
            granted = _matching(actions, statements(policy.document))
        else:
            granted = frozenset()
        out.append(
            AccessRequest(
                resource=arn, actions=actions, granted_by_resource=granted, service=_service(arn)
            )
        )
    return tuple(out)


def could_grant(
    authorizer: EstateAuthorizer, catalog: Catalog, principal: str, service: str
) -> frozenset[str] | None:
    """The service's actions some Allow of the principal's identity or group policies could
    grant; None when a policy of the principal is not in the snapshot (then ask about all)."""
    everything = catalog.expand(f"{service}:*")
    found: set[str] = set()
    for bound in authorizer.view(principal).identity:
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
