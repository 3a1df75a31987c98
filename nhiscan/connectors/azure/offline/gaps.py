"""The ``not-in-export`` gaps of an Azure export: the optional parts it lacks (a whole folder,
or one object's file in it) and what no az CLI export in this layout holds (last sign-in,
deny assignments, group members, which compute carries a user-assigned identity). Each gap
once per scope, operation and subject, naming the folder and the command that fills it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from nhiscan.connectors.azure.offline.layout import BY_PATH, operation
from nhiscan.scanner.model import CollectionGap, GapReason, Provider

if TYPE_CHECKING:
    from nhiscan.connectors.azure.offline.folder import Export
    from nhiscan.connectors.azure.rbac import Assignment

HINT = "collect live (--azure-tenant) to include them"

# (operation, what no export holds), per tenant. The sign-in operations are the Graph beta
# reports the live connector reads (providers.md: the facts' last-used gap operations).
TENANT_ONLY_LIVE: tuple[tuple[str, str], ...] = (
    ("servicePrincipalSignInActivities", "last sign-in of service principals"),
    ("appCredentialSignInActivities", "last use of application credentials"),
    ("azure-export:group-members", "members of the groups that hold roles"),
)
# ... and per subscription.
SUBSCRIPTION_ONLY_LIVE: tuple[tuple[str, str], ...] = (
    ("azure-export:deny-assignments", "deny assignments"),
    (
        "azure-export:managed-identity-attachments",
        "record of the compute each user-assigned managed identity is attached to (the "
        "resources' identity blocks; a system-assigned identity names its own resource)",
    ),
    ("azure-export:managed-identity-federated-credentials",
     "federated credentials of user-assigned managed identities"),
)  # fmt: skip


class Gaps:
    def __init__(self, export: Export, tenant: str) -> None:
        self._export = export
        self._tenant = tenant
        self._gaps: dict[tuple[str, str, str | None], CollectionGap] = {}
        for op, what in TENANT_ONLY_LIVE:
            self._add(tenant, op, f"an az CLI export holds no {what}; {HINT}")

    def _add(self, scope: str, op: str, detail: str, subject: str | None = None) -> None:
        self._gaps.setdefault((scope, op, subject), CollectionGap(
            provider=Provider.AZURE, scope=scope, operation=op, reason=GapReason.NOT_IN_EXPORT,
            detail=detail, subject=subject,
        ))  # fmt: skip

    def missing(self, path: str, subject: str | None = None) -> None:
        """An optional part the export lacks: the whole file or folder, or one object's file."""
        part = BY_PATH[path]
        where = self._export.folder / part.path
        if subject is None or not (where.is_dir()):
            subject = None
            detail = f"{where} is not in the export: no {part.what}; write it with `{part.command}`"
        else:
            detail = (
                f"{where}{subject}.json is not in the export: no {part.what} for this object; "
                f"write it with `{part.command.replace('<id>', subject)}`"
            )
        self._add(self._tenant, operation(part), detail, subject)

    def subscription(self, subscription: str) -> None:
        for op, what in SUBSCRIPTION_ONLY_LIVE:
            self._add(subscription, op, f"an az CLI export holds no {what}; {HINT}")
        folder = self._export.folders.get("role-assignments/", {})
        if subscription not in folder:
            part = BY_PATH["role-assignments/"]
            self._add(
                subscription, operation(part),
                f"{self._export.folder / part.path}{subscription}.json is not in the export: "
                f"no {part.what}; write it with `{part.command.replace('<id>', subscription)}`",
            )  # fmt: skip

    def role_definition(self, assignment: Assignment) -> None:
        self._add(
            self._tenant, "azure-export:role-definitions",
            f"role assignment {assignment.policy.id} names role definition {assignment.role}, "
            "which role-definitions.json does not hold (`az role definition list` lists the "
            "roles of the current subscription: a custom role of another scope may be missing)",
            subject=assignment.role,
        )  # fmt: skip

    def directory_role_definition(self, role: str, policy: str) -> None:
        """A directory role assignment naming a role ``directory-role-definitions.json`` lacks:
        what it allows is unknown unless it is a built-in role nhiscan's table lists."""
        self._add(
            self._tenant, "azure-export:directory-role-definitions",
            f"{policy} names directory role definition {role}, which "
            "directory-role-definitions.json does not hold (written before the role was "
            "created?): a custom role's allowed actions are unknown; export it again",
            subject=role,
        )  # fmt: skip

    def records(self) -> Iterator[CollectionGap]:
        yield from self._gaps.values()
