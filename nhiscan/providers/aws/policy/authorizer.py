"""``EstateAuthorizer``: the :class:`~nhiscan.scanner.authz.Authorizer` over a snapshot's estate.

Built once per estate. Each principal's policies (its own, its groups', its boundary, the SCPs
above its account) are bound on first use and kept; each distinct policy document is compiled
once; resource lookups are cached per ARN; what a principal's policies say about an action is
planned once, and its answers on the plain targets of its account are shared by the targets its
statements match alike (``plans.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from nhiscan.providers.aws.catalog import Catalog, default_catalog
from nhiscan.providers.aws.policy import admin, plans
from nhiscan.providers.aws.policy.bound import (
    ActionPlan,
    BoundPolicy,
    PrincipalView,
    Role,
    Tally,
    Target,
    scan,
)
from nhiscan.providers.aws.policy.compiled import PolicyCompiler, readable
from nhiscan.providers.aws.policy.context import (
    PrincipalFacts,
    PrincipalKind,
    RequestContext,
    given_values,
    lower_keys,
)
from nhiscan.providers.aws.policy.evaluate import NOTHING_ALLOWS, evaluate
from nhiscan.providers.aws.policy.matching import Lookup, Matcher, Tri
from nhiscan.providers.aws.policy.resources import TRUST_ACTIONS, TargetResolver
from nhiscan.scanner.authz import Decision, Evaluation
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Account, Identity, IdentityKind, Policy, PolicyKind, Provider

PRINCIPAL_KINDS = {
    IdentityKind.IAM_USER: PrincipalKind.USER,
    IdentityKind.IAM_ROLE: PrincipalKind.ROLE,
}
SERVICE_LINKED_PATH = "/aws-service-role/"
ASSUME_ROLE = "sts:assumerole"


class EstateAuthorizer:
    """Answers authorization questions about an estate, as AWS would (see ``evaluate.py``)."""

    def __init__(self, estate: Estate, catalog: Catalog | None = None) -> None:
        self.estate = estate
        self.catalog = catalog if catalog is not None else default_catalog()
        self._compiler = PolicyCompiler()
        self._bound: dict[tuple[str, Role], BoundPolicy] = {}
        self._views: dict[str, PrincipalView] = {}
        # For same_for: (principal, action) -> whether its answer is the same for every plain
        # target, and (target set, trust action or not, account) -> whether all are plain.
        self._plain_lists: dict[tuple[str, bool, str], bool] = {}
        # (list key, (matcher, negated)) -> the resources of the list it matches, as bits
        self._matched: dict[tuple[str, object], int] = {}
        self._accounts: Mapping[str, Account] = MappingProxyType(
            {a.id: a for a in estate.snapshot.accounts}
        )
        self._scps = _scps_by_target(estate.policies.values())
        self._targets = TargetResolver(estate, self._accounts, self.bind)

    # --- the Authorizer protocol -------------------------------------------------------------

    def principals(self) -> Iterable[str]:
        return [
            i.id
            for i in self.estate.identities.values()
            if i.kind in PRINCIPAL_KINDS and i.provider is Provider.AWS
        ]

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, str | Sequence[str] | None] | None = None,
    ) -> Evaluation:
        """The Authorizer question; ``context`` optionally supplies request-time condition
        values the caller knows ({"iam:PassedToService": "lambda.amazonaws.com"}): conditions
        on them are then decided instead of left undecided."""
        target = self._targets.target(resource, action)
        view = self._views.get(principal) or self.view(principal)
        if context:
            return evaluate(view, action, target, given_values(context))
        if plans.SHORTCUTS and _plain(view, target):
            shared = _shared(view, action, target)
            if shared is not None:
                return shared
        return evaluate(view, action, target)

    def same_for(
        self, principal: str, action: str, key: str, resources: Sequence[str]
    ) -> Evaluation | None:
        """The answer every one of ``resources`` gets, when it is certainly the same for all
        of them: each is a plain target of the principal's account, and the statements about
        ``action`` (``plans.py``) cannot tell them apart (none names a resource, or those that
        do match all of them alike). The answer ``evaluate`` gives each; None when they may
        differ, or when shortcuts are off. ``key`` names the list (a target set's id): whether
        its resources are plain, and whether they share a signature under one set of naming
        statements, are found once per list."""
        plan = self._naming_plan(principal, action, key, resources)
        if plan is None or plan.naming is None:
            return None
        every = (1 << len(resources)) - 1
        for matcher in plan.naming:  # alike: each statement matches all of them or none
            if self._matching(key, resources, matcher) not in (0, every):
                return None
        return self.evaluate(principal, action, resources[0])

    def possible_among(
        self, principal: str, action: str, key: str, resources: Sequence[str]
    ) -> int | None:
        """Which of ``resources`` the principal's answer on ``action`` may allow (bit i for
        ``resources[i]``), when, as for ``same_for``, each is a plain target of its account
        and its statements about the action tell them apart only by the resources they name:
        the resources are grouped by which of those statements match them (each statement's
        matches found once per list), and each group gets the answer ``evaluate`` gives its
        first resource. None when it cannot tell (ask each), or when shortcuts are off."""
        plan = self._naming_plan(principal, action, key, resources)
        if plan is None or plan.naming is None:
            return None
        groups = [(1 << len(resources)) - 1]
        for matcher in plan.naming:
            bits = self._matching(key, resources, matcher)
            groups = [part for g in groups for part in (g & bits, g & ~bits) if part]
        able = 0
        for group in groups:
            first = resources[(group & -group).bit_length() - 1]
            if self.evaluate(principal, action, first).decision.possible:
                able |= group
        return able

    def _matching(self, key: str, resources: Sequence[str], matcher: tuple[Matcher, bool]) -> int:
        """The resources of the list ``key`` names that a statement's matcher (with
        NotResource) applies to, as bits: found once per list and matcher."""
        found = self._matched.get((key, matcher))
        if found is None:
            match, negated = matcher
            found = 0
            for index, resource in enumerate(resources):
                if match(resource) != negated:
                    found |= 1 << index
            self._matched[(key, matcher)] = found
        return found

    def _naming_plan(
        self, principal: str, action: str, key: str, resources: Sequence[str]
    ) -> ActionPlan | None:
        """The principal's plan for ``action`` when every one of ``resources`` (the list
        ``key`` names) is a plain target of its account; None otherwise or without
        shortcuts."""
        if not resources or not plans.SHORTCUTS:
            return None
        view = self.view(principal)
        plain_key = (key, action.lower() in TRUST_ACTIONS, view.facts.account or "")
        plain = self._plain_lists.get(plain_key)
        if plain is None:
            plain = all(_plain(view, self._targets.target(r, action)) for r in resources)
            self._plain_lists[plain_key] = plain
        if not plain:
            return None
        return plans.plan_of(view, action.lower())

    def is_admin(self, principal: str) -> Evaluation:
        return admin.is_admin(self.view(principal), self.catalog)

    def admin_of(self, principal: str) -> Iterable[tuple[str, Evaluation]]:
        """An AWS principal's admin power is its own account's (one scope, one answer)."""
        return [(self.estate.identities[principal].account, self.is_admin(principal))]

    def trust_admits_service(self, role_id: str, service: str) -> Evaluation:
        """Whether ``role_id``'s trust policy lets the AWS service ``service``
        ("lambda.amazonaws.com") assume it. Conditions on aws:SourceArn / aws:SourceAccount are
        request-time: such a trust answers CONDITIONAL."""
        target = self._targets.target(role_id, ASSUME_ROLE)
        caller = PrincipalFacts(
            kind=PrincipalKind.SERVICE,
            arn=None,
            account=None,
            name=service,
            now=self.estate.snapshot.collected_at,
        )
        if target.policy is None:
            return Evaluation(
                decision=Decision.CONDITIONAL,
                reason=f"the trust policy of {role_id} is not in the snapshot",
            )
        tally = Tally()
        lookup = _service_lookup(caller, target)
        scan(target.policy, ASSUME_ROLE, target.facts.arn, lookup, tally, caller)
        return _service_decision(tally, target.policy, service)

    # --- helpers for the reach graph ---------------------------------------------------------

    def allowed_actions(
        self, principal: str, resource: str, actions: Iterable[str] | None = None
    ) -> dict[str, Evaluation]:
        """The actions ``principal`` may (ALLOW or CONDITIONAL) take on ``resource``: of
        ``actions``, by default of every catalogued action acting on that ARN."""
        wanted = self.catalog.actions_for_resource(resource) if actions is None else actions
        found = {}
        for action in sorted(wanted):
            result = self.evaluate(principal, action, resource)
            if result.decision.possible:
                found[action] = result
        return found

    def target(self, resource: str, action: str) -> Target:
        """The resource side of a request for ``action`` on ``resource`` (cached per ARN)."""
        return self._targets.target(resource, action)

    def view(self, principal: str) -> PrincipalView:
        """The principal's bound policies (built on first use, then kept)."""
        found = self._views.get(principal)
        if found is None:
            identity = self.estate.identities.get(principal)
            if identity is None or identity.kind not in PRINCIPAL_KINDS:
                raise KeyError(f"{principal} is not an IAM user or role of this estate")
            found = self._build_view(identity)
            self._views[principal] = found
        return found

    def bind(self, policy_id: str, role: Role) -> BoundPolicy:
        """The policy ``policy_id`` in ``role``, compiled (document None when not collected)."""
        key = (policy_id, role)
        found = self._bound.get(key)
        if found is None:
            policy = self.estate.policies.get(policy_id)
            document = None  # not collected, or without statements to read (policy_syntax)
            if policy is not None and readable(policy.document):
                document = self._compiler.compile(policy.document)
            found = BoundPolicy(policy_id=policy_id, role=role, document=document)
            self._bound[key] = found
        return found

    # --- building views ----------------------------------------------------------------------

    def _build_view(self, identity: Identity) -> PrincipalView:
        boundary = identity.permissions_boundary
        return PrincipalView(
            facts=self._facts(identity),
            identity=self._identity_policies(identity),
            boundary=None if boundary is None else self.bind(boundary, Role.BOUNDARY),
            scp_levels=self._scp_levels(identity),
        )

    def _facts(self, identity: Identity) -> PrincipalFacts:
        account = self._accounts.get(identity.account)
        org_id = account.org_id if account is not None else None
        parents = account.parents if account is not None else ()
        return PrincipalFacts(
            kind=PRINCIPAL_KINDS[identity.kind],
            arn=identity.id,
            account=identity.account,
            name=identity.name,
            unique_id=identity.native_id,
            tags=lower_keys(identity.tags),
            org_id=org_id,
            org_path=f"{org_id}/{'/'.join(parents)}/" if org_id and parents else None,
            # DescribeOrganization answered (in one, or in none): see connectors/aws/org.py.
            org_known=org_id is not None
            or (account is not None and account.is_management is False),
            has_boundary=identity.permissions_boundary is not None,
            now=self.estate.snapshot.collected_at,
            mfa_devices=identity.mfa_devices,
        )

    def _identity_policies(self, identity: Identity) -> tuple[BoundPolicy, ...]:
        bound = {(p, Role.IDENTITY): None for p in identity.policies}
        for group_id in identity.member_of:
            group = self.estate.groups.get(group_id)
            policies = (group_id,) if group is None else group.policies
            bound.update({(p, Role.GROUP): None for p in policies})
        return tuple(self.bind(policy_id, role) for policy_id, role in bound)

    def _scp_levels(self, identity: Identity) -> tuple[tuple[str, tuple[BoundPolicy, ...]], ...]:
        """The SCPs at each level above the identity's account, root first; () when SCPs do not
        apply to it (management account, service-linked role) or none is recorded for it. A
        level with no SCP recorded does not restrict (its data is missing: AWS requires one)."""
        account = self._accounts.get(identity.account)
        if account is not None and account.is_management:
            return ()
        if identity.service_linked or (identity.path or "").startswith(SERVICE_LINKED_PATH):
            return ()
        levels = (*(account.parents if account is not None else ()), identity.account)
        found = []
        for level in levels:
            attached = self._scps.get(level, ())
            if attached:
                found.append((level, tuple(self.bind(p.id, Role.SCP) for p in attached)))
        return tuple(found)


