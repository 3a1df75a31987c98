"""What links the shards of a sharded analysis (issue #21), and the analysis groups it makes.

A worker reads one collection shard and returns a ``ShardLinks``: the accounts its records
belong to, the account ids they name (every 12-digit number in a record: trust and resource
policies, ARNs, principals), whether a policy admits any principal, and its counts. The client
joins the accounts that name each other (union-find) into groups: no rule and no reach-graph
edge can cross two groups, because a role in one account reaches another only through a policy
that names the other account (or admits anyone). Reading every 12-digit number over-links (an
id in a tag joins two accounts for nothing): that costs parallelism, never exactness.

Three kinds of shard are not linked by their accounts:

- org-wide: only accounts, organization policies (SCPs) and gaps (the organization's listing,
  collected on the client). Every group gets them, as the local analysis sees them everywhere;
  a finding they cause in several groups is the same finding, kept once by the merge.
- anyone: a trust or resource policy admits any principal (``"*"`` or ``NotPrincipal``), so
  every account's identities may reach it: every account joins one group.
- unscoped: records that belong to no account and are not the organization's (repositories,
  exposures of no decoded account, workflows, activity, another cloud's records), or SCPs in a
  shard with an account's records (every group needs them, and the shard is not org-wide):
  which accounts they touch is not read here, so they join every account too. That is exact but
  gives up the parallelism (say so: ``Grouping.whole``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
ORG_POLICY_KINDS = frozenset({"scp"})
SCOPED_LISTS = frozenset({"identities", "groups", "credentials", "policies", "resources"})
COUNTED = ("identities", "credentials", "policies", "resources", "gaps")


@dataclass(frozen=True, slots=True, kw_only=True)
class ShardLinks:
    """One collection shard, summarised on a worker (see the module's text). ``accounts``
    holds the encoded Account records and ``gaps`` the encoded gaps, in shard order: the
    report lists them without reading the shards again."""

    url: str
    owners: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()
    anyone: bool = False
    unscoped: bool = False
    org_wide: bool = False
    counts: Mapping[str, int] = field(default_factory=dict)
    identities_by_account: Mapping[str, int] = field(default_factory=dict)
    accounts: tuple[Any, ...] = ()
    gaps: tuple[Any, ...] = ()


class _Reading:
    """The running summary of one shard's items."""

    def __init__(self) -> None:
        self.owners: set[str] = set()
        self.named: set[str] = set()
        self.anyone = False
        self.unscoped = False
        self.only_org = True
        self.scps = False
        self.counts = dict.fromkeys(COUNTED, 0)
        self.identities: dict[str, int] = {}
        self.accounts: list[Any] = []
        self.gaps: list[Any] = []

    def add(self, item: Mapping[str, Any]) -> None:
        kind, record = str(item["l"]), item["r"]
        if kind in self.counts:
            self.counts[kind] += 1
        self.named.update(ACCOUNT_ID.findall(json.dumps(record)))
        if kind == "accounts":
            self.accounts.append(record)
            return
        if kind == "gaps":
            self.gaps.append(record)
            return
        if kind == "policies" and _admits_anyone(record.get("document")):
            self.anyone = True
        account = record.get("account")
        if kind == "policies" and str(record.get("kind")) in ORG_POLICY_KINDS:
            self.scps = True  # its account is the management account's, not where it applies
            return
        if kind == "policies" and account is None and str(record.get("kind")) == "aws-managed":
            self.only_org = False  # the same document wherever it is held: links nothing
            return
        self.only_org = False
        if kind in SCOPED_LISTS and account and record.get("provider") == "aws":
            self.owners.add(str(account))
            if kind == "identities":
                self.identities[str(account)] = self.identities.get(str(account), 0) + 1
            return
        if kind == "exposures" and account:
            self.owners.add(str(account))
            return
        self.unscoped = True

    def links(self, url: str) -> ShardLinks:
        return ShardLinks(
            url=url,
            owners=frozenset(self.owners),
            named=frozenset(self.named),
            anyone=self.anyone,
            unscoped=self.unscoped or (self.scps and not self.only_org),
            org_wide=self.only_org and not self.anyone,
            counts=self.counts,
            identities_by_account=self.identities,
            accounts=tuple(self.accounts),
            gaps=tuple(self.gaps),
        )


def read_links(url: str, items: Iterable[Mapping[str, Any]]) -> ShardLinks:
    """The summary of a shard's items (``ShardStore.read``)."""
    reading = _Reading()
    for item in items:
        reading.add(item)
    return reading.links(url)


def _admits_anyone(document: Any) -> bool:
    if not isinstance(document, Mapping):
        return False
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    for statement in statements if isinstance(statements, list) else ():
        if not isinstance(statement, Mapping):
            continue
        if "NotPrincipal" in statement or _any_principal(statement.get("Principal")):
            return True
    return False


def _any_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any(_any_principal(v) for v in principal.values())
    if isinstance(principal, list):
        return any(v == "*" for v in principal)
    return False


@dataclass(frozen=True, slots=True, kw_only=True)
class Grouping:
    """The analysis groups, as lists of shard indexes (in shard order, groups ordered by
    their first shard), and the org-wide shards every group reads. ``whole``: why every
    account is in one group, when a shard joined them all (None otherwise)."""

    groups: tuple[tuple[int, ...], ...]
    org_wide: tuple[int, ...]
    whole: str | None = None


def group_shards(links: Sequence[ShardLinks]) -> Grouping:
    """Join the shards whose accounts are linked (see the module's text)."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    org = tuple(i for i, link in enumerate(links) if link.org_wide)
    scoped = [i for i, link in enumerate(links) if not link.org_wide]
    for i in scoped:
        parent.setdefault(f"shard:{i}", f"shard:{i}")
        for account in links[i].owners:
            parent.setdefault(account, account)
    whole = _joins_all(links, scoped)
    for i in scoped:
        node = f"shard:{i}"
        if whole is not None:
            union(node, f"shard:{scoped[0]}")
            continue
        for account in links[i].owners | (links[i].named & parent.keys()):
            union(node, account)
    members: dict[str, list[int]] = {}
    for i in scoped:
        members.setdefault(find(f"shard:{i}"), []).append(i)
    groups = sorted((tuple(m) for m in members.values()), key=lambda g: g[0])
    if not groups and org:
        groups = [()]
    return Grouping(groups=tuple(groups), org_wide=org, whole=whole)


def _joins_all(links: Sequence[ShardLinks], scoped: Sequence[int]) -> str | None:
    for i in scoped:
        link = links[i]
        if link.anyone:
            return f"{link.url}: a trust or resource policy admits any principal"
        if link.unscoped:
            return f"{link.url}: records of no account (repositories, exposures, other clouds)"
    return None
