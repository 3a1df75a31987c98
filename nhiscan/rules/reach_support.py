"""Shared by the rules over the reach graph: which identities are non-human, what exposes a
principal to the outside, which nodes reach an admin sink, and ranking and sampling targets.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from nhiscan.rules.common import active_keys, credential_word, named
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph, admin_node
from nhiscan.scanner.graph.model import INHERITS, TRAVERSED
from nhiscan.scanner.graph.nearest import admin_paths
from nhiscan.scanner.graph.sources import Scope
from nhiscan.scanner.model import Identity, Severity
from nhiscan.scanner.provider import ProviderSet

SAMPLE_SIZE = 10  # ARNs listed as a sample when a finding stands for many targets

_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.INFO,
    Severity.INFO: Severity.INFO,
}


def lower(severity: Severity) -> Severity:
    """One level less severe (info stays info)."""
    return _LOWER[severity]


def provider_managed(providers: ProviderSet, identity: Identity) -> bool:
    """Whether only the cloud itself acts as the identity (asked of its provider's analysis;
    not when no analysis answers for it)."""
    analysis = providers.analysis(identity.provider)
    return analysis is not None and analysis.provider_managed(identity)


def is_nhi(identity: Identity, providers: ProviderSet) -> bool:
    """A non-human identity a person can act on: not known to be a person, not managed by its
    cloud (the cloud alone uses those)."""
    return identity.is_human is not True and not provider_managed(providers, identity)


def sorted_identities(estate: Estate) -> list[Identity]:
    return sorted(estate.identities.values(), key=lambda i: i.id)


def key_ids(estate: Estate, identity_id: str, providers: ProviderSet | None = None) -> list[str]:
    """The ids of the identity's active long-lived keys (each judged by its provider's facts
    when ``providers`` are given: a cloud's own keys, such as Google-managed ones, are not)."""
    return [k.id for k in active_keys(estate.credentials(identity_id), providers)]


def exposure(estate: Estate, identity: Identity, providers: ProviderSet) -> list[str]:
    """Why the principal can be used from outside the estate's own workloads: an active
    long-lived key of a non-human identity ("active access key AKIA…", in its provider's
    words), then what its provider says exposes it (a public trust, a trust admitting other
    accounts, a public binding)."""
    reasons = []
    if is_nhi(identity, providers):
        keys = active_keys(estate.credentials(identity.id), providers)
        reasons += [f"active {credential_word(key, providers)} {key.id}" for key in keys]
    analysis = providers.analysis(identity.provider)
    if analysis is not None:
        reasons += analysis.exposure_reasons(identity)
    return reasons


T = TypeVar("T")


def per_graph(graph: ReachGraph, name: str, compute: Callable[[ReachGraph], T]) -> T:
    """``compute(graph)``, once per graph however many rules ask (kept in the graph's
    ``memo``: the graph is never changed once built, and the memo is dropped with it)."""
    key = f"rules.{name}"
    if key not in graph.memo:
        graph.memo[key] = compute(graph)
    found: T = graph.memo[key]
    return found


def admin_reach(graph: ReachGraph) -> AdminReach:
    return per_graph(graph, "admin-reach", AdminReach)


class AdminReach:
    """Which nodes reach an admin sink, and their shortest paths to one: the paths a
    breadth-first walk from each would find, all found in one walk back from the sinks
    (``scanner.graph.nearest``, shared with the blast radius)."""

    def __init__(self, graph: ReachGraph) -> None:
        self._nearest = admin_paths(graph)

    def reaches(self, node: str) -> bool:
        return self._nearest.reaches(node)

    def path(self, node: str) -> tuple[Hop, ...] | None:
        """The shortest path from ``node`` to an admin sink (empty for a sink itself)."""
        return self._nearest.path(node)