def _scps_by_target(policies: Iterable[Policy]) -> dict[str, tuple[Policy, ...]]:
    grouped: dict[str, list[Policy]] = {}
    for policy in policies:
        if policy.kind is PolicyKind.SCP:
            for target in policy.attached_to:
                grouped.setdefault(target, []).append(policy)
    return {k: tuple(v) for k, v in grouped.items()}


def _plain(view: PrincipalView, target: Target) -> bool:
    """A target with no policy of its own, known, in the principal's account."""
    return target.plain and target.facts.account == view.facts.account


def _shared(view: PrincipalView, action: str, target: Target) -> Evaluation | None:
    """The answer on a plain target of the principal's account, shared by the targets its
    statements about ``action`` match alike (``plans.py``); None when it is not shared."""
    plan = view.plans.get(action)
    if plan is None:  # kept under the action as asked too: no lower() per request
        plan = view.plans[action] = plans.plan_of(view, action.lower())
    if plan.naming is None:
        return None
    arn = target.facts.arn
    if plan.nothing_on(arn):
        return NOTHING_ALLOWS
    answers = plan.answers
    if answers is None:
        answers = plan.answers = {}
    signature = plan.signature(arn)
    found = answers.get(signature)
    if found is None:
        found = answers[signature] = evaluate(view, action, target)
    return found


