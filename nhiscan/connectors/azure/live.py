"""``AzureConnector``: collect an Entra ID tenant live through Microsoft Graph and its
subscriptions through Azure Resource Manager, read-only, every refused, unlicensed or throttled
call a ``CollectionGap`` naming the tenant (and subscription) and the operation
(docs/dev/azure-plan.md 6.1-6.3).

1. ``clients.Clients``: the credential, the tenant (``--azure-tenant`` or the token's ``tid``),
   the Graph client built as plan 2a says.
2. ``graph.Graph``: the tenant's lists in one event loop (msgraph-sdk is asyncio-only, plan
   0.3), per-object calls bounded by ``graph_concurrency``.
3. ``entra.to_records``: the same mapping as the offline reader's.
4. ``arm.Arm``: the ARM half (subscriptions, management groups, Azure RBAC, deny
   assignments, user-assigned identities, the compute carrying identities), synchronous
   azure-mgmt clients in a thread pool of ``arm_concurrency`` over subscriptions.
5. ``arm_records``: the ARM answers mapped with the offline reader's own code, merged with
   the Graph half's records (identities get their Azure role assignments).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from nhiscan.connectors.azure import arm_records
from nhiscan.connectors.azure.arm import Arm
from nhiscan.connectors.azure.arm_calls import ArmCaller
from nhiscan.connectors.azure.calls import Caller, asyncio_sleep
from nhiscan.connectors.azure.clients import Clients
from nhiscan.connectors.azure.entra import to_records
from nhiscan.connectors.azure.graph import Graph, TenantData
from nhiscan.connectors.azure.shape import ShapeError
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import Record


@dataclass(frozen=True, slots=True, kw_only=True)
class AzureConfig:
    tenant: str | None = None  # None: the credentials' tenant
    subscriptions: tuple[str, ...] = ()  # () : every subscription of the tenant it can read
    graph_concurrency: int = 4  # Graph calls in flight at once
    arm_concurrency: int = 4  # subscriptions collected at once
    retries: int = 5  # retries of a throttled call
    retry_delay: float = 1.0  # seconds before the first retry without Retry-After


class AzureConnector:
    def __init__(
        self, config: AzureConfig, *, clients: Clients | None = None,
        sleep: Callable[[float], Any] = asyncio_sleep,
        arm_sleep: Callable[[float], Any] | None = None,
    ) -> None:  # fmt: skip
        """``sleep``: the Graph half's wait (awaited when it returns an awaitable);
        ``arm_sleep``: the ARM half's (synchronous), by default ``time.sleep``, or ``sleep``
        itself when that is not the default (a test's recorder serves both)."""
        self._config = config
        self._clients = clients
        self._sleep = sleep
        self._arm_sleep = arm_sleep or (time.sleep if sleep is asyncio_sleep else sleep)

    @property
    def sources(self) -> tuple[str, ...]:
        return (f"azure:{self._config.tenant or 'tenant of the credentials'}",)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        clients = self._clients or Clients.from_environment()
        ctx.progress("azure: checking credentials")
        tenant = clients.tenant(self._config.tenant)
        ctx.progress(f"azure {tenant}: Microsoft Graph")
        data = asyncio.run(self._graph(clients, tenant, ctx.progress))
        entra = to_records(data, tenant, ctx.now)
        ctx.progress(f"azure {tenant}: Azure Resource Manager")
        arm = self._arm(clients, tenant, ctx.progress)
        yield from arm_records.merge(entra, arm)

    async def _graph(
        self, clients: Clients, tenant: str, progress: Callable[[str], None]
    ) -> TenantData:
        client = clients.graph()
        c = self._config
        caller = Caller(
            adapter=client.request_adapter, tenant=tenant, host=clients.graph_host,
            retries=c.retries, delay=c.retry_delay, sleep=self._sleep,
        )  # fmt: skip
        graph = Graph(caller, v1=clients.v1, beta=clients.beta,
                      concurrency=c.graph_concurrency, progress=progress)  # fmt: skip
        return await graph.collect()

    def _arm(
        self, clients: Clients, tenant: str, progress: Callable[[str], None]
    ) -> arm_records.ArmRecords:
        """Subscriptions, management groups, role assignments and definitions, deny
        assignments, managed identities and their compute (plan 6.3), mapped."""
        c = self._config
        caller = ArmCaller(
            tenant=tenant, host=clients.arm_host, retries=c.retries, delay=c.retry_delay,
            sleep=self._arm_sleep,
        )  # fmt: skip
        data = Arm(clients, caller, subscriptions=c.subscriptions,
                   concurrency=c.arm_concurrency, progress=progress).collect()  # fmt: skip
        try:
            return arm_records.to_records(data, tenant)
        except ShapeError as exc:
            return arm_records.ArmRecords(
                gaps=[*data.all_gaps(), arm_records.mapping_gap(tenant, exc)]
            )
