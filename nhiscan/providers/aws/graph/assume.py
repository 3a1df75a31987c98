"""can_assume hops from trust policies: which principals of the estate may call
``sts:AssumeRole`` on which role, each decided by the evaluator.

Candidates are narrowed first (the prefilter: what a principal's policies could ever allow);
the narrowing only skips requests that could not be allowed, the authorizer still judges the
rest.

Hubs (issue #16): on a real account, (principals allowed ``sts:AssumeRole`` on ``*``) x (roles
trusting the account root) is millions of pairs. Where both sides are uniform the pairs are not
materialised: each such caller gets one hop to the account's hub, "any principal of account A
allowed sts:AssumeRole on any role", and the hub one hop to each role whose trust admits any
principal of A unconditionally. Exactness is kept by admitting only what gets the same answer
for every role of the hub:

- a role joins the hub when its trust policy (collected) has no Deny and every Allow statement
  naming account A (``A`` or ``arn:...:A:root``) has no condition and no NotAction/NotPrincipal;
- a caller joins when the statements of its identity, group, boundary and SCP policies that
  may apply to ``sts:AssumeRole`` cover any resource with no condition on the resource
  (``policy.authorizer.uniform``): its answer is then the same for every role of its account
  whose trust admits it unconditionally. The caller-side answer is asked once, of the first
  role of the hub, and kept on the caller-to-hub hop (its identity statements; the hub-to-role
  hop carries the role's trust statements). A caller with a boundary, Deny or condition that
  names resources keeps its own exact per-role hops.

A caller whose statements about ``sts:AssumeRole`` name some resources (a Deny of one role, an
Allow on ``role/app-*`` beside an Allow on ``*``) is not uniform, but its answer on a role of
the hub depends on the role only through which of those statements match the role's ARN (its
signature, ``trust_share``). The hub's roles, sorted, are cut into blocks, each a hub of its own
(``hub_node(account, action, block)``); such a caller's largest group of roles of one
signature is its generic answer: it joins every block made only of roles of that group, and
asks each other role on its own (the roles its statements set apart, and those of the group
that share a block with one). A Deny of one role then costs the blocks and one block's roles
instead of a hop per role of the account. Blocks follow the roles' sorted ARNs, so the roles
one pattern names (``role/app-*``) are neighbours and set few blocks apart.

Hubs are made only when they save edges (``HUB_MIN_PAIRS`` pairs or more), so small estates
keep their direct hops. Paths shown to people collapse a hub (``graph.reach.unwind``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from math import isqrt

from nhiscan.providers.aws.policy import trust_share
from nhiscan.providers.aws.policy.authorizer import EstateAuthorizer, uniform
from nhiscan.providers.aws.policy.matching import Matcher
from nhiscan.providers.aws.privesc.prefilter import PolicyPrefilter, prefilter
from nhiscan.providers.aws.statements import account_of, indexed_statements, statements
from nhiscan.scanner.authz import Authorizer, Decision, StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import EdgeKind, Hop, granted_hop, hub_node
from nhiscan.scanner.model import Identity, IdentityKind

ASSUME = "sts:AssumeRole"
# A hub replaces members x roles hops by members + roles: made when the product is at least this.
HUB_MIN_PAIRS: int | None = 400
# Roles per block of a hub; None: about the square root of the hub's roles, which balances a
# caller's hops into the blocks against the roles of the blocks it cannot join.
HUB_BLOCK: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Hub:
    account: str
    roles: dict[str, tuple[StatementRef, ...]]  # role -> the trust statements admitting A
    members: frozenset[str]  # uniform callers: the same answer on every role
    # callers answering by signature (``TrustAnswers.naming``), with the matchers that tell
    partial: dict[str, tuple[tuple[Matcher, bool], ...]]

    @property
    def callers(self) -> frozenset[str]:
        """The callers whose hops to the hub's roles the hub answers for."""
        return self.members | self.partial.keys()