def _service_lookup(caller: PrincipalFacts, target: Target) -> Lookup:
    return RequestContext(caller, target.facts).value


def _service_decision(tally: Tally, trust: BoundPolicy, service: str) -> Evaluation:
    if tally.denies:
        return Evaluation(
            decision=Decision.DENY,
            denied_by=tuple(ref for _, ref in tally.denies),
            reason=f"{service} is denied by {trust.describe()}",
        )
    undecided = tuple(ref for _, ref, _ in tally.undecided)
    if tally.allow is Tri.YES and tally.deny is Tri.NO:
        return Evaluation(
            decision=Decision.ALLOW,
            allowed_by=tuple(tally.allows),
            reason=f"{trust.describe()} admits {service}",
        )
    if tally.allow is not Tri.NO:
        return Evaluation(
            decision=Decision.CONDITIONAL,
            allowed_by=tuple(tally.allows),
            undecided=undecided,
            reason=f"{trust.describe()} admits {service} under conditions nhiscan cannot decide",
        )
    return Evaluation(
        decision=Decision.IMPLICIT_DENY, reason=f"{trust.describe()} does not admit {service}"
    )


def uniform(view: PrincipalView, action: str) -> bool | None:
    """True (as a cache marker) when every statement that may apply to ``action`` in the
    principal's identity, group, boundary and SCP policies covers any resource and has no
    condition on the resource: then every plain target gets the same answer, and on large
    estates (a principal allowed iam:CreateAccessKey on thousands of users) it is computed
    once. None when the answer may differ from one target to another (a condition on a key
    of the resource, or a value read from one: ``plans.tests_resource``, the one test)."""
    bounds = [*view.identity, *([view.boundary] if view.boundary else [])]
    bounds += [b for _, level in view.scp_levels for b in level]
    for bound in bounds:
        if bound.document is None:
            return None
        for statement in bound.document.for_action(action.lower()):
            if not statement.any_resource or statement.not_resource:
                return None
            if plans.tests_resource(statement):
                return None
    return True
