"""Data-store and secret reach: what S3 buckets, KMS keys and Secrets Manager secrets each
non-human identity can act on, directly or through the roles and escalations it reaches.

One finding per identity, summarising: the data stores by kind with their access levels (the
catalogue's level of each allowed action), the secrets whose value it can read
(secretsmanager:GetSecretValue), the KMS keys it can decrypt with (kms:Decrypt), and the stores
it can write to or delete from (Write or Permissions management). A level is "conditional" when
every action at that level rests on conditions nhiscan could not decide, on the access itself or
on a hop leading to it. Medium when it can read a secret value, decrypt or write; low when it
can only read or list. No finding when it reaches none.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.aws.catalog import Catalog, default_catalog
from nhiscan.providers.aws.facts import KIND_WORDS
from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import capital, named
from nhiscan.rules.reach_support import (
    admin_reach,
    is_nhi,
    leading_to,
    sample,
    sorted_identities,
)
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import AccessLevel
from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph, path_json
from nhiscan.scanner.graph.reach import unwind
from nhiscan.scanner.model import Finding, Identity, Resource, ResourceKind, Severity

DATA_KINDS = (ResourceKind.S3_BUCKET, ResourceKind.KMS_KEY, ResourceKind.SECRET)
READ_VALUE = "secretsmanager:getsecretvalue"
DECRYPT = "kms:decrypt"
WRITE_LEVELS = frozenset({AccessLevel.WRITE.value, AccessLevel.PERMISSIONS_MANAGEMENT.value})
LIST_LIMIT = 50  # data stores listed per kind; ``counts`` has the totals
# The sensitive capabilities, most sensitive first: (evidence key, title words).
CAPABILITIES = (
    ("read_secret_value", "read {n} secret value{s}"),
    ("kms_decrypt", "decrypt with {n} KMS key{s}"),
    ("write_or_delete", "write to or delete {n} data store{s}"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Access:
    """What an identity can do to one data store, over every way it reaches it."""

    resource: Resource
    levels: Mapping[str, bool]  # access level -> allowed only under conditions
    capabilities: Mapping[str, bool]  # capability key -> only under conditions
    path: tuple[Hop, ...]  # the shortest path to it

    @property
    def rank(self) -> tuple[int, bool, str]:
        """Most sensitive capability first, certain before conditional, then by ARN."""
        for index, (key, _) in enumerate(CAPABILITIES):
            if key in self.capabilities:
                return (index, self.capabilities[key], self.resource.id)
        return (len(CAPABILITIES), all(self.levels.values()), self.resource.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource.id,
            "name": self.resource.name,
            "account": self.resource.account,
            "access": {level: _word(c) for level, c in sorted(self.levels.items())},
            "capabilities": {key: _word(c) for key, c in sorted(self.capabilities.items())},
            "conditional": all(self.levels.values()),
            "via": [hop.target for hop in self.path[:-1]],
        }


def _word(conditional: bool) -> str:
    return "conditional" if conditional else "allowed"


class DataStoreReach:
    meta = RuleMeta(
        needs_graph=True,
        id="NHI109",
        name="data-store-reach",
        severity=Severity.MEDIUM,
        summary=(
            "What S3 buckets, KMS keys and Secrets Manager secrets a non-human identity can "
            "act on, directly or through roles it can assume or escalate to. Medium when it can "
            "read a secret value, decrypt with a KMS key or write to or delete a data store; low "
            "when it can only read."
        ),
        remediation=(
            "Check each store against what the workload does. Scope resource ARNs in its "
            "policies to the stores it needs, drop write, delete and policy actions it does not "
            "use, and narrow bucket, key and secret policies to the principals that need them."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        graph = ctx.require_graph(self.meta)
        catalog = default_catalog()
        reach = admin_reach(graph)
        stores = [r.id for r in estate.resources.values() if r.kind in DATA_KINDS]
        leading = leading_to(graph, (s for s in stores if s in graph.graph))
        for identity in sorted_identities(estate):
            if not is_nhi(identity, ctx.providers) or identity.id not in leading:
                continue
            found = accesses(estate, graph, catalog, identity.id, leading)
            if found:
                yield self._finding(identity, found, reach.reaches(identity.id))

    def _finding(self, identity: Identity, found: list[Access], admin: bool) -> Finding:
        sensitive = {key: [a for a in found if key in a.capabilities] for key, _ in CAPABILITIES}
        return make_finding(
            self.meta,
            subject=identity.id,
            provider=identity.provider,
            title=_title(identity, found, sensitive),
            evidence={
                "identity": identity.id,
                "account": identity.account,
                "is_human": identity.is_human,
                # An identity that reaches admin can grant itself any store: the list is what
                # it can reach as things stand (the admin finding says the rest).
                "reaches_admin": admin,
                "counts": {k.value: sum(a.resource.kind is k for a in found) for k in DATA_KINDS},
                "data_stores": {
                    kind.value: [a.to_json() for a in found if a.resource.kind is kind][:LIST_LIMIT]
                    for kind in DATA_KINDS
                },
                **{
                    key: {"count": len(items), "sample": sample([a.resource.id for a in items])}
                    for key, items in sensitive.items()
                },
            },
            severity=Severity.MEDIUM if any(sensitive.values()) else Severity.LOW,
            path=path_json(found[0].path),
        )


def _title(identity: Identity, found: list[Access], sensitive: dict[str, list[Access]]) -> str:
    who = capital(named(identity, KIND_WORDS))
    stores = f"{len(found)} data store{'s' if len(found) > 1 else ''}"
    words = [
        text.format(n=len(sensitive[key]), s="s" if len(sensitive[key]) > 1 else "")
        for key, text in CAPABILITIES
        if sensitive[key]
    ]
    if not words:
        return f"{who} can read or list {stores}."
    return f"{who} can reach {stores}: it can {', '.join(words)}."


def accesses(
    estate: Estate,
    graph: ReachGraph,
    catalog: Catalog,
    start: str,
    within: Container[str] | None = None,
) -> list[Access]:
    """Every data store ``start`` can act on, most sensitive first (``within``: the nodes that
    lead to a data store, when known: the walk keeps to them)."""
    parents = graph.parents(start, within=within)
    # Whether the walk's path to each node has a conditional hop: a node is met after the
    # source of the hop it was met by, so one pass in the walk's order tells every node.
    doubtful = {start: False}
    for node, hop in parents.items():
        doubtful[node] = doubtful[hop.source] or hop.conditional
    hops: dict[str, list[tuple[Hop, bool]]] = {}
    for source in [start, *(n for n in parents if not graph.is_stop(n))]:
        leading = doubtful[source]
        for hop in graph.hops_from(source):
            resource = estate.resources.get(hop.target)
            if hop.edge is EdgeKind.CAN_ACCESS and resource and resource.kind in DATA_KINDS:
                hops.setdefault(hop.target, []).append((hop, leading))
    found = [
        _access(estate.resources[arn], grants, catalog, unwind(parents, arn))
        for arn, grants in hops.items()
    ]
    return sorted(found, key=lambda a: a.rank)


def _access(
    resource: Resource, grants: list[tuple[Hop, bool]], catalog: Catalog, path: tuple[Hop, ...]
) -> Access:
    """Merge every hop granting access to ``resource``: an action is certain when some hop
    grants it outright through a path of certain hops."""
    actions: dict[str, bool] = {}  # action -> only conditionally
    for hop, leading in grants:
        unsure = set(hop.conditional_actions)
        for action in hop.actions:
            certain = not leading and action not in unsure
            actions[action] = actions.get(action, True) and not certain
    levels: dict[str, bool] = {}
    capabilities: dict[str, bool] = {}
    for action, only_if in actions.items():
        info = catalog.info(action)
        level = info.access_level.value if info is not None else "Unknown"
        levels[level] = levels.get(level, True) and only_if
        for key in _capabilities(action, level):
            capabilities[key] = capabilities.get(key, True) and only_if
    return Access(resource=resource, levels=levels, capabilities=capabilities, path=path)


def _capabilities(action: str, level: str) -> list[str]:
    found = []
    if action.lower() == READ_VALUE:
        found.append("read_secret_value")
    if action.lower() == DECRYPT:
        found.append("kms_decrypt")
    if level in WRITE_LEVELS:
        found.append("write_or_delete")
    return found
