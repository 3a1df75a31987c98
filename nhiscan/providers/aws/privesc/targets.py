"""What a method can be used on, for one principal: the candidates for its target spec, and
what each reaches.

Built once per snapshot (:class:`Targets`), so that listing the users, roles, groups, passable
roles or compute of an account is a lookup, not a scan. IAM targets (users, roles, groups,
policies, passable roles) are limited to the principal's own account: IAM entities take no
resource policy, so no other account's principal can change them or pass them. Existing compute
is not limited (a Lambda function's resource policy may admit another account).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from nhiscan.providers.aws.privesc.method import Method, On, Requires
from nhiscan.providers.aws.privesc.trust import TrustCheck
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.escalation import Member, TargetSet
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import HUB_PREFIX
from nhiscan.scanner.model import (
    CredentialKind,
    Identity,
    IdentityKind,
    PolicyKind,
    Resource,
    ResourceKind,
)

ADMIN = "admin"
UNKNOWN = "unknown"
# A method's candidates become one target set (one escalation per principal, not one per
# target) from this many: small estates keep an escalation per target, as readers expect to
# see them; None: never (every target its own escalation, the reference the tests compare
# sets with).
SET_MIN_TARGETS: int | None = 64
# The target specs whose candidates are the same list for every principal of an account.
SET_SPECS = frozenset({On.TARGET_USER, On.TARGET_ROLE, On.PASSABLE_ROLE})

# Instance states whose instance can be reached: running, or not collected.
_LIVE_STATES = frozenset({"running", None})


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    resource: str  # the ARN the target spec's actions are requested on
    reaches: str  # a user, role or group ARN, "admin" or "unknown"
    missing: str | None = None  # set when reaching it depends on what the snapshot lacks
    conditional: bool = False  # reaching it depends on conditions (a passed role's trust)
    # What would stop a concrete (conditional) escalation that the snapshot cannot tell.
    unless: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidates:
    found: tuple[Candidate, ...]
    # Checked when nothing is found, to report the method as potential; () means "use the
    # placeholder", None means the method is never potential (PassRole needs a real role).
    fallback: tuple[Candidate, ...] | None = ()
    # Where each identity is reached in ``found`` and in ``fallback`` (made when first asked:
    # the lists of an account are shared by all its principals, each left out in turn).
    _places: dict[str, tuple[list[int], list[int]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def without(self, principal: str) -> Candidates:
        """These candidates less those reaching ``principal`` (acting on itself gains nothing
        new here): the same lists when none does, else copies cut where it is."""
        places = self._places
        if not places:
            for index, c in enumerate(self.found):
                places.setdefault(c.reaches, ([], []))[0].append(index)
            for index, c in enumerate(self.fallback or ()):
                places.setdefault(c.reaches, ([], []))[1].append(index)
            places.setdefault("", ([], []))  # made, even for empty lists
        if principal not in places:
            return self
        in_found, in_fallback = places[principal]
        fallback = self.fallback
        return Candidates(
            found=_cut(self.found, in_found),
            fallback=None if fallback is None else _cut(fallback, in_fallback),
        )


class Targets:
    def __init__(self, estate: Estate, trust: TrustCheck) -> None:
        self._estate = estate
        self._trust = trust
        self._users = _by_account(estate.identities.values(), IdentityKind.IAM_USER)
        self._roles = _by_account(estate.identities.values(), IdentityKind.IAM_ROLE)
        groups: defaultdict[str, list[str]] = defaultdict(list)
        for group in sorted(estate.groups.values(), key=lambda g: g.id):
            groups[group.account].append(group.id)
        self._groups = {account: tuple(ids) for account, ids in groups.items()}
        self._resources = _resources_by_kind(estate.resources.values())
        self._profile_role = _profile_roles(estate)
        self._in_profiles = frozenset(self._profile_role.values())
        self._lists: dict[tuple[object, ...], Candidates] = {}
        self._trusting: dict[tuple[str, str], tuple[tuple[Identity, bool], ...]] = {}
        self._sets: dict[tuple[str, ...], TargetSet | None] = {}
        # a set's id -> its members as candidates, and their resources (in the set's order)
        self._set_found: dict[str, tuple[Candidate, ...]] = {}
        self._set_resources: dict[str, tuple[str, ...]] = {}
        self._subsets: dict[tuple[str, str, tuple[Member, ...]], TargetSet] = {}
        self.regions = tuple(sorted({r.region for r in estate.resources.values() if r.region}))

    def identity(self, identity_id: str) -> Identity | None:
        return self._estate.identities.get(identity_id)

    def of(self, method: Method, principal: Identity) -> Candidates:
        spec = method.target_spec
        if spec is On.SELF:
            return Candidates(found=(Candidate(resource=principal.id, reaches=ADMIN),))
        if spec is On.ATTACHED_POLICY:
            return Candidates(found=self._attached(method, principal))
        if spec is On.MEMBER_GROUP:
            found = (Candidate(resource=g, reaches=ADMIN) for g in sorted(principal.member_of))
            return Candidates(found=tuple(found))
        if spec is On.TARGET_GROUP:
            return Candidates(found=self._other_groups(principal))
        if spec is On.TARGET_USER:
            return self._users_for(method, principal)
        if spec is On.TARGET_ROLE:
            return Candidates(found=self._other_roles(principal))
        if spec is On.PASSABLE_ROLE:
            return Candidates(found=self._passable(method, principal), fallback=None)
        if spec is On.EXISTING_RESOURCE:
            return Candidates(found=self._compute(method, principal))
        return Candidates(found=(), fallback=None)

    def set_of(self, method: Method, principal: Identity) -> TargetSet | None:
        """The method's candidates for any principal of ``principal``'s account as one shared
        set (the principal itself among them: :func:`expand` leaves it out), when they are the
        same list for every principal of the account (users, roles, roles a service may be
        passed) and as many as ``SET_MIN_TARGETS``; None otherwise. Candidates whose
        escalation would be potential and those that would be concrete are never mixed."""
        spec = method.target_spec
        if SET_MIN_TARGETS is None or spec not in SET_SPECS:
            return None
        account = principal.account
        if spec is On.TARGET_USER:
            key: tuple[str, ...] = ("users", account, method.requires.value)
        elif spec is On.TARGET_ROLE:
            key = ("roles", account)
        else:
            key = ("passable", account, method.service or "", method.requires.value)
        if key not in self._sets:
            self._sets[key] = self._make_set(method, principal, key)
        return self._sets[key]

    def _make_set(
        self, method: Method, principal: Identity, key: tuple[str, ...]
    ) -> TargetSet | None:
        if method.target_spec is On.TARGET_USER:
            found = self._users_of(method.requires, principal.account).found
        elif method.target_spec is On.TARGET_ROLE:
            found = self._roles_of(principal.account).found
        else:
            found = self._passable_all(method, principal.account)
        if len(found) < (SET_MIN_TARGETS or 0) or len({c.missing is None for c in found}) > 1:
            return None
        members = tuple(
            Member(target=c.reaches, resource=c.resource, missing=c.missing,
                   conditional=c.conditional, unless=c.unless)
            for c in found
        )  # fmt: skip
        made = TargetSet(id=f"{HUB_PREFIX}set:{':'.join(key)}", label=_set_label(method, key),
                         members=members)  # fmt: skip
        self._set_found[made.id] = found
        self._set_resources[made.id] = tuple(c.resource for c in found)
        return made

    def enough(self, count: int) -> bool:
        """Whether ``count`` targets make a set (``SET_MIN_TARGETS``, read when asked)."""
        return SET_MIN_TARGETS is not None and count >= SET_MIN_TARGETS

    def subset(
        self, base: TargetSet, what: str, label: str, members: Iterable[Member]
    ) -> TargetSet:
        """A set of some of ``base``'s members, one object for every principal that reaches
        the same ones (one hub however many principals lead to it): sorted by target, named
        after ``base``, ``what`` and a digest of the members (the same id on every run and
        shard)."""
        kept = tuple(sorted(members, key=lambda m: m.target))
        key = (base.id, what, kept)
        found = self._subsets.get(key)
        if found is None:
            text = "\n".join(f"{m.target} {m.resource} {m.conditional}" for m in kept)
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            found = TargetSet(id=f"{base.id}:{what}:{digest}", label=label, members=kept)
            self._subsets[key] = found
        return found

    def resources_of(self, group: TargetSet) -> tuple[str, ...]:
        """The resources of the set's members, in order (made once per set)."""
        return self._set_resources[group.id]

    def candidates_at(self, group: TargetSet, bits: int, principal: Identity) -> list[Candidate]:
        """The candidates of the set's members at ``bits`` (bit i: member i), in order, the
        principal left out: what ``of`` lists, less the members whose bit is not set."""
        found = self._set_found[group.id]
        picked = []
        while bits:
            low = bits & -bits
            candidate = found[low.bit_length() - 1]
            if candidate.reaches != principal.id:
                picked.append(candidate)
            bits ^= low
        return picked

    def _attached(self, method: Method, principal: Identity) -> tuple[Candidate, ...]:
        ids = set(principal.policies)
        for group_id in principal.member_of:
            group = self._estate.groups.get(group_id)
            ids.update(group.policies if group is not None else ())
        found = []
        for policy_id in sorted(ids):
            if not self._customer_managed(policy_id):
                continue
            missing = None
            if method.requires is Requires.POLICY_VERSION:
                missing = f"a non-default version of {policy_id} that grants more (not collected)"
            found.append(Candidate(resource=policy_id, reaches=ADMIN, missing=missing))
        return tuple(found)

    def _customer_managed(self, policy_id: str) -> bool:
        policy = self._estate.policies.get(policy_id)
        if policy is not None:
            return policy.kind is PolicyKind.CUSTOMER_MANAGED
        # Not in the snapshot: judge by the ARN (AWS-managed ones are in account "aws").
        return ":policy/" in policy_id and ":iam::aws:" not in policy_id

    def _other_groups(self, principal: Identity) -> tuple[Candidate, ...]:
        joined = set(principal.member_of)
        groups = self._groups.get(principal.account, ())
        return tuple(Candidate(resource=g, reaches=g) for g in groups if g not in joined)

    def _other_roles(self, principal: Identity) -> tuple[Candidate, ...]:
        return _without(self._roles_of(principal.account), principal.id).found

    def _roles_of(self, account: str) -> Candidates:
        key = ("roles", account)
        if key not in self._lists:
            roles = self._roles.get(account, ())
            found = (Candidate(resource=r.id, reaches=r.id) for r in roles if not r.service_linked)
            self._lists[key] = Candidates(found=tuple(found))
        return self._lists[key]

    def _users_for(self, method: Method, principal: Identity) -> Candidates:
        key = (method.requires, principal.account)
        if key not in self._lists:
            self._lists[key] = self._users_of(method.requires, principal.account)
        return _without(self._lists[key], principal.id)

    def _users_of(self, requires: Requires, account: str) -> Candidates:
        found: list[Candidate] = []
        fallback: list[Candidate] = []
        for user in self._users.get(account, ()):
            fits = self._fits_login(requires, user)
            if fits is False:
                fallback.append(Candidate(resource=user.id, reaches=user.id))
                continue
            if fits is None and requires is Requires.NO_LOGIN_PROFILE:
                # Most users of an account export (which holds no login profiles) that are
                # workloads have none: the escalation is concrete, unless this one does.
                unless = f"{user.id} already has a console password (login profiles not collected)"
                found.append(
                    Candidate(resource=user.id, reaches=user.id, conditional=True, unless=unless)
                )
                continue
            missing = None
            if fits is None:
                missing = f"whether {user.id} has a console password (not collected)"
            found.append(Candidate(resource=user.id, reaches=user.id, missing=missing))
        return Candidates(found=tuple(found), fallback=tuple(fallback))

    def _fits_login(self, requires: Requires, user: Identity) -> bool | None:
        if requires not in (Requires.LOGIN_PROFILE, Requires.NO_LOGIN_PROFILE):
            return True
        has = self.login_profile(user)
        if has is None:
            return None
        return has is (requires is Requires.LOGIN_PROFILE)

    def login_profile(self, user: Identity) -> bool | None:
        """Whether ``user`` has a console password; None when that was not collected."""
        creds = self._estate.credentials(user.id)
        if any(c.kind is CredentialKind.PASSWORD for c in creds):
            return True
        return user.console_access

    def _passable(self, method: Method, principal: Identity) -> tuple[Candidate, ...]:
        return self._passable_list(method, principal.account).without(principal.id).found

    def _passable_all(self, method: Method, account: str) -> tuple[Candidate, ...]:
        return self._passable_list(method, account).found

    def _passable_list(self, method: Method, account: str) -> Candidates:
        """The roles of ``account`` the method's service may be passed (made once per
        service, requirement and account: every principal of the account asks)."""
        key = ("passable", method.service or "", method.requires.value, account)
        found = self._lists.get(key)
        if found is None:
            found = self._lists[key] = Candidates(found=self._passable_roles(method, account))
        return found

    def _passable_roles(self, method: Method, account: str) -> tuple[Candidate, ...]:
        if method.service is None:
            return ()
        roles = self.trusting(method.service, account)
        if method.requires is Requires.INSTANCE_PROFILE:
            roles = tuple((r, c) for r, c in roles if self.has_instance_profile(r))
        return tuple(
            Candidate(resource=r.id, reaches=r.id, conditional=conditional)
            for r, conditional in roles
        )

    def trusting(self, service: str, account: str) -> tuple[tuple[Identity, bool], ...]:
        """The roles of ``account`` whose trust admits ``service``, each with whether only
        conditionally; computed once per pair."""
        key = (service, account)
        if key not in self._trusting:
            answers = ((r, self._trust(r, service)) for r in self._roles.get(account, ()))
            self._trusting[key] = tuple(
                (r, d is Decision.CONDITIONAL) for r, d in answers if d.possible
            )
        return self._trusting[key]

    def has_instance_profile(self, role: Identity) -> bool:
        return bool(role.instance_profiles) or role.id in self._in_profiles

    def _compute(self, method: Method, principal: Identity) -> tuple[Candidate, ...]:
        found = []
        for resource in self._resources.get(method.resource_kind or "", ()):
            candidate = self._runs_as(resource)
            if candidate is not None and candidate.reaches != principal.id:
                found.append(candidate)
        return tuple(found)

    def _runs_as(self, resource: Resource) -> Candidate | None:
        """The role ``resource`` runs as; None when it runs as none or cannot be reached."""
        runs_as = resource.runs_as
        if runs_as is None:
            return None
        if resource.kind == ResourceKind.EC2_INSTANCE and resource.state not in _LIVE_STATES:
            return None
        if ":instance-profile/" not in runs_as:
            return Candidate(resource=resource.id, reaches=runs_as)
        role = self._profile_role.get(runs_as)
        if role is not None:
            return Candidate(resource=resource.id, reaches=role)
        missing = f"the role of instance profile {runs_as} (not in the snapshot)"
        return Candidate(resource=resource.id, reaches=UNKNOWN, missing=missing)


