"""Blast radius: for each active credential, what whoever holds it can reach.

One breadth-first search of the reach graph per identity that holds an active credential (two
keys of one user share it), so the cost stays near one pass over what those identities reach
even on estates of 15,000 principals. Computed once per analysis (``app.pipeline.analyze``,
into ``Report.blast``); the JSON and HTML reports read that.

Per credential: whether it reaches an admin sink (and the shortest path there, from the key),
how many identities it can act as, how many resources it reaches, how many of those are data
stores, and which secrets' values it can read (through any principal in reach). What is a data
store, a secret and a read of its value is each resource's provider's to say (its
``ProviderFacts``: ``data_store_kinds``, ``secret_kinds``, ``secret_read_actions``); a resource
whose provider is not known is neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.graph import EdgeKind, Hop, NodeKind, ReachGraph, path_json
from nhiscan.scanner.graph.reach import unwind
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
    radii = _Radii(graph, facts)
    found = []
    for credential in credentials:
        hop = _key_hop(graph, credential)
        if hop is None:
            continue
        found.append(BlastRadius(credential=credential, key_hop=hop, radius=radii.of(hop.target)))
    return tuple(sorted(found, key=lambda b: b.order))


def _key_hop(graph: ReachGraph, credential: Credential) -> Hop | None:
    if credential.id not in graph.graph:
        return None
    for hop in graph.hops_from(credential.id):
        if hop.edge is EdgeKind.HAS_CREDENTIAL and hop.target == credential.identity:
            return hop
    return None


class _Radii:
    def __init__(self, graph: ReachGraph, facts: FactsOf | None) -> None:
        self._graph = graph
        self._facts = facts
        self._tables: dict[str, ProviderFacts | None] = {}
        self._radius: dict[str, Radius] = {}
        self._secrets: dict[str, frozenset[str]] = {}

    def of(self, identity: str) -> Radius:
        found = self._radius.get(identity)
        if found is None:
            found = self._radius[identity] = self._compute(identity)
        return found

    def _compute(self, identity: str) -> Radius:
        graph = self._graph
        parents = graph.parents(identity)
        admin_path: Path | None = None
        roles = resources = data_stores = 0
        secrets = set(self._readable(identity))
        for node in parents:  # in breadth-first order: the first admin sink is the nearest
            data = graph.graph.nodes[node]
            kind = data["kind"]
            if kind == NodeKind.ADMIN.value:
                if admin_path is None:
                    admin_path = unwind(parents, node)
            elif kind == NodeKind.IDENTITY.value:
                roles += 1
                secrets.update(self._readable(node))
            elif kind == NodeKind.RESOURCE.value:
                resources += 1
                tables = self._tables_of(node)
                data_stores += tables is not None and data.get("type") in tables.data_store_kinds
        return Radius(
            admin_path=admin_path,
            roles=roles,
            resources=resources,
            data_stores=data_stores,
            secrets=tuple(sorted(secrets)),
        )

    def _readable(self, principal: str) -> frozenset[str]:
        """The secrets whose value ``principal`` itself may read."""
        found = self._secrets.get(principal)
        if found is None:
            found = frozenset(
                hop.target
                for hop in self._graph.hops_from(principal)
                if hop.edge is EdgeKind.CAN_ACCESS and self._reads_secret(hop)
            )
            self._secrets[principal] = found
        return found

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
