"""The export folder, one entry per part: the file (or folder of per-object files) the reader
reads, the az command that writes it (``tools/azure-export.sh`` runs them; a test checks the
script writes every part and no other), and whether a scan can go on without it.

Issue #15 item 2 lists the folder; ``management-groups.json`` is the root group's tree (``show
--expand --recurse``: ``list`` has no parents) and ``directory-role-eligibilities.json`` is
Graph's ``roleEligibilitySchedules`` (PIM eligibilities, v1.0); the optional
``directory-role-definitions.json`` is Graph's ``roleDefinitions`` (``unifiedRoleDefinition``:
built-in and custom directory roles with their ``allowedResourceActions``; without it a custom
role an assignment names is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Shape(StrEnum):
    OBJECT = "object"  # one JSON object (az ... show)
    LIST = "list"  # a JSON list (az ... list)
    PAGE = "page"  # a Graph collection: {"value": [...]}, fully paged (no @odata.nextLink)


@dataclass(frozen=True, slots=True, kw_only=True)
class Part:
    path: str  # "account.json", or "app-owners/" for a folder of <id>.json files
    command: str  # the az command that writes it ("<id>": the object's id)
    shape: Shape
    required: bool = True
    per: str | None = None  # a folder's files are named by this id
    what: str = ""  # what is unknown without it (a gap's words)

    @property
    def folder(self) -> bool:
        return self.path.endswith("/")


GRAPH = "https://graph.microsoft.com/v1.0"

PARTS: tuple[Part, ...] = (
    Part(path="account.json", command="az account show", shape=Shape.OBJECT),
    Part(path="subscriptions.json", command="az account list --all", shape=Shape.LIST),
    Part(path="applications.json", command="az ad app list --all", shape=Shape.LIST),
    Part(path="service-principals.json", command="az ad sp list --all", shape=Shape.LIST),
    Part(path="role-definitions.json", command="az role definition list", shape=Shape.LIST),
    Part(
        path="role-assignments/",
        per="subscriptionId",
        shape=Shape.LIST,
        command="az role assignment list --all --subscription <id>",
        what="role assignments of the subscription (Azure RBAC)",
    ),
    Part(
        path="directory-role-assignments.json",
        shape=Shape.PAGE,
        command=f"az rest --url {GRAPH}/roleManagement/directory/roleAssignments (every page)",
    ),
    Part(
        path="app-owners/",
        per="appId",
        shape=Shape.LIST,
        required=False,
        command="az ad app owner list --id <id>",
        what="owners of applications (no application is called ownerless without them)",
    ),
    Part(
        path="sp-owners/",
        per="servicePrincipalId",
        shape=Shape.LIST,
        required=False,
        command="az ad sp owner list --id <id>",
        what="owners of service principals (no service principal is called ownerless without them)",
    ),
    Part(
        path="app-role-assignments/",
        per="servicePrincipalId",
        shape=Shape.PAGE,
        required=False,
        command=f"az rest --url {GRAPH}/servicePrincipals/<id>/appRoleAssignments (every page)",
        what="app roles granted to service principals (Microsoft Graph application permissions)",
    ),
    Part(
        path="federated-credentials/",
        per="appId",
        shape=Shape.LIST,
        required=False,
        command="az ad app federated-credential list --id <id>",
        what="federated identity credentials of applications",
    ),
    Part(
        path="management-groups.json",
        shape=Shape.OBJECT,
        required=False,
        command="az account management-group show --name <tenantId> --expand --recurse",
        what="the management groups above each subscription",
    ),
    Part(
        path="directory-role-eligibilities.json",
        shape=Shape.PAGE,
        required=False,
        command=f"az rest --url {GRAPH}/roleManagement/directory/roleEligibilitySchedules"
        " (every page)",
        what="eligible (PIM) directory role assignments",
    ),
    Part(
        path="directory-role-definitions.json",
        shape=Shape.PAGE,
        required=False,
        command=f"az rest --url {GRAPH}/roleManagement/directory/roleDefinitions (every page)",
        what="directory role definitions (custom directory roles and what they allow are "
        "unknown: only built-in roles are resolved, from nhiscan's table)",
    ),
)

BY_PATH = {part.path: part for part in PARTS}


def operation(part: Part) -> str:
    """The gap operation of a part the export lacks."""
    return f"azure-export:{part.path.rstrip('/').removesuffix('.json')}"