def _set_label(method: Method, key: tuple[str, ...]) -> str:
    """How a person is told what a set holds."""
    kind, account = key[0], key[1]
    if kind == "users":
        if method.requires is Requires.NO_LOGIN_PROFILE:
            return f"any IAM user of {account} without a console password"
        if method.requires is Requires.LOGIN_PROFILE:
            return f"any IAM user of {account} with a console password"
        return f"any IAM user of {account}"
    if kind == "roles":
        return f"any role of {account}"
    profile = " in an instance profile" if method.requires is Requires.INSTANCE_PROFILE else ""
    return f"any role of {account} that {method.service} may assume{profile}"


def _without(candidates: Candidates, principal: str) -> Candidates:
    """``candidates`` less the principal itself (acting on itself gains nothing new here)."""
    return candidates.without(principal)


def _cut(found: tuple[Candidate, ...], places: list[int]) -> tuple[Candidate, ...]:
    """``found`` without the items at ``places`` (ascending)."""
    kept: tuple[Candidate, ...] = ()
    start = 0
    for place in places:
        kept += found[start:place]
        start = place + 1
    return kept + found[start:] if places else found


def _by_account(
    identities: Iterable[Identity], kind: IdentityKind
) -> dict[str, tuple[Identity, ...]]:
    found: defaultdict[str, list[Identity]] = defaultdict(list)
    for identity in sorted(identities, key=lambda i: i.id):
        if identity.kind is kind:
            found[identity.account].append(identity)
    return {account: tuple(ids) for account, ids in found.items()}


def _resources_by_kind(resources: Iterable[Resource]) -> Mapping[str, tuple[Resource, ...]]:
    found: defaultdict[str, list[Resource]] = defaultdict(list)
    for resource in sorted(resources, key=lambda r: r.id):
        found[str(resource.kind)].append(resource)
    return {kind: tuple(items) for kind, items in found.items()}


def _profile_roles(estate: Estate) -> dict[str, str]:
    """Instance profile ARN -> the role ARN in it, from profiles and from roles."""
    found = {
        r.id: r.runs_as
        for r in estate.resources.values()
        if r.kind == ResourceKind.INSTANCE_PROFILE and r.runs_as is not None
    }
    for identity in estate.identities.values():
        for profile in identity.instance_profiles:
            found.setdefault(profile, identity.id)
    return found