def assume_hops(estate: Estate, authorizer: Authorizer, principals: Sequence[str]) -> Iterator[Hop]:
    """A can_assume hop for each (caller, role) of the estate the evaluator may allow, through
    a hub where many callers and roles are uniform (``HUB_MIN_PAIRS``; None: never, every pair
    its own hop: the reference the tests compare hubs with)."""
    policies = PolicyPrefilter(estate)
    could = prefilter(estate, authorizer, policies)
    able = [p for p in principals if could(p, ASSUME)]
    # A trust naming an account admits only callers whose own policies allow sts:AssumeRole
    # (any trust policy in the snapshot makes `could` true for everyone: not enough here).
    delegated = policies.identity_could_allow
    by_account: dict[str, list[str]] = {}
    for principal in able:
        if delegated(principal, ASSUME):
            by_account.setdefault(estate.identities[principal].account, []).append(principal)
    roles = sorted(
        (i for i in estate.identities.values() if i.kind is IdentityKind.IAM_ROLE),
        key=lambda i: i.id,
    )
    answers = _answers(authorizer)
    ask = answers.hop if answers is not None else _asker(authorizer)
    hubs = _hubs(estate, authorizer, answers, roles, by_account, HUB_MIN_PAIRS)
    for each in hubs.values():
        yield from _hub_hops(authorizer, each, ask)
    callers = _Callers(estate, set(principals), able, by_account)
    for role in roles:
        hub = hubs.get(role.account)
        skip = hub.callers if hub is not None and role.id in hub.roles else frozenset()
        for caller in callers.of(role.trust_policy):
            if caller == role.id or caller in skip:
                continue
            hop = ask(caller, role.id)
            if hop is not None:
                yield hop


def _answers(authorizer: Authorizer) -> trust_share.TrustAnswers | None:
    """Answers shared within trust classes (``trust_share``) unless ``trust_share.SHARE_TRUST``
    is off (the reference the tests compare with) or the authorizer is another."""
    if trust_share.SHARE_TRUST and isinstance(authorizer, EstateAuthorizer):
        return trust_share.TrustAnswers(authorizer)
    return None


def _asker(authorizer: Authorizer) -> Callable[[str, str], Hop | None]:
    """The hop of a (caller, role) pair, asked of the authorizer each time."""

    def ask(caller: str, role: str) -> Hop | None:
        result = authorizer.evaluate(caller, ASSUME, role)
        if not result.decision.possible:
            return None
        return granted_hop(caller, role, EdgeKind.CAN_ASSUME, result)

    return ask


def _hubs(
    estate: Estate,
    authorizer: Authorizer,
    answers: trust_share.TrustAnswers | None,
    roles: Sequence[Identity],
    by_account: dict[str, list[str]],
    min_pairs: int | None,
) -> dict[str, _Hub]:
    """The hub of each account where it saves edges: its uniform roles, its uniform callers
    and the callers answering by signature (when answers are shared)."""
    if min_pairs is None or not isinstance(authorizer, EstateAuthorizer):
        return {}
    hubs: dict[str, _Hub] = {}
    for account, callers in by_account.items():
        hub_roles = {}
        for role in roles:
            if role.account == account:
                refs = _uniform_trust(estate, role, account)
                if refs is not None:
                    hub_roles[role.id] = refs
        if not hub_roles:
            continue
        members = frozenset(c for c in callers if uniform(authorizer.view(c), ASSUME) is not None)
        partial = {}
        if answers is not None:
            trust_ids = frozenset(r.policy_id for refs in hub_roles.values() for r in refs)
            for caller in callers:
                if caller not in members:
                    naming = answers.naming(caller, trust_ids)
                    if naming is not None:
                        partial[caller] = naming
        if (len(members) + len(partial)) * len(hub_roles) >= max(min_pairs, 1):
            hubs[account] = _Hub(account=account, roles=hub_roles, members=members,
                                 partial=partial)  # fmt: skip
    return hubs


