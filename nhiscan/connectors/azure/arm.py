"""The subscription half of live Azure collection: Azure Resource Manager (docs/dev/azure-plan.md
3b, 6.3), I/O only, the mapping left to ``arm_records.py``.

Once per tenant: the tenant's name (``GET /tenants``, learn.microsoft.com/rest/api/resources/
tenants/list: ``displayName``, ``defaultDomain``, which ``az account show`` prints as
``tenantDisplayName``/``tenantDefaultDomain``); the subscriptions the credentials see
(``--azure-subscription`` / ``[azure] subscriptions`` narrow them; one asked for and not seen
is a gap, never scanned as empty);
the management groups (``list``: names) and the root group's descendants (parents; the root
is named by the tenant id); the role assignments ``atScope()`` of each management group; the
role definitions at the root group (built-in and custom roles assignable there: the built-in
roles' names and permissions; a tenant without management groups: at the first subscription;
when the call does not answer, the provider resolves built-in roles from its bundled catalogue,
and the gap says so).

Per subscription, in a thread pool of ``concurrency`` (azure-mgmt is synchronous over requests,
plan 0.3): every role assignment (no filter: every scope in it, and those inherited), its custom
role definitions, deny assignments, user-assigned identities and each one's federated
credentials, and the compute that carries identities: VMs and scale sets (azure-mgmt-compute),
App Service and Functions (azure-mgmt-web), Container Apps (azure-mgmt-appcontainers), AKS
(azure-mgmt-containerservice). Each list answers its JSON or its gap (``arm_calls``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from azure.mgmt.appcontainers import ContainerAppsAPIClient
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.managementgroups import ManagementGroupsMgmtClient
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.resource.subscriptions import SubscriptionClient
from azure.mgmt.web import WebSiteManagementClient

from nhiscan.connectors.azure import arm_calls as op
from nhiscan.connectors.azure import ids
from nhiscan.connectors.azure.arm_calls import ArmCaller
from nhiscan.connectors.azure.clients import Clients
from nhiscan.scanner.model import CollectionGap, GapReason, Provider

CUSTOM = "type eq 'CustomRole'"
AT_SCOPE = "atScope()"


def _quiet(message: str) -> None:
    del message


@dataclass(slots=True)
class SubscriptionData:
    """What ARM answered for one subscription: JSON as ARM sends it; None where the call did
    not answer (its gap is in ``gaps``)."""

    id: str
    role_assignments: list[Any] | None = None
    role_definitions: list[Any] | None = None  # custom roles
    deny_assignments: list[Any] | None = None
    identities: list[Any] | None = None  # user-assigned
    federated: dict[str, list[Any]] = field(default_factory=dict)  # identity id (lower) -> FICs
    compute: dict[str, list[Any] | None] = field(default_factory=dict)  # operation -> resources
    gaps: list[CollectionGap] = field(default_factory=list)


@dataclass(slots=True)
class ArmData:
    """What ARM answered for a tenant."""

    tenants: list[Any] | None = None  # GET /tenants: the tenant's display name and domain
    subscriptions: list[Any] = field(default_factory=list)  # the ones collected, ARM's JSON
    management_groups: list[Any] | None = None
    descendants: list[Any] | None = None  # of the root group
    root_definitions: list[Any] | None = None
    group_assignments: dict[str, list[Any]] = field(default_factory=dict)  # group id -> list
    per_subscription: list[SubscriptionData] = field(default_factory=list)
    gaps: list[CollectionGap] = field(default_factory=list)

    def all_gaps(self) -> list[CollectionGap]:
        found = list(self.gaps)
        for sub in self.per_subscription:
            found.extend(sub.gaps)
        return found


def root_group(tenant: str) -> str:
    """The root management group's ARM id (it is named by the tenant id)."""
    return f"/providers/Microsoft.Management/managementGroups/{tenant}"


