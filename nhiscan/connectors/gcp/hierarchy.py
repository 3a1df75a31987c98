"""Resource Manager v3 over REST: projects, their folder and organization ancestry, a folder
or organization expanded to every ACTIVE project below it (folders recursively, every page),
and the allow policies (version 3: with IAM Conditions) of organizations, folders and projects.

``fetch_*`` do the calls (each through ``Caller``: a refusal is a gap); ``to_*`` are pure.
Objects are kept in their REST JSON form (camelCase), the form the offline reader reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]

from nhiscan.connectors.gcp.calls import Answer, Caller
from nhiscan.connectors.gcp.clients import Clients
from nhiscan.scanner.model import CollectionGap

RM = "cloudresourcemanager"
KINDS = {"organizations": "organizations", "folders": "folders", "projects": "projects"}
MAX_DEPTH = 32  # folders nest at most 10 deep; a loop in answers must not hang the scan


def to_json(message: Any) -> dict[str, Any]:
    """A proto-plus message (Project, Folder, Organization, deny Policy) as its REST JSON."""
    found: dict[str, Any] = type(message).to_dict(
        message, use_integers_for_enums=False, preserving_proto_field_name=False
    )
    return found


def policy_json(policy: Any) -> dict[str, Any]:
    """A ``google.iam.v1.Policy`` (a plain protobuf message) as its REST JSON."""
    found: dict[str, Any] = json_format.MessageToDict(policy)
    return found


def scope_of(node: str) -> str:
    """A gap's scope for a node: the project id, else ``folders/N`` / ``organizations/N``."""
    return node.removeprefix("projects/")


def fetch_project(clients: Clients, caller: Caller, project: str) -> Answer[dict[str, Any]]:
    """A project by id; ``missing`` when there is none (a 404: a typo, or deleted)."""
    return caller.call(
        lambda: to_json(clients.projects().get_project(name=f"projects/{project}", retry=None)),
        scope=project, operation=f"{RM}.projects.get", missing_ok=True,
    )  # fmt: skip


def fetch_node(clients: Clients, caller: Caller, node: str) -> Answer[dict[str, Any]]:
    """A folder (``folders/N``) or an organization (``organizations/N``)."""
    if node.startswith("folders/"):
        get: Any = clients.folders().get_folder
        operation = f"{RM}.folders.get"
    else:
        get = clients.organizations().get_organization
        operation = f"{RM}.organizations.get"
    return caller.call(lambda: to_json(get(name=node, retry=None)), scope=node, operation=operation)


def fetch_policy(clients: Clients, caller: Caller, node: str) -> Answer[dict[str, Any]]:
    """The allow policy of ``projects/ID``, ``folders/N`` or ``organizations/N``, version 3."""
    kind = node.split("/", 1)[0]
    client: Any = {
        "projects": clients.projects, "folders": clients.folders,
        "organizations": clients.organizations,
    }[kind]()  # fmt: skip
    request = {"resource": node, "options": {"requested_policy_version": 3}}
    return caller.call(
        lambda: policy_json(client.get_iam_policy(request=request, retry=None)),
        scope=scope_of(node), operation=f"{RM}.{kind}.getIamPolicy",
    )  # fmt: skip


@dataclass(slots=True)
class Expansion:
    """What was found below a folder or organization."""

    projects: list[dict[str, Any]] = field(default_factory=list)  # ACTIVE ones only
    folders: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[CollectionGap] = field(default_factory=list)


def expand(clients: Clients, caller: Caller, scope: str) -> Expansion:
    """Every ACTIVE project below ``scope`` (``folders/N`` or ``organizations/N``), through
    its folders recursively; a refused list is a gap naming the parent it was for."""
    found = Expansion()
    parents, seen = [scope], {scope}
    while parents:
        parent = parents.pop(0)
        projects = _list(clients, caller, parent, "projects", found.gaps)
        found.projects.extend(p for p in projects if p.get("state") == "ACTIVE")
        for folder in _list(clients, caller, parent, "folders", found.gaps):
            name = str(folder.get("name"))
            if folder.get("state") == "ACTIVE" and name not in seen and len(seen) < 100_000:
                seen.add(name)
                found.folders.append(folder)
                parents.append(name)
    return found


def _list(
    clients: Clients, caller: Caller, parent: str, kind: str, gaps: list[CollectionGap]
) -> list[dict[str, Any]]:
    client: Any = clients.projects() if kind == "projects" else clients.folders()
    method = client.list_projects if kind == "projects" else client.list_folders
    answer = caller.call(
        lambda: [to_json(item) for item in method(parent=parent, retry=None)],
        scope=parent, operation=f"{RM}.{kind}.list",
    )  # fmt: skip
    if answer.gap is not None:
        gaps.append(answer.gap)
    return answer.value or []


@dataclass(slots=True)
class Tree:
    """Organizations, folders and projects as learned: node -> its REST JSON."""

    nodes: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)  # project number -> id

    def learn(self, item: Mapping[str, Any]) -> str:
        """Remember a project, folder or organization; its node name."""
        name = str(item.get("name") or "")
        if name.startswith("projects/") and item.get("projectId"):
            self.numbers[name.removeprefix("projects/")] = str(item["projectId"])
            name = f"projects/{item['projectId']}"
        self.nodes[name] = item
        return name

    def parent(self, node: str) -> str | None:
        parent = self.nodes.get(node, {}).get("parent")
        return str(parent) if isinstance(parent, str) and "/" in parent else None

    def chain(self, node: str) -> tuple[str, ...]:
        """The nodes above ``node``, root first (as far as they are known)."""
        above: list[str] = []
        current = self.parent(node)
        while current is not None and current not in above and len(above) < MAX_DEPTH:
            above.append(current)
            current = self.parent(current)
        return tuple(reversed(above))

    def missing_above(self, node: str) -> str | None:
        """The first ancestor of ``node`` whose own record is not known yet."""
        current = self.parent(node)
        seen: set[str] = set()
        while current is not None and current not in seen:
            if current not in self.nodes:
                return current
            seen.add(current)
            current = self.parent(current)
        return None

    def label(self, node: str) -> str:
        item = self.nodes.get(node, {})
        return str(item.get("displayName") or node)


def fetch_ancestry(
    clients: Clients, caller: Caller, tree: Tree, node: str
) -> Iterator[CollectionGap]:
    """Fetch the folders and organization above ``node`` not yet in ``tree``; a refused get
    is a gap and the chain stops there (the project's parents are then partial)."""
    for _ in range(MAX_DEPTH):
        missing = tree.missing_above(node)
        if missing is None:
            return
        answer = fetch_node(clients, caller, missing)
        if answer.gap is not None:
            yield answer.gap
            tree.nodes[missing] = {"name": missing}  # known by name only: stop climbing here
        else:
            tree.learn(answer.value or {"name": missing})
