"""``GcpConnector``: collect GCP live through the Google client libraries, read-only, every
refused, disabled or throttled call a ``CollectionGap`` naming the project and the method.

1. Scopes: ``--gcp-project`` ids as given (``projects.get`` for the number, name and parent),
   ``--gcp-folder`` / ``--gcp-organization`` expanded to every ACTIVE project below
   (``projects_below``: one function, so the Cloud Asset path can replace or feed it).
2. The folders and organization above each project, once each, with their allow policies,
   deny policies (and the organization's custom roles).
3. Each project on a bounded thread pool (``max_workers``): the project's allow policy,
   service accounts (every page), each account's keys and allow policy, custom roles, workload
   identity pools and their providers (issue #20), deny policies, then ``activity.enrich``
   (last use; also usable on records made elsewhere, e.g. from Cloud Asset data, with
   ``reasons=True`` to fill in keys' ``disableReason``).

A 404 of an account or key deleted between a list and a get is skipped. Records of a project
are yielded when the project is done, projects in the order they were planned.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.gcp import activity, assets, deny, hierarchy, iam
from nhiscan.connectors.gcp import records as to
from nhiscan.connectors.gcp.calls import Caller
from nhiscan.connectors.gcp.clients import Clients
from nhiscan.connectors.gcp.hierarchy import Tree
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    GapReason,
    Group,
    Identity,
    Provider,
    Record,
    Resource,
    ResourceKind,
)

LIST_ASSETS = "cloudasset.assets.listAssets"
SEARCH_POLICIES = "cloudasset.searchAllIamPolicies"
ABOVE_PROJECTS = (ResourceKind.GCP_ORGANIZATION, ResourceKind.GCP_FOLDER)


@dataclass(frozen=True, slots=True, kw_only=True)
class GcpConfig:
    projects: tuple[str, ...] = ()  # project ids
    folder: str | None = None  # "folders/N" or "N"
    organization: str | None = None  # "organizations/N" or "N"
    impersonate: str | None = None  # a service account e-mail
    quota_project: str | None = None  # the project quotas are charged to
    use_assets: bool = True  # folders and organizations through Cloud Asset (assets.py)
    max_workers: int = 8  # projects in parallel
    retries: int = 5  # retries of a throttled or failed call
    retry_delay: float = 1.0  # seconds before the first retry, doubled each time


def scope_node(kind: str, value: str) -> str:
    """``folders/N`` of ``N`` or ``folders/N``."""
    return value if value.startswith(f"{kind}/") else f"{kind}/{value}"


class GcpConnector:
    def __init__(self, config: GcpConfig, *, clients: Clients | None = None) -> None:
        self._config = config
        self._clients = clients

    @property
    def scopes(self) -> tuple[str, ...]:
        c = self._config
        found = [f"projects/{p}" for p in c.projects]
        if c.folder:
            found.append(scope_node("folders", c.folder))
        if c.organization:
            found.append(scope_node("organizations", c.organization))
        return tuple(found)

    @property
    def sources(self) -> tuple[str, ...]:
        via = f" as {self._config.impersonate}" if self._config.impersonate else ""
        return tuple(f"gcp:{scope}{via}" for scope in self.scopes)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        c = self._config
        clients = self._clients or Clients.from_environment(
            impersonate_account=c.impersonate, quota_project=c.quota_project
        )
        ctx.progress("gcp: checking credentials")
        clients.check()
        caller = Caller(retries=c.retries, delay=c.retry_delay)
        walk = Walk(clients=clients, caller=caller, now=ctx.now, tree=Tree())
        scopes, done = self.scopes, set[str]()
        if c.use_assets:
            for scope in scopes:
                if not scope.startswith("projects/"):
                    scanned = yield from asset_path(walk, scope, ctx, c.max_workers)
                    done.update(scanned)
            scopes = tuple(s for s in scopes if s not in done)
        projects = yield from walk.plan(scopes, ctx)
        projects = [p for p in projects if p not in walk.scanned]
        yield from walk.above(projects)
        with ThreadPoolExecutor(max_workers=max(1, c.max_workers)) as pool:
            futures = [pool.submit(walk.project, p, ctx) for p in projects]
            for future in futures:
                yield from walk.distinct(future.result())


def asset_path(
    walk: Walk, scope: str, ctx: CollectContext, workers: int
) -> Generator[Record, None, tuple[str, ...]]:
    """A folder or organization through Cloud Asset (``assets.py`` says when and why), then
    per project what Cloud Asset lacks: last use, keys' ``disableReason``, deny policies.
    Returns ``(scope,)`` when done; ``()`` when Cloud Asset refused: the refusal is a gap and
    the scope is walked project by project instead."""
    client = walk.clients.assets()
    ctx.progress(f"gcp {scope}: Cloud Asset Inventory")
    listed = walk.caller.call(
        lambda: list(assets.fetch_assets(client, scope, None)), scope=scope,
        operation=LIST_ASSETS,
    )  # fmt: skip
    searched = listed if listed.gap is not None else walk.caller.call(
        lambda: list(assets.fetch_policies(client, scope, None)), scope=scope,
        operation=SEARCH_POLICIES,
    )  # fmt: skip
    gap = listed.gap or searched.gap
    if gap is not None:
        yield replace(gap, detail=f"{gap.detail} (walking the projects of {scope} instead)")
        return ()
    scan = assets.build_scan(listed.value or [], searched.value or [], ctx.now)
    ctx.progress(f"gcp {scope}: {len(scan.projects)} active projects (Cloud Asset)")
    of_project: dict[str, list[Record]] = {p: [] for p in scan.projects}
    for record in scan.records:
        project = getattr(record, "account", None)
        if isinstance(record, (Identity, Credential)) and project in of_project:
            of_project[project].append(record)
        else:
            yield from walk.distinct((record,))
    yield from asset_denies(walk, scan.records)
    walk.scanned.update(scan.projects)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(walk.enriched, p, of_project[p], ctx) for p in scan.projects]
        for future in futures:
            yield from future.result()
    return (scope,)


def asset_denies(walk: Walk, records: tuple[Record, ...]) -> Iterator[Record]:
    """The deny policies of the organization, folders and projects a Cloud Asset scan found
    (Cloud Asset lists no deny rules)."""
    for record in records:
        if isinstance(record, Account) and record.provider is Provider.GCP:
            node = f"projects/{record.native_id or record.id}"
            yield from deny.fetch_deny(walk.clients, walk.caller, node, scope=record.id,
                                       project=record.id)  # fmt: skip
        elif isinstance(record, Resource) and record.kind in ABOVE_PROJECTS:
            yield from deny.fetch_deny(walk.clients, walk.caller, record.id, scope=record.id,
                                       project=None)  # fmt: skip


def projects_below(
    clients: Clients, caller: Caller, scope: str, tree: Tree
) -> tuple[list[str], list[CollectionGap]]:
    """The ids of every ACTIVE project below ``scope`` (``folders/N``, ``organizations/N``);
    the scope itself, its folders and projects are learned into ``tree``."""
    gaps: list[CollectionGap] = []
    own = hierarchy.fetch_node(clients, caller, scope)
    if own.gap is not None:
        gaps.append(own.gap)
    tree.learn(own.value or {"name": scope})
    found = hierarchy.expand(clients, caller, scope)
    for folder in found.folders:
        tree.learn(folder)
    return [tree.learn(p).removeprefix("projects/") for p in found.projects], gaps + found.gaps


@dataclass(slots=True, kw_only=True)
class Walk:
    clients: Clients
    caller: Caller
    now: datetime
    tree: Tree

    groups: set[str] = field(default_factory=set)  # Google groups yielded so far
    scanned: set[str] = field(default_factory=set)  # projects a Cloud Asset scan covered

    def enriched(self, project: str, records: list[Record], ctx: CollectContext) -> list[Record]:
        """A Cloud Asset scan's accounts and keys of one project with last use and disable
        reasons (run on a worker thread)."""
        ctx.progress(f"gcp {project}: last use (Policy Analyzer)")
        return list(activity.enrich(self.clients, self.caller, project, records, reasons=True))

    def plan(
        self, scopes: tuple[str, ...], ctx: CollectContext
    ) -> Generator[Record, None, list[str]]:
        """Yield the planning gaps; return the project ids to walk, each once."""
        projects: list[str] = []
        for scope in scopes:
            if scope.startswith("projects/"):
                project = scope.removeprefix("projects/")
                answer = hierarchy.fetch_project(self.clients, self.caller, project)
                if answer.missing:
                    yield not_found(project)
                    continue
                if answer.gap is not None:
                    yield answer.gap  # walked anyway: its accounts need no projects.get
                self.tree.learn(answer.value or {"name": scope, "projectId": project})
                projects.append(project)
                continue
            ctx.progress(f"gcp {scope}: listing projects")
            below, gaps = projects_below(self.clients, self.caller, scope, self.tree)
            yield from gaps
            ctx.progress(f"gcp {scope}: {len(below)} active projects")
            projects.extend(below)
        return list(dict.fromkeys(projects))

    def above(self, projects: list[str]) -> Iterator[Record]:
        """The folders and organizations above the projects, once each."""
        for project in projects:
            yield from hierarchy.fetch_ancestry(
                self.clients, self.caller, self.tree, f"projects/{project}"
            )
        nodes = {n: None for p in projects for n in self.tree.chain(f"projects/{p}")}
        for node in nodes:
            yield from self.distinct(self._node(node))

    def _node(self, node: str) -> Iterator[Record]:
        chain = self.tree.chain(node)
        account = chain[0] if chain else node
        policy = yield from self._allow(node, to.CRM + node, None, account)
        resource = to.node_resource(
            node, name=self.tree.label(node), account=account, policy=policy
        )
        if resource is not None:
            yield resource
        yield from deny.fetch_deny(self.clients, self.caller, node, scope=node, project=None)
        if node.startswith("organizations/"):
            roles, gap = iam.fetch_custom_roles(self.clients, self.caller, node)
            yield from (to.custom_role(r, None) for r in roles)
            if gap is not None:
                yield gap

    def _allow(
        self, node: str, full_name: str, project: str | None, account: str
    ) -> Generator[Record, None, str | None]:
        """The allow policy of a node and the groups it names; returns its id (None: none)."""
        answer = hierarchy.fetch_policy(self.clients, self.caller, node)
        if answer.gap is not None:
            yield answer.gap
        if not (answer.value or {}).get("bindings"):
            return None
        policy = to.allow_policy(full_name, answer.value or {}, project)
        yield policy
        yield from to.groups(policy.document, account)
        return policy.id

    def project(self, project: str, ctx: CollectContext) -> list[Record]:
        """Everything of one project (run on a worker thread)."""
        node = f"projects/{project}"
        item = self.tree.nodes.get(node, {})
        number = str(item["name"]).removeprefix("projects/") if item.get("projectId") else None
        chain = self.tree.chain(node)
        found: list[Record] = [
            to.project_account(project, name=item.get("displayName"), number=number, parents=chain)
        ]
        root = chain[0] if chain else project
        policy = yield_into(found, self._allow(node, to.CRM + node, project, root))
        resource = to.node_resource(
            node, name=self.tree.label(node), account=project, policy=policy
        )
        found.extend([resource] if resource is not None else [])
        found.extend(self._accounts(project, root, ctx))
        roles, gap = iam.fetch_custom_roles(self.clients, self.caller, node)
        found.extend(to.custom_role(r, project) for r in roles)
        found.extend([gap] if gap is not None else [])
        pools, providers, pool_gaps = iam.fetch_workload_pools(self.clients, self.caller, project)
        found.extend(to.workload_pool(p, project) for p in pools)
        found.extend(to.workload_provider(p, project) for p in providers)
        found.extend(pool_gaps)
        found.extend(deny.fetch_deny(self.clients, self.caller, f"projects/{number or project}",
                                     scope=project, project=project))  # fmt: skip
        ctx.progress(f"gcp {project}: last use (Policy Analyzer)")
        return list(activity.enrich(self.clients, self.caller, project, found))

    def _accounts(self, project: str, root: str, ctx: CollectContext) -> Iterator[Record]:
        accounts, gap = iam.fetch_service_accounts(self.clients, self.caller, project)
        ctx.progress(f"gcp {project}: {len(accounts)} service accounts")
        if gap is not None:
            yield gap
        for data in accounts:
            identity = to.service_account(data, project)
            keys = iam.fetch_keys(self.clients, self.caller, project, identity.id)
            policy = iam.fetch_sa_policy(self.clients, self.caller, project, identity.id)
            if keys.missing or policy.missing:
                continue  # deleted since it was listed
            yield identity
            for key in keys.value or []:
                yield to.key(key, project, identity.id, self.now)
            for answer in (keys, policy):
                if answer.gap is not None:
                    yield answer.gap
            if (policy.value or {}).get("bindings"):
                full_name = f"{to.IAM}{iam.sa_name(project, identity.id)}"
                allow = to.allow_policy(full_name, policy.value or {}, project)
                yield allow
                yield from to.groups(allow.document, root)

    def distinct(self, records: Any) -> Iterator[Record]:
        """``records`` with each Google group once (many policies name the same group)."""
        for record in records:
            if isinstance(record, Group):
                if record.id in self.groups:
                    continue
                self.groups.add(record.id)
            yield record


def not_found(project: str) -> CollectionGap:
    return CollectionGap(
        provider=Provider.GCP, scope=project, operation="cloudresourcemanager.projects.get",
        reason=GapReason.FAILED,
        detail=f"project {project!r} does not exist (projects.get answered 404): give the "
        f"project id (not its name or number); it was not collected",
    )  # fmt: skip


def yield_into(found: list[Record], steps: Any) -> Any:
    """Run a generator that yields records and returns a value: the records go to ``found``."""
    while True:
        try:
            found.append(next(steps))
        except StopIteration as done:
            return done.value