def leading_to(graph: ReachGraph, ends: Iterable[str]) -> set[str]:
    """``ends`` and every node with a path to one of them: found by walking the graph
    backwards along the hops a path may follow (resources end a path: none is walked through).
    A forward walk kept within this set finds the same shortest paths to ``ends``."""
    targets = set(ends)
    reached = set(targets)
    queue = deque(reached)
    while queue:
        node = queue.popleft()
        if node not in targets and graph.is_stop(node):
            continue
        for source, _, data in graph.graph.in_edges(node, data=True):
            if data["hop"].edge in TRAVERSED and source not in reached:
                reached.add(source)
                queue.append(source)
    return reached


def certain_admins(graph: ReachGraph) -> frozenset[str]:
    """The principals that are administrators outright (an is_admin hop, not conditional)."""
    return per_graph(graph, "certain-admins", _certain_admins)


def _certain_admins(graph: ReachGraph) -> frozenset[str]:
    return frozenset(h.source for h in graph.edges(EdgeKind.IS_ADMIN) if not h.conditional)


def administered(graph: ReachGraph) -> Mapping[str, frozenset[str]]:
    """Each principal's admin sinks it holds outright: those of its certain ``is_admin`` hops,
    and every sink they reach through ``inherits`` (a folder's admin administers its
    projects). An escalation into one of them gains nothing."""
    return per_graph(graph, "administered", _administered)


def _administered(graph: ReachGraph) -> dict[str, frozenset[str]]:
    below: dict[str, set[str]] = {}
    direct: dict[str, set[str]] = {}
    for hop in graph.edges(EdgeKind.IS_ADMIN):
        if hop.conditional:
            continue
        if hop.method == INHERITS:
            below.setdefault(hop.source, set()).add(hop.target)
        else:
            direct.setdefault(hop.source, set()).add(hop.target)
    found = {}
    for principal, sinks in direct.items():
        reached = set(sinks)
        for sink in sinks:
            reached |= below.get(sink, set())
        found[principal] = frozenset(reached)
    return found


def admin_scope(providers: ProviderSet, identity: Identity) -> str:
    """The scope whose admin sink the identity's own admin power points to: its provider's
    answer, else its record's account (as the graph builder resolves it)."""
    analysis = providers.analysis(identity.provider)
    found = analysis.admin_scope(identity.id) if analysis is not None else None
    return found or identity.account


def admin_target(providers: ProviderSet, identity: Identity, scope: str | None) -> str:
    """The admin sink an escalation "to admin" of ``identity`` lands on (``Escalation.scope``
    when set, else its own)."""
    return admin_node(scope or admin_scope(providers, identity))


_SCOPES: WeakKeyDictionary[Any, dict[str, Scope]] = WeakKeyDictionary()


def scope_words(providers: ProviderSet, identity: Identity, scope: str) -> str:
    """A scope as titles name it, in its provider's words: its kind and label, then its id
    when the label is another name, and its parent ("account 123456789012", "project acme-prod
    (in folders/82001)", "folder Engineering (folders/82001, in organizations/93422)"). The
    identity's provider is asked first, then the others; "account" when none names it."""
    names = [providers.analysis(identity.provider), *providers.analyses.values()]
    for analysis in names:
        if analysis is None:
            continue
        if analysis not in _SCOPES:
            _SCOPES[analysis] = {s.id: s for s in analysis.scopes()}
        found = _SCOPES[analysis].get(scope)
        if found is not None:
            notes = [found.id] if found.label != found.id else []
            notes += [f"in {found.parent}"] if found.parent is not None else []
            extra = f" ({', '.join(notes)})" if notes else ""
            return f"{found.kind} {found.label}{extra}"
    return f"account {scope}"


def sample(ids: Sequence[str]) -> list[str]:
    return list(ids[:SAMPLE_SIZE])


def conditional(path: Iterable[Hop]) -> bool:
    return any(hop.conditional for hop in path)


def label(estate: Estate, node: str, kind_words: Callable[[Identity], Mapping[str, str]]) -> str:
    """A graph node as a title names it: "group admins", "role deploy", or its id; an
    identity's kind is named by ``kind_words`` (its provider's facts' words)."""
    group = estate.groups.get(node)
    if group is not None:
        return f"group {group.name}"
    identity = estate.identities.get(node)
    return node if identity is None else named(identity, kind_words(identity))
