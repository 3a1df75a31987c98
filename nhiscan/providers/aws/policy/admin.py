"""``is_admin``: whether a principal has effective ``*`` on ``*``.

Definition. A principal is an administrator (ALLOW) when all of these hold:

1. one of its identity policies (its own or a group's) has an Allow statement for every action
   -- ``Action`` holding ``"*"`` or ``"*:*"``, or a ``NotAction`` none of whose patterns names
   a catalogued action -- on every resource (``Resource`` holding ``"*"``) whose conditions
   hold for this principal;
2. its permission boundary, if any, has such a statement too;
3. at every level of the organization above its account (when SCPs apply to it), an attached
   SCP has such a statement;
4. no Deny statement in those policies (identity, group, boundary, SCPs) can apply to it: a
   Deny of anything at all, on any resource, whose conditions are not false for this
   principal, cuts ``*`` on ``*`` down (DENY), even a Deny of one action on one bucket.

Resource policies are not considered: they grant on one resource, never ``*`` on ``*``.
CONDITIONAL when the grant or a Deny depends on something undecided (a condition on a
request-time key such as aws:MultiFactorAuthPresent, a policy missing from the snapshot);
IMPLICIT_DENY when a grant is missing (the reason says which).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nhiscan.providers.aws.catalog import Catalog
from nhiscan.providers.aws.policy.bound import BoundPolicy, PrincipalView
from nhiscan.providers.aws.policy.compiled import CompiledStatement
from nhiscan.providers.aws.policy.context import RequestContext, ResourceFacts
from nhiscan.providers.aws.policy.matching import Lookup, Tri
from nhiscan.scanner.authz import Decision, Evaluation, StatementRef

ALL_ACTIONS = frozenset({"*", "*:*"})


@dataclass(slots=True)
class _Grant:
    found: Tri = Tri.NO
    refs: list[StatementRef] = field(default_factory=list)
    undecided: list[StatementRef] = field(default_factory=list)


def is_admin(view: PrincipalView, catalog: Catalog) -> Evaluation:
    lookup = RequestContext(view.facts, ResourceFacts(arn="*")).value
    levels = [("identity", view.identity)]
    if view.boundary is not None:
        levels.append(("boundary", (view.boundary,)))
    levels += [(f"scp:{level}", attached) for level, attached in view.scp_levels]
    grants = [(name, _grant(group, lookup, catalog)) for name, group in levels]
    for name, grant in grants:
        if grant.found is Tri.NO:
            return Evaluation(decision=Decision.IMPLICIT_DENY, reason=_missing_grant(name))
    everything = [b for _, group in levels for b in group]
    denies, maybe_denies = _denies(everything, lookup)
    if denies:
        return Evaluation(
            decision=Decision.DENY,
            denied_by=tuple(denies),
            reason=f"a Deny in {denies[0].policy_id} cuts * on * down",
        )
    allowed = tuple(dict.fromkeys(r for _, g in grants for r in g.refs))
    unsure = [r for _, g in grants if g.found is Tri.MAYBE for r in g.undecided]
    undecided = tuple(dict.fromkeys([*unsure, *maybe_denies]))
    if not undecided:
        return Evaluation(decision=Decision.ALLOW, allowed_by=allowed, reason="effective * on *")
    return Evaluation(
        decision=Decision.CONDITIONAL,
        allowed_by=allowed,
        undecided=undecided,
        reason=f"* on * depends on what nhiscan cannot decide ({undecided[0].policy_id})",
    )


def _missing_grant(level: str) -> str:
    if level == "identity":
        return "no identity policy allows * on *"
    if level == "boundary":
        return "the permission boundary does not allow * on *"
    return f"no SCP attached to {level.removeprefix('scp:')} allows * on *"


def _denies(
    policies: list[BoundPolicy], lookup: Lookup
) -> tuple[list[StatementRef], list[StatementRef]]:
    certain: list[StatementRef] = []
    maybe: list[StatementRef] = []
    for bound in policies:
        if bound.document is None:
            maybe.append(bound.missing_ref)
            continue
        for statement in bound.document.statements:
            if statement.allow or not _denies_something(statement):
                continue
            holds = statement.conditions_hold(lookup)
            if holds is Tri.YES:
                certain.append(bound.ref(statement))
            elif holds is Tri.MAYBE:
                maybe.append(bound.ref(statement))
    return certain, maybe


def _denies_something(statement: CompiledStatement) -> bool:
    source = statement.source
    if statement.action_matcher is None:
        return False
    if source.not_actions and "*" in source.not_actions:
        return False
    return not (source.not_resources and "*" in source.not_resources)


def _grant(policies: tuple[BoundPolicy, ...], lookup: Lookup, catalog: Catalog) -> _Grant:
    grant = _Grant()
    for bound in policies:
        if bound.document is None:
            grant.found = max(grant.found, Tri.MAYBE)
            grant.undecided.append(bound.missing_ref)
            continue
        for statement in bound.document.statements:
            if not (statement.allow and _everything(statement, catalog)):
                continue
            holds = statement.conditions_hold(lookup)
            grant.found = max(grant.found, holds)
            if holds is Tri.YES:
                grant.refs.append(bound.ref(statement))
            elif holds is Tri.MAYBE:
                grant.undecided.append(bound.ref(statement))
    return grant


def _everything(statement: CompiledStatement, catalog: Catalog) -> bool:
    """Every action on every resource (see the module's definition)."""
    source = statement.source
    if source.not_resources or not (source.resources and "*" in source.resources):
        return False
    if source.not_actions:
        return not any(
            catalog.known(action) for p in source.not_actions for action in catalog.expand(p)
        )
    return any(p.strip() in ALL_ACTIONS for p in source.actions)