def _uniform_trust(estate: Estate, role: Identity, account: str) -> tuple[StatementRef, ...] | None:
    """The Allow statements of the role's trust that admit any principal of ``account`` with no
    condition, when the trust gives every such principal the same answer; else None."""
    trust = estate.policy(role.trust_policy)
    if trust is None:
        return None
    found: list[StatementRef] = []
    for index, statement in indexed_statements(trust.document):
        if not statement.allows:
            return None  # a Deny may single some callers out
        if statement.not_principals is not None:
            return None
        names = {v.strip() for v in statement.principal_values("AWS")}
        if not any(_names_account(v, account) for v in names):
            continue
        if statement.conditions or statement.not_actions or not _assume_action(statement.actions):
            return None
        found.append(StatementRef(policy_id=trust.id, index=index, sid=statement.sid))
    return tuple(found) or None


def _names_account(value: str, account: str) -> bool:
    return account_of(value) == account and (value == account or value.endswith(":root"))


def _assume_action(actions: Iterable[str]) -> bool:
    lowered = {a.strip().lower() for a in actions}
    return bool(lowered & {"sts:assumerole", "sts:*", "*"})


def _hub_hops(
    authorizer: Authorizer, hub: _Hub, ask: Callable[[str, str], Hop | None]
) -> Iterator[Hop]:
    """Each member to the hub (its answer on the hub's first role, without that role's trust
    statements); each partial caller to the blocks of its generic answer, and its own hops to
    the other roles; the hub and each block joined to their roles (the trust statements
    admitting the account)."""
    order = tuple(sorted(hub.roles))
    blocks = _Blocks(order, HUB_BLOCK or max(16, isqrt(len(order))))
    node = hub_node(hub.account, ASSUME)
    joined = False
    for member in sorted(hub.members):
        hop = _into(authorizer, hub, member, order[0], node)
        if hop is not None:
            joined = True
            yield hop
    used: set[int] = set()
    for caller in sorted(hub.partial):
        generic, *_ = blocks.partition(hub.partial[caller])
        first = blocks.first(generic, besides=caller)
        hop = None if first is None else _into(authorizer, hub, caller, first, node)
        alone = blocks.every & ~generic  # roles its statements set apart: asked on their own
        if hop is not None and not alone:
            joined = True
            yield hop
            continue
        if hop is not None:
            inside = blocks.inside(generic)
            for block in inside:
                used.add(block)
                yield replace(hop, target=hub_node(hub.account, ASSUME, block))
            alone |= generic & ~blocks.union(inside)
        for role in blocks.roles(alone):
            if role != caller:
                found = ask(caller, role)
                if found is not None:
                    yield found
    if joined:
        yield from _out_of(node, hub, order)
    for block in sorted(used):
        part = hub_node(hub.account, ASSUME, block)
        yield from _out_of(part, hub, blocks.roles(blocks.mask(block)))


def _out_of(node: str, hub: _Hub, roles: Iterable[str]) -> Iterator[Hop]:
    for role in roles:
        yield Hop(source=node, target=role, edge=EdgeKind.CAN_ASSUME, statements=hub.roles[role])


def _into(authorizer: Authorizer, hub: _Hub, caller: str, role: str, node: str) -> Hop | None:
    """The caller's hop into a hub: its answer on ``role`` (one of those it answers alike),
    without the statements of that role's trust policy (the hub's hop to each role carries
    its own)."""
    result = authorizer.evaluate(caller, ASSUME, role)
    if not result.decision.possible:
        return None
    trust_ids = {ref.policy_id for ref in hub.roles[role]}
    refs = tuple(r for r in result.allowed_by if r.policy_id not in trust_ids)
    return Hop(source=caller, target=node, edge=EdgeKind.CAN_ASSUME, statements=refs,
               conditional=result.decision is Decision.CONDITIONAL)  # fmt: skip


