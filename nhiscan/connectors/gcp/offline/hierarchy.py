"""Where each asset sits: organizations, folders and projects, from ``ancestors`` (closest first)
or, for lines without them (forseti's dumps), from ``resource.parent`` and the data's ``parent``.

Nodes are named ``organizations/N``, ``folders/N`` and ``projects/PROJECT_ID`` (a project number
is replaced by its id wherever the export tells which id it has).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from nhiscan.connectors.gcp.offline.shape import Asset
from nhiscan.connectors.gcp.offline.types import FOLDER, ORGANIZATION, PROJECT

CRM = "//cloudresourcemanager.googleapis.com/"
_V1_PARENT = {"organization": "organizations", "folder": "folders", "project": "projects"}


def short_name(full_name: str) -> str:
    """``projects/acme/serviceAccounts/x`` of ``//iam.googleapis.com/projects/acme/...``."""
    return full_name.split("/", 3)[3] if full_name.startswith("//") else full_name


def _named_project(full_name: str) -> str | None:
    """The project a resource name names (``//iam.googleapis.com/projects/P/...``)."""
    parts = short_name(full_name).split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "projects" else None


def _data_parent(data: Mapping[str, Any] | None) -> str | None:
    parent = (data or {}).get("parent")
    if isinstance(parent, str) and "/" in parent:
        return parent
    if isinstance(parent, Mapping) and parent.get("type") in _V1_PARENT and parent.get("id"):
        return f"{_V1_PARENT[parent['type']]}/{parent['id']}"
    return None


@dataclass(slots=True)
class Hierarchy:
    project_ids: dict[str, str] = field(default_factory=dict)  # number -> id
    parent_of: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # node -> displayName
    nodes: dict[str, None] = field(default_factory=dict)  # every node seen, in order

    def node(self, name: str) -> str:
        """``name`` with a known project number replaced by the project's id."""
        kind, _, value = name.partition("/")
        if kind == "projects" and value in self.project_ids:
            return f"projects/{self.project_ids[value]}"
        return name

    def chain(self, node: str) -> tuple[str, ...]:
        """The nodes above ``node``, root first."""
        above: list[str] = []
        current = self.node(node)
        while current in self.parent_of and len(above) < 64:
            current = self.node(self.parent_of[current])
            above.append(current)
        return tuple(reversed(above))

    def project_of(self, asset: Asset) -> str | None:
        """The project id an asset belongs to; None when the export does not place it."""
        named = _named_project(asset.name)
        if named is None and asset.ancestors and asset.ancestors[0].startswith("projects/"):
            named = asset.ancestors[0].split("/", 1)[1]
        if named is None and asset.data and isinstance(asset.data.get("projectId"), str):
            named = asset.data["projectId"]
        return None if named is None else self.node(f"projects/{named}").split("/", 1)[1]

    def root_of(self, node: str) -> str:
        chain = self.chain(node)
        return chain[0] if chain else self.node(node)


def build(assets: Iterable[Asset]) -> Hierarchy:
    hierarchy = Hierarchy()
    assets = list(assets)
    for asset in assets:
        _learn_project_id(hierarchy, asset)
    for asset in assets:
        _learn_parents(hierarchy, asset)
    return hierarchy


def _learn_project_id(hierarchy: Hierarchy, asset: Asset) -> None:
    data = asset.data or {}
    number, project = data.get("projectNumber"), data.get("projectId")
    if asset.asset_type == PROJECT and isinstance(project, str):
        if number is None:
            number = short_name(asset.name).split("/")[-1]
        if str(number) != project:
            hierarchy.project_ids[str(number)] = project
        return
    named = _named_project(asset.name) or (project if isinstance(project, str) else None)
    if named and asset.ancestors and asset.ancestors[0].startswith("projects/"):
        number = asset.ancestors[0].split("/", 1)[1]
        if number.isdigit() and not named.isdigit():
            hierarchy.project_ids.setdefault(number, named)


def _learn_parents(hierarchy: Hierarchy, asset: Asset) -> None:
    chain = [hierarchy.node(n) for n in asset.ancestors]
    for child, parent in pairwise(chain):
        hierarchy.parent_of.setdefault(child, parent)
    for node in reversed(chain):
        if not node.startswith("projects/") or node == chain[0]:
            hierarchy.nodes.setdefault(node)
    if asset.asset_type in (ORGANIZATION, FOLDER, PROJECT):
        own = hierarchy.node(_own_node(asset))
        hierarchy.nodes.setdefault(own)
        above = _data_parent(asset.data)
        if above is None and asset.parent is not None and asset.parent.startswith(CRM):
            above = short_name(asset.parent)
        if above is not None and own != hierarchy.node(above):
            hierarchy.parent_of.setdefault(own, above)
        display = _display_name(asset.data or {})
        if display is not None:
            hierarchy.names[own] = display


def _display_name(data: Mapping[str, Any]) -> str | None:
    """``displayName`` (v3), or a v1 project's ``name`` (its display name there)."""
    for key in ("displayName", "name"):
        value = data.get(key)
        if isinstance(value, str) and "/" not in value:
            return value
    return None


def _own_node(asset: Asset) -> str:
    data = asset.data or {}
    if asset.asset_type == PROJECT and isinstance(data.get("projectId"), str):
        return f"projects/{data['projectId']}"
    return short_name(asset.name)


def placed(asset: Asset, hierarchy: Hierarchy) -> bool:
    """Whether the export says where the asset sits (a project, folder or organization)."""
    if asset.asset_type in (ORGANIZATION, FOLDER, PROJECT) or asset.ancestors:
        return True
    first = short_name(asset.name).split("/")[0]
    return first in ("organizations", "folders") or hierarchy.project_of(asset) is not None
