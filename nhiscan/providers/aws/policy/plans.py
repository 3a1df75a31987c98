"""Per (principal, action) plans, and answers shared between the targets a principal's
statements cannot tell apart (issue #16).

On a dense estate the escalation search asks one principal about one action on thousands of
targets. What its policies say about the action is worked out once (:class:`~.bound.ActionPlan`):
the identity and group policies with a statement about it, whether the boundary or an SCP may
deny it, and the matchers of the statements naming resources. Two shortcuts follow, neither
changing an answer:

- a request on a resource that no identity statement about the action matches, with nothing
  that may deny, is not allowed (the evaluator's own early answer, without building the
  request);
- on a plain target of the principal's account (known, no policy of its own), the answer
  depends on the target only through which of those statements match its ARN, when none of
  them names resources through a policy variable and none tests a key of the resource (its
  tags; the account and organization are the principal's own). The answer is then kept per
  signature (which match), and every target with the same signature gets it: reasons name
  policies and keys, never the plain target. A principal with no statement naming a resource
  has one signature, the empty one, the old "uniform" case.

``SHORTCUTS`` False turns both off, and nothing is kept: every request is evaluated from
scratch, the reference the tests compare with.
"""

from __future__ import annotations

from nhiscan.providers.aws.policy.bound import ActionPlan, BoundPolicy, PrincipalView
from nhiscan.providers.aws.policy.compiled import CompiledStatement
from nhiscan.providers.aws.policy.matching import Matcher, variable_keys

SHORTCUTS = True

# Condition keys whose value depends on the resource asked about.
RESOURCE_KEYS = ("aws:resource", "iam:resourcetag", "s3:resource", "aws:sourcearn")

Naming = dict[tuple[Matcher, bool], None]


def plan_of(view: PrincipalView, action: str) -> ActionPlan:
    """The view's plan for ``action`` (lower case)."""
    found = view.plans.get(action)
    if found is None:
        found = _plan(view, action)
        if SHORTCUTS:
            view.plans[action] = found
    return found


def tests_resource(statement: CompiledStatement) -> bool:
    """A condition on a key of the resource asked about, or a value read from one."""
    for condition in statement.conditions:
        if condition.key.startswith(RESOURCE_KEYS):
            return True
        for value in condition.values:
            if value.template is not None and any(
                k.startswith(RESOURCE_KEYS) for k in variable_keys(value.template)
            ):
                return True
    return False


def _plan(view: PrincipalView, action: str) -> ActionPlan:
    relevant: list[BoundPolicy] = []
    matchers: Naming | None = {}
    for bound in view.identity:
        if bound.document is None:
            relevant.append(bound)
            matchers = None
            continue
        found = bound.document.for_action(action)
        if not found:
            continue
        relevant.append(bound)
        for statement in found:
            if statement.any_resource or statement.static_resources is None:
                matchers = None
            elif matchers is not None:
                matchers[(statement.static_resources, statement.not_resource)] = None
    sides = [*([view.boundary] if view.boundary else []), *_scps(view)]
    return ActionPlan(
        identity=tuple(relevant),
        sides_may_deny=any(_may_deny(b, action) for b in sides),
        matchers=None if matchers is None else tuple(matchers),
        naming=_naming([*relevant, *sides], action),
    )


def _naming(bounds: list[BoundPolicy], action: str) -> tuple[tuple[Matcher, bool], ...] | None:
    """The matchers of the statements about ``action`` naming resources; None when one names
    them through a policy variable or tests a key of the resource."""
    naming: Naming = {}
    for bound in bounds:
        for statement in bound.document.for_action(action) if bound.document else ():
            if tests_resource(statement):
                return None
            if statement.any_resource:
                continue
            if statement.static_resources is None:
                return None
            naming[(statement.static_resources, statement.not_resource)] = None
    return tuple(naming)


def _scps(view: PrincipalView) -> list[BoundPolicy]:
    return [b for _, level in view.scp_levels for b in level]


def _may_deny(bound: BoundPolicy, action: str) -> bool:
    document = bound.document
    return document is None or any(not s.allow for s in document.for_action(action))
