"""Assets to records (pure): the mapping of docs/dev/gcp-plan.md section 2.1.

Projects are ``Account`` records (id = project id, parents root-down, native_id = number) with a
``gcp-project`` resource; organizations and folders are resources; service accounts are
identities (id = e-mail; the mapping itself is ``connectors/gcp/records.py``, shared
with the live connector); keys are credentials (``sa-key`` or ``sa-system-key``); every allow
policy is an ``iam-allow`` policy attached to its resource's full name; custom roles are
``custom-role`` policies; a ``group:`` member of a binding is a ``Group``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

from nhiscan.connectors.gcp import records as shared
from nhiscan.connectors.gcp.offline.hierarchy import CRM, Hierarchy, short_name
from nhiscan.connectors.gcp.offline.shape import Asset
from nhiscan.connectors.gcp.offline.types import (
    POLICY_RESOURCE_KINDS,
    PROJECT,
    ROLE,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_KEY,
)
from nhiscan.scanner.model import Credential, Identity, Policy, Record, Resource

GCP = shared.GCP
IAM = shared.IAM


class Names:
    """Canonical full names: a project by its id, a service account by its e-mail."""

    def __init__(self, hierarchy: Hierarchy, assets: Mapping[str, Asset]) -> None:
        self.hierarchy = hierarchy
        self.emails: dict[str, str] = {}  # uniqueId -> e-mail
        for asset in assets.values():
            data = asset.data or {}
            if asset.asset_type == SERVICE_ACCOUNT and isinstance(data.get("email"), str):
                self.emails[short_name(asset.name).split("/")[-1]] = data["email"]
                if isinstance(data.get("uniqueId"), str):
                    self.emails[data["uniqueId"]] = data["email"]

    def email(self, account: str) -> str:
        return self.emails.get(account, account)

    def full(self, name: str) -> str:
        parts = short_name(name).split("/")
        if name.startswith(CRM) and len(parts) == 2 and parts[0] == "projects":
            return CRM + self.hierarchy.node(short_name(name))
        if name.startswith(IAM) and len(parts) >= 4 and parts[2] == "serviceAccounts":
            parts[3] = self.email(parts[3])
            return IAM + "/".join(parts)
        return name


def hierarchy_records(hierarchy: Hierarchy, policies: Mapping[str, str]) -> Iterator[Record]:
    """An account per project, a resource per organization, folder and project."""
    for node in hierarchy.nodes:
        kind, _, value = node.partition("/")
        chain = hierarchy.chain(node)
        name = hierarchy.names.get(node, node)
        if kind == "projects":
            number = next((n for n, i in hierarchy.project_ids.items() if i == value), None)
            yield shared.project_account(
                value, name=hierarchy.names.get(node), parents=chain,
                number=number or (value if value.isdigit() else None),
            )  # fmt: skip
            account = value
        else:
            account = chain[0] if chain else node
        resource = shared.node_resource(
            node, name=name, account=account, policy=policies.get(CRM + node)
        )
        if resource is not None:
            yield resource


def service_account(asset: Asset, project: str) -> Identity:
    data = asset.data or {}
    return shared.service_account(data, project, fallback=short_name(asset.name).split("/")[-1])


def key(asset: Asset, project: str, names: Names, now: datetime) -> Credential:
    data = dict(asset.data or {})
    data.setdefault("name", asset.name)
    parts = short_name(str(data["name"])).split("/")
    return shared.key(data, project, names.email(parts[3] if len(parts) > 3 else ""), now)


def workload_pool(asset: Asset, project: str) -> Policy:
    return shared.workload_pool(asset.data or {}, project, fallback=short_name(asset.name))


def workload_provider(asset: Asset, project: str) -> Policy:
    return shared.workload_provider(asset.data or {}, project, fallback=short_name(asset.name))


def custom_role(asset: Asset, project: str | None) -> Policy:
    return shared.custom_role(asset.data or {}, project, fallback=short_name(asset.name))


allow_policy = shared.allow_policy
groups = shared.groups


def policy_resource(asset: Asset, full_name: str, project: str) -> Resource | None:
    kind = POLICY_RESOURCE_KINDS.get(asset.asset_type)
    if kind is None:
        return None
    return Resource(
        provider=GCP, id=full_name, name=full_name.rsplit("/", 1)[-1], kind=kind, account=project,
        policy=f"{full_name}#iam" if asset.iam_policy is not None else None,
    )  # fmt: skip


def reads_resource(asset: Asset) -> bool:
    return asset.asset_type in (SERVICE_ACCOUNT, SERVICE_ACCOUNT_KEY, ROLE, PROJECT)
