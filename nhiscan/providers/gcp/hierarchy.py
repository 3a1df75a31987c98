"""The resource hierarchy of one estate: organization -> folders -> projects -> resources.

Scope ids are a project's id (``acme-prod``: what the records' ``account`` and SA e-mails
use), ``folders/N`` and ``organizations/N``. Ancestry comes from ``Account.parents`` (root
first) and ``gcp-folder`` resources; a project named by number maps through
``Account.native_id``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nhiscan.providers.gcp.ids import (
    CRM,
    FULL_NAME,
    GcpIds,
    project_of_path,
    sa_email,
    scope_name,
)
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Provider, ResourceKind

SCOPE_KINDS = {"organizations": "organization", "folders": "folder", "projects": "project"}
# Cloud Asset Inventory names a bucket //storage.googleapis.com/BUCKET; IAM and GcpIds name it
# //storage.googleapis.com/projects/_/buckets/BUCKET (an object: …/objects/NAME).
CAI_BUCKET = re.compile(r"^//storage\.googleapis\.com/(?!projects/)([^/]+)(/objects/.+)?$")


def canonical(value: str) -> str:
    """A bucket's (or object's) full name in the ``projects/_/buckets/`` form."""
    found = CAI_BUCKET.match(value)
    if found is None:
        return value
    return f"//storage.googleapis.com/projects/_/buckets/{found.group(1)}{found.group(2) or ''}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    id: str
    kind: str  # organization, folder, project
    parent: str | None
    label: str


class Hierarchy:
    def __init__(self, estate: Estate) -> None:
        self._estate = estate
        self.numbers: dict[str, str] = {}  # project number -> project id
        self.nodes: dict[str, Node] = {}
        self._records = {canonical(r): r for r in estate.resources if CAI_BUCKET.match(r)}
        for account in estate.snapshot.accounts:
            if account.provider is not Provider.GCP:
                continue
            if account.native_id:
                self.numbers[account.native_id] = account.id
            self._chain((*account.parents, account.id), account.name)
        for resource in estate.resources.values():
            if resource.provider is Provider.GCP and resource.kind is ResourceKind.GCP_FOLDER:
                parent = resource.account if resource.account != resource.id else None
                self._add(resource.id, parent, resource.name)

    def _chain(self, chain: tuple[str, ...], label: str | None) -> None:
        for index, scope in enumerate(chain):
            parent = chain[index - 1] if index else None
            self._add(scope, parent, label if index == len(chain) - 1 else None)

    def _add(self, scope: str, parent: str | None, label: str | None) -> None:
        known = self.nodes.get(scope)
        kind = SCOPE_KINDS.get(scope.split("/", 1)[0], "project") if "/" in scope else "project"
        self.nodes[scope] = Node(
            id=scope,
            kind=kind,
            parent=parent if parent is not None else (known.parent if known else None),
            label=label or (known.label if known else scope),
        )

    def scope_id(self, value: str) -> str | None:
        """The scope id of a scope given in any spelling (None: not a scope)."""
        name = scope_name(value)
        if name is None:
            return None
        if name.startswith("projects/"):
            project = name.removeprefix("projects/")
            return self.numbers.get(project, project)
        return name

    def key(self, value: str) -> str:
        """Where bindings on ``value`` are filed: its scope id, its SA e-mail, or itself."""
        return self.scope_id(value) or sa_email(value) or canonical(value)

    def ancestors(self, scope: str) -> list[str]:
        """``scope`` and its ancestors, nearest first."""
        found = [scope]
        node = self.nodes.get(scope)
        while node is not None and node.parent is not None and node.parent not in found:
            found.append(node.parent)
            node = self.nodes.get(node.parent)
        return found

    def chain(self, resource: str) -> list[str]:
        """The keys whose policies apply to ``resource``: itself, then its project and above."""
        key = self.key(resource)
        if self.scope_id(resource) is not None:
            return self.ancestors(key)
        resource = canonical(resource)
        found = [key]
        container = GcpIds().container_of(resource)  # an object's bucket, a table's dataset
        if container is not None:
            found.append(container)
        project = self.project_of(container or resource)
        return found if project is None else [*found, *self.ancestors(project)]

    def project_of(self, resource: str) -> str | None:
        email = sa_email(resource)
        if email is not None:
            identity = self._estate.identities.get(email)
            if identity is not None:
                return identity.account
        record = self._estate.resources.get(self._records.get(resource, resource))
        if record is not None:
            return record.account
        full = FULL_NAME.match(resource)
        project = project_of_path(full.group(2) if full else resource.removeprefix(CRM))
        if project is None and email is not None:
            return GcpIds().scope_of(email)
        return None if project is None else self.numbers.get(project, project)