class _Blocks:
    """A hub's roles (sorted) as bit sets, bit i for ``order[i]``, cut into blocks of ``size``,
    and the roles each matcher of the callers' statements matches (computed once per
    matcher: callers share the statements of a few policies)."""

    def __init__(self, order: tuple[str, ...], size: int) -> None:
        self._order = order
        self._size = size
        self.every = (1 << len(order)) - 1
        self._count = -(-len(order) // size)
        self._matched: dict[tuple[Matcher, bool], int] = {}

    def partition(self, naming: tuple[tuple[Matcher, bool], ...]) -> list[int]:
        """The roles grouped by which of ``naming``'s matchers match them, the largest group
        first (ties: the group holding the earlier role)."""
        groups = [self.every]
        for matcher in naming:
            bits = self._bits(matcher)
            groups = [part for g in groups for part in (g & bits, g & ~bits) if part]
        return sorted(groups, key=lambda g: (-g.bit_count(), (g & -g).bit_length()))

    def _bits(self, matcher: tuple[Matcher, bool]) -> int:
        found = self._matched.get(matcher)
        if found is None:
            match, negated = matcher
            found = 0
            for index, role in enumerate(self._order):
                if match(role) != negated:
                    found |= 1 << index
            self._matched[matcher] = found
        return found

    def first(self, bits: int, *, besides: str) -> str | None:
        """The first role of ``bits`` that is not ``besides``."""
        for role in self.roles(bits):
            if role != besides:
                return role
        return None

    def mask(self, block: int) -> int:
        start = block * self._size
        width = min(self._size, len(self._order) - start)
        return ((1 << width) - 1) << start

    def inside(self, bits: int) -> list[int]:
        """The blocks all of whose roles are in ``bits``."""
        found = []
        for block in range(self._count):
            mask = self.mask(block)
            if bits & mask == mask:
                found.append(block)
        return found

    def union(self, blocks: list[int]) -> int:
        bits = 0
        for block in blocks:
            bits |= self.mask(block)
        return bits

    def roles(self, bits: int) -> Iterator[str]:
        """The roles of ``bits``, in order."""
        while bits:
            low = bits & -bits
            yield self._order[low.bit_length() - 1]
            bits ^= low


class _Callers:
    """The principals of the estate a role's trust policy could admit, sorted, computed once
    per distinct set of names its Allow statements use (hundreds of roles trust the account)."""

    def __init__(
        self, estate: Estate, known: set[str], able: list[str], by_account: dict[str, list[str]]
    ) -> None:
        self._estate = estate
        self._known = known
        self._able = able
        self._by_account = by_account
        self._sorted: dict[tuple[str, ...] | None, tuple[str, ...]] = {}

    def of(self, trust_id: str | None) -> tuple[str, ...]:
        names = _trust_names(self._estate, trust_id)
        found = self._sorted.get(names)
        if found is None:
            found = self._sorted[names] = tuple(sorted(self._admitted(names)))
        return found

    def _admitted(self, names: tuple[str, ...] | None) -> set[str]:
        """A trust naming an exact ARN admits it without any identity policy (same account);
        an account or "*" admits only callers whose own policies may allow sts:AssumeRole."""
        if names is None:
            return set(self._able)
        found: set[str] = set()
        for value in names:
            found.update(_named(value, self._known, self._able, self._by_account))
        return found


def _trust_names(estate: Estate, trust_id: str | None) -> tuple[str, ...] | None:
    """The AWS principal values of the trust's Allow statements ("*" for a NotPrincipal);
    None when the trust is not collected (a gap says so): anyone who may call sts:AssumeRole
    might be admitted, and the evaluator answers CONDITIONAL for them rather than nothing."""
    trust = estate.policy(trust_id)
    if trust is None:
        return None
    found: dict[str, None] = {}
    for statement in statements(trust.document):
        if not statement.allows:
            continue
        if statement.not_principals is not None:
            found["*"] = None
            continue
        found.update((value.strip(), None) for value in statement.principal_values("AWS"))
    return tuple(found)


def _named(
    value: str, known: set[str], able: list[str], by_account: dict[str, list[str]]
) -> Iterable[str]:
    if value == "*":
        return able
    if value in known:
        return (value,)
    account = account_of(value)
    if account is not None and (value == account or value.endswith(":root")):
        return by_account.get(account, ())
    return ()
