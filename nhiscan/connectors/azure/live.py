"""``AzureConnector``: collect an Entra ID tenant live through Microsoft Graph, read-only,
every refused, unlicensed or throttled call a ``CollectionGap`` naming the tenant and the Graph
operation (docs/dev/azure-plan.md 6.1, 6.2).

1. ``clients.Clients``: the credential, the tenant (``--azure-tenant`` or the token's ``tid``),
   the Graph client built as plan 2a says.
2. ``graph.Graph``: the tenant's lists in one event loop (msgraph-sdk is asyncio-only, plan
   0.3), per-object calls bounded by ``graph_concurrency``.
3. ``entra.to_records``: the same mapping as the offline reader's.
4. The ARM half (subscriptions, Azure RBAC, managed identities' compute) is the seam
   ``_arm``: not built yet, it records one gap per tenant saying so, so no report reads as if
   Azure RBAC had been scanned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nhiscan.connectors.azure.calls import Caller, asyncio_sleep
from nhiscan.connectors.azure.clients import Clients
from nhiscan.connectors.azure.entra import to_records
from nhiscan.connectors.azure.graph import Graph, TenantData
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, Record

ARM_OPERATION = "arm:subscriptions"


@dataclass(frozen=True, slots=True, kw_only=True)
class AzureConfig:
    tenant: str | None = None  # None: the credentials' tenant
    graph_concurrency: int = 4  # Graph calls in flight at once
    retries: int = 5  # retries of a throttled call
    retry_delay: float = 1.0  # seconds before the first retry without Retry-After


class AzureConnector:
    def __init__(
        self, config: AzureConfig, *, clients: Clients | None = None,
        sleep: Callable[[float], Any] = asyncio_sleep,
    ) -> None:  # fmt: skip
        self._config = config
        self._clients = clients
        self._sleep = sleep

    @property
    def sources(self) -> tuple[str, ...]:
        return (f"azure:{self._config.tenant or 'tenant of the credentials'}",)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        clients = self._clients or Clients.from_environment()
        ctx.progress("azure: checking credentials")
        tenant = clients.tenant(self._config.tenant)
        ctx.progress(f"azure {tenant}: Microsoft Graph")
        data = asyncio.run(self._graph(clients, tenant, ctx.progress))
        yield from to_records(data, tenant, ctx.now)
        yield from self._arm(clients, tenant, ctx.now)

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

    def _arm(self, clients: Clients, tenant: str, now: datetime) -> Iterator[Record]:
        """The ARM half's seam: subscriptions, management groups, role assignments and
        definitions, deny assignments, managed identities and their compute (plan 6.3)."""
        del clients, now
        yield CollectionGap(
            provider=Provider.AZURE, scope=tenant, operation=ARM_OPERATION,
            reason=GapReason.FAILED,
            detail="not collected: live ARM collection (subscriptions, Azure role assignments, "
            "managed identities' compute) is not built yet; read it offline with "
            "--azure-export DIR",
        )  # fmt: skip
