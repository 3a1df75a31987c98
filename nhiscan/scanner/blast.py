"""Blast radius: for each active credential, what whoever holds it can reach.

One walk of the graph for every identity that holds a credential (``graph.closure``: what each
reaches, as bit sets summed up over the graph's strongly connected components), and the admin
paths every rule reads (``graph.nearest``): no walk per identity, which on a dense estate, where
one walk touches nearly every principal, made the blast radius quadratic (issue #16). The
figures and paths are those a breadth-first walk from each identity gives. Computed once per
analysis (``app.pipeline.analyze``, into ``Report.blast``); the JSON and HTML reports read that.

Per credential: whether it reaches an admin sink (and the shortest path there, from the key),
how many identities it can act as, how many resources it reaches, how many of those are data
stores, and which secrets' values it can read (through any principal in reach). What is a data
store, a secret and a read of its value is each resource's provider's to say (its
``ProviderFacts``: ``data_store_kinds``, ``secret_kinds``, ``secret_read_actions``); a resource
whose provider is not known is neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.graph import EdgeKind, Hop, NodeKind, ReachGraph, path_json
from nhiscan.scanner.graph.closure import closures
from nhiscan.scanner.graph.nearest import admin_paths
from nhiscan.scanner.model import Credential

Path = tuple[Hop, ...]
FactsOf = Callable[[str], ProviderFacts]  # a provider name -> its tables (ProviderSet.facts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Radius:
    """What one identity reaches (shared by its credentials)."""

    admin_path: Path | None  # from the identity
    roles: int
    resources: int
    data_stores: int
    secrets: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class BlastRadius:
    credential: Credential
    key_hop: Hop  # credential -> identity
    radius: Radius

    @property
    def admin(self) -> bool:
        return self.radius.admin_path is not None

    @property
    def admin_path(self) -> Path | None:
        path = self.radius.admin_path
        return None if path is None else (self.key_hop, *path)

    @property
    def order(self) -> tuple[Any, ...]:
        """Worst first: admin, then data stores, secrets, resources, identities."""
        r = self.radius
        return (
            not self.admin,
            -r.data_stores,
            -len(r.secrets),
            -r.resources,
            -r.roles,
            self.credential.id,
        )

    def to_json(self) -> dict[str, Any]:
        path = self.admin_path
        return {
            "credential": self.credential.id,
            "identity": self.credential.identity,
            "kind": self.credential.kind.value,
            "admin": self.admin,
            "admin_path": None if path is None else path_json(path),
            "roles": self.radius.roles,
            "resources": self.radius.resources,
            "data_stores": self.radius.data_stores,
            "secrets": list(self.radius.secrets),
        }


def blast_radius(
    graph: ReachGraph, credentials: Iterable[Credential], facts: FactsOf | None = None
) -> tuple[BlastRadius, ...]:
    """Every credential the graph treats as usable (active, or of unknown status), worst first.
    ``facts``: each provider's tables (without them, no resource is a data store or a secret)."""
    hops = [(c, hop) for c in credentials if (hop := _key_hop(graph, c)) is not None]
    radii = _Radii(graph, facts, {hop.target for _, hop in hops})
    found = [BlastRadius(credential=c, key_hop=hop, radius=radii.of(hop.target)) for c, hop in hops]
    return tuple(sorted(found, key=lambda b: b.order))


def _key_hop(graph: ReachGraph, credential: Credential) -> Hop | None:
    if credential.id not in graph.graph:
        return None
    for hop in graph.hops_from(credential.id):
        if hop.edge is EdgeKind.HAS_CREDENTIAL and hop.target == credential.identity:
            return hop
    return None


class _Radii:
    """Each identity's radius, from one walk for all of them (``closures``): a node's label
    holds a bit for it when it is an identity or a resource, and the bits of the secrets it
    may read when it is an identity; what an identity reaches is the union of those."""

    def __init__(self, graph: ReachGraph, facts: FactsOf | None, identities: set[str]) -> None:
        self._graph = graph
        self._facts = facts
        self._tables: dict[str, ProviderFacts | None] = {}
        self._bit: dict[str, int] = {}  # an identity or resource -> its bit
        self._identities = self._resources = self._stores = 0  # the bits of each
        for node, data in graph.graph.nodes(data=True):
            kind = data["kind"]
            if kind == NodeKind.IDENTITY.value:
                self._identities |= self._give_bit(node)
            elif kind == NodeKind.RESOURCE.value:
                self._resources |= self._give_bit(node)
                if self._is_store(node):
                    self._stores |= self._bit[node]
        self._secrets: dict[str, int] = {}  # a secret -> its bit, above the nodes'
        self._shift = len(self._bit)
        self._reached = closures(graph, sorted(identities), self._label)
        self._named = {bit: secret for secret, bit in self._secrets.items()}

    def _give_bit(self, node: str) -> int:
        self._bit[node] = 1 << len(self._bit)
        return self._bit[node]

    def of(self, identity: str) -> Radius:
        """What ``identity`` reaches, itself left out (a walk from it never counts it)."""
        reached = self._reached[identity] & ~self._bit.get(identity, 0)
        secrets = reached >> self._shift
        return Radius(
            admin_path=admin_paths(self._graph).path(identity),
            roles=(reached & self._identities).bit_count(),
            resources=(reached & self._resources).bit_count(),
            data_stores=(reached & self._stores).bit_count(),
            secrets=tuple(sorted(self._named[1 << n] for n in _ones(secrets))),
        )

    def _label(self, node: str) -> int:
        bits = self._bit.get(node, 0)
        if bits & self._identities:
            for secret in self._readable(node):
                if secret not in self._secrets:
                    self._secrets[secret] = 1 << len(self._secrets)
                bits |= self._secrets[secret] << self._shift
        return bits

    def _readable(self, principal: str) -> frozenset[str]:
        """The secrets whose value ``principal`` itself may read."""
        return frozenset(
            target
            for _, target, data in self._graph.graph.out_edges(principal, data=True)
            if data["hop"].edge is EdgeKind.CAN_ACCESS and self._reads_secret(data["hop"])
        )

    def _is_store(self, node: str) -> bool:
        tables = self._tables_of(node)
        return tables is not None and self._graph.graph.nodes[node].get("type") in (
            tables.data_store_kinds
        )

    def _reads_secret(self, hop: Hop) -> bool:
        """Whether ``hop`` (can_access) reads the value of a secret."""
        tables = self._tables_of(hop.target)
        if tables is None or self._graph.graph.nodes[hop.target].get("type") not in (
            tables.secret_kinds
        ):
            return False
        return any(a.lower() in tables.secret_read_actions for a in hop.actions)

    def _tables_of(self, node: str) -> ProviderFacts | None:
        """The tables of the provider of the resource ``node`` (None: none known)."""
        resource = self._graph.estate.resources.get(node)
        if resource is None or self._facts is None:
            return None
        name = str(resource.provider)
        if name not in self._tables:
            self._tables[name] = self._facts(name)
        return self._tables[name]


def _ones(bits: int) -> Iterator[int]:
    """The positions of the bits set in ``bits``."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low
