"""The live Azure connector's options and its ``[azure]`` table (which subscriptions, how hard
to call Graph and ARM); not a default source: Azure is collected when ``--azure-tenant`` or
``--azure-subscription`` is given.

``--azure-subscription`` (repeatable) narrows the ARM half to those subscriptions, as ``[azure]
subscriptions`` does (the option wins when both are given); without either, every subscription
of the tenant the credentials can read is collected. Given alone, the tenant is the one of the
credentials. A subscription id that is not a GUID is a ConfigError (exit 2) naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.azure.shape import GUID
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionSpec
from nhiscan.errors import ConfigError


@dataclass(frozen=True, slots=True, kw_only=True)
class AzureSettings:
    subscriptions: tuple[str, ...] = ()  # the ARM half's subscriptions; (): all it can read
    graph_concurrency: int = field(default=4, metadata={"max": 32})  # Graph calls at once
    arm_concurrency: int = field(default=4, metadata={"max": 32})  # subscriptions at once
    retries: int = field(default=5, metadata={"max": 20})  # retries of a throttled call


def _asked(values: Mapping[str, Any]) -> bool:
    return bool(values.get("azure_tenant") or values.get("azure_subscriptions"))


def _subscriptions(found: Any, where: str) -> tuple[str, ...]:
    ids = tuple(str(s).strip().lower() for s in found or ())
    for sub in ids:
        if not GUID.fullmatch(sub):
            raise ConfigError(f"{where}: {sub!r} is not a subscription id (a GUID)")
    return ids


def check(values: Mapping[str, Any]) -> None:
    _subscriptions(values.get("azure_subscriptions"), "--azure-subscription")


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    cls = connector_class("azure")
    from nhiscan.connectors.azure.live import AzureConfig

    azure: AzureSettings = sections["azure"]
    asked = _subscriptions(values.get("azure_subscriptions"), "--azure-subscription")
    config = AzureConfig(
        tenant=values["azure_tenant"],
        subscriptions=asked or _subscriptions(azure.subscriptions, "[azure] subscriptions"),
        graph_concurrency=azure.graph_concurrency, arm_concurrency=azure.arm_concurrency,
        retries=azure.retries,
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
                   help="Azure subscription to collect through ARM (repeat; default: "
                   "all the credentials can read)."),
    ),
    section=AzureSettings,
    build=build,
    check=check,
    asked=_asked,
    order=33,  # after GCP, before the Azure export
)  # fmt: skip