class Arm:
    def __init__(
        self, clients: Clients, caller: ArmCaller, *, subscriptions: Sequence[str] = (),
        concurrency: int = 4, progress: Callable[[str], None] = _quiet,
    ) -> None:  # fmt: skip
        self.clients, self.caller, self.progress = clients, caller, progress
        self.asked = tuple(s.lower() for s in subscriptions)
        self.concurrency = max(1, concurrency)
        self.tenant = caller.tenant
        self.data = ArmData()

    def _list(
        self, lister: Callable[..., Any], operation: str, gaps: list[CollectionGap],
        subscription: str | None = None, subject: str | None = None,
    ) -> list[Any] | None:  # fmt: skip
        answer = self.caller.pages(
            lister, operation=operation, subscription=subscription, subject=subject
        )
        if answer.gap is not None:
            gaps.append(answer.gap)
            return None
        found: list[Any] = answer.value
        return found

    def collect(self) -> ArmData:
        d = self.data
        d.tenants = self._list(self.clients.arm(SubscriptionClient).tenants.list, op.TENANTS,
                               d.gaps)  # fmt: skip
        d.subscriptions = self.fetch_subscriptions()
        self.fetch_management_groups()
        self.progress(
            f"azure {self.tenant}: ARM: {len(d.subscriptions)} subscriptions, "
            f"{len(d.group_assignments)} management groups read"
        )
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            d.per_subscription = list(
                pool.map(self.fetch_subscription, [s["subscriptionId"] for s in d.subscriptions])
            )
        self.progress(f"azure {self.tenant}: ARM done, {len(d.all_gaps())} gaps")
        return d

    def fetch_subscriptions(self) -> list[Any]:
        """The subscriptions to collect (ARM's JSON): those of this tenant the credentials see,
        narrowed to the asked ones; an asked one not seen is a gap. When the list itself is
        refused, the asked ones are collected all the same (their calls say what is denied)."""
        client = self.clients.arm(SubscriptionClient)
        found = self._list(client.subscriptions.list, op.SUBSCRIPTIONS, self.data.gaps)
        if found is None:
            return [{"subscriptionId": s, "tenantId": self.tenant} for s in self.asked]
        ours: list[Any] = []
        others: list[Any] = []
        for sub in found:
            if not isinstance(sub, Mapping) or not isinstance(sub.get("subscriptionId"), str):
                continue  # mapped (and complained about) by arm_records
            home = str(sub.get("tenantId") or self.tenant).lower()
            (ours if home == self.tenant else others).append(sub)
        if others:
            self.progress(
                f"azure {self.tenant}: not collected, of other tenants (guest or Lighthouse "
                f"access): {', '.join(sorted(str(s['subscriptionId']) for s in others))}"
            )
        if not self.asked:
            return ours
        seen = {str(s["subscriptionId"]).lower(): s for s in ours}
        for sub in self.asked:
            if sub not in seen:
                self.data.gaps.append(CollectionGap(
                    provider=Provider.AZURE, scope=sub, operation=op.SUBSCRIPTIONS,
                    reason=GapReason.ACCESS_DENIED,
                    detail=f"tenant {self.tenant}, subscription {sub}: asked for, but not among "
                    "the subscriptions of this tenant the credentials can read (no role on it, "
                    "or another tenant's): not collected",
                ))  # fmt: skip
        return [seen[s] for s in self.asked if s in seen]

    def fetch_management_groups(self) -> None:
        d, gaps = self.data, self.data.gaps
        client = self.clients.arm(ManagementGroupsMgmtClient)
        d.management_groups = self._list(client.management_groups.list, op.MANAGEMENT_GROUPS, gaps)
        root = root_group(self.tenant)
        listed = {str(g.get("id", "")).lower() for g in d.management_groups or []
                  if isinstance(g, Mapping)}  # fmt: skip
        has_root = d.management_groups is None or root.lower() in listed
        if has_root:  # a tenant that never used management groups has no root to read
            d.descendants = self._list(
                lambda **kw: client.management_groups.get_descendants(self.tenant, **kw),
                op.MG_DESCENDANTS, gaps,
            )  # fmt: skip
        auth = self.clients.arm(AuthorizationManagementClient, self.tenant)
        # Built-in roles (assignable at "/") and the custom roles of the root group; without
        # a root group, those of the first subscription (its custom ones are listed again).
        first = [f"/subscriptions/{s['subscriptionId']}" for s in d.subscriptions[:1]]
        scope = root if has_root else (first[0] if first else None)
        if scope is None:
            d.root_definitions = []  # no group, no subscription: no assignment names a role
        else:
            d.root_definitions = self._list(
                lambda **kw: auth.role_definitions.list(scope, **kw), op.ROLE_DEFINITIONS, gaps,
                subject=scope.lower(),
            )  # fmt: skip
        for group in self._groups():
            found = self._list(
                lambda g=group, **kw: auth.role_assignments.list_for_scope(
                    g, filter=AT_SCOPE, **kw
                ),
                op.ROLE_ASSIGNMENTS, gaps, subject=group.lower(),
            )  # fmt: skip
            if found is not None:
                d.group_assignments[group.lower()] = found

    def _groups(self) -> list[str]:
        """Every management group id the two lists named, in the case ARM wrote it."""
        found: dict[str, str] = {}
        for entry in [*(self.data.management_groups or []), *(self.data.descendants or [])]:
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
                lowered = entry["id"].lower()
                if lowered.startswith(ids.MANAGEMENT_GROUP_PREFIX):
                    found.setdefault(lowered, entry["id"])
        return [found[k] for k in sorted(found)]

    def fetch_subscription(self, sub: str) -> SubscriptionData:
        self.progress(f"azure {self.tenant}: subscription {sub}")
        s = SubscriptionData(id=sub.lower())
        scope = f"/subscriptions/{sub}"
        auth = self.clients.arm(AuthorizationManagementClient, sub)
        s.role_assignments = self._list(
            auth.role_assignments.list_for_subscription, op.ROLE_ASSIGNMENTS, s.gaps, sub
        )
        s.role_definitions = self._list(
            lambda **kw: auth.role_definitions.list(scope, filter=CUSTOM, **kw),
            op.ROLE_DEFINITIONS, s.gaps, sub,
        )  # fmt: skip
        s.deny_assignments = self._list(
            auth.deny_assignments.list, op.DENY_ASSIGNMENTS, s.gaps, sub
        )
        self._identities(sub, s)
        self._compute(sub, s)
        return s

    def _identities(self, sub: str, s: SubscriptionData) -> None:
        msi = self.clients.arm(ManagedServiceIdentityClient, sub)
        s.identities = self._list(
            msi.user_assigned_identities.list_by_subscription, op.IDENTITIES, s.gaps, sub
        )
        for identity in s.identities or []:
            arm = identity.get("id") if isinstance(identity, Mapping) else None
            group = ids.resource_group_of(arm.lower()) if isinstance(arm, str) else None
            if not isinstance(arm, str) or group is None:
                continue  # arm_records names the malformed entry
            rg, name = ids.last_segment(ids.in_case(arm, group)), ids.last_segment(arm)
            found = self._list(
                lambda rg=rg, name=name, **kw: msi.federated_identity_credentials.list(
                    rg, name, **kw
                ),
                op.FEDERATED, s.gaps, sub, subject=arm.lower(),
            )  # fmt: skip
            if found is not None:
                s.federated[arm.lower()] = found

    def _compute(self, sub: str, s: SubscriptionData) -> None:
        compute = self.clients.arm(ComputeManagementClient, sub)
        web = self.clients.arm(WebSiteManagementClient, sub)
        apps = self.clients.arm(ContainerAppsAPIClient, sub)
        aks = self.clients.arm(ContainerServiceClient, sub)
        listers: tuple[tuple[str, Callable[..., Any]], ...] = (
            (op.VMS, compute.virtual_machines.list_all),
            (op.SCALE_SETS, compute.virtual_machine_scale_sets.list_all),
            (op.WEB_APPS, web.web_apps.list),
            (op.CONTAINER_APPS, apps.container_apps.list_by_subscription),
            (op.CLUSTERS, aks.managed_clusters.list),
        )
        for operation, lister in listers:
            s.compute[operation] = self._list(lister, operation, s.gaps, sub)
