"""The live Azure connector's options and its ``[azure]`` table (how hard to call Graph); not
a default source: Azure is collected when ``--azure-tenant`` is given.

``--azure-subscription`` names subscriptions for the ARM half (Azure RBAC, managed identities'
compute), which is not built yet: given, it is refused with a ConfigError (exit 2) rather than
accepted with a gap per subscription. A gap says "could not look"; here nothing would have been
tried, and a CI job passing without ``--strict`` would read as if the subscriptions had been
scanned. The refusal names what works today (the tenant's Entra ID live, ARM offline).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionSpec
from nhiscan.errors import ConfigError

ARM_NOT_BUILT = (
    "--azure-subscription: live ARM collection (Azure role assignments, managed identities' "
    "compute) is not built yet (issue #15): scan the tenant's Entra ID with --azure-tenant "
    "alone, and read subscriptions offline with --azure-export DIR"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AzureSettings:
    graph_concurrency: int = field(default=4, metadata={"max": 32})  # Graph calls at once
    retries: int = field(default=5, metadata={"max": 20})  # retries of a throttled call


def _asked(values: Mapping[str, Any]) -> bool:
    return bool(values.get("azure_tenant") or values.get("azure_subscriptions"))


def check(values: Mapping[str, Any]) -> None:
    if values.get("azure_subscriptions"):
        raise ConfigError(ARM_NOT_BUILT)


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    cls = connector_class("azure")
    from nhiscan.connectors.azure.live import AzureConfig

    azure: AzureSettings = sections["azure"]
    config = AzureConfig(
        tenant=values["azure_tenant"],
        graph_concurrency=azure.graph_concurrency, retries=azure.retries,
    )  # fmt: skip
    connector: Connector = cls(config)
    return connector


SPEC = ConnectorSpec(
    name="azure",
    options=(
        OptionSpec(flag="--azure-tenant", dest="azure_tenant", metavar="ID",
                   help="Entra ID tenant id: collect it live through Microsoft Graph."),
        OptionSpec(flag="--azure-subscription", dest="azure_subscriptions", multiple=True,
                   metavar="ID",
                   help="Azure subscription for ARM collection (repeat); not built yet: "
                   "refused."),
    ),
    section=AzureSettings,
    build=build,
    check=check,
    asked=_asked,
    order=33,  # after GCP, before the Azure export
)  # fmt: skip
