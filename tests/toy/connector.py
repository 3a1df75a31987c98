"""``ToyConnector``: the toy cloud's collection, yielding its records as a real connector does,
and its spec (``--toy-tenant``), registered by ``tests/toy/conftest.py``.

It is ``Splittable`` (issue #21): ``--toy-tenant acme,globex`` collects two tenants, and on a
cluster each tenant is one work unit (``collect_tenant``, run on a worker process), as an AWS
account is; the records are the same either way."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nhiscan.cluster.units import Split, UnitContext, WorkUnit
from nhiscan.connectors.base import CollectContext, Connector, ConnectorSpec, OptionSpec
from nhiscan.scanner.model import (
    Account,
    Credential,
    CredentialStatus,
    Identity,
    Policy,
    Record,
    Resource,
)
from tests.toy.provider import ADMIN, BOT, BOX, GRANT, READ, TOKEN, TOY, tenant_id

STALE_DAYS = 400  # the builder bot's token: created and last used this long ago
UNREACHABLE = "NHISCAN_TOY_UNREACHABLE"
HANGING = "NHISCAN_TOY_HANGING"
HANG = 120.0  # seconds: longer than any test waits


def bot_id(tenant: str, name: str) -> str:
    return f"toy://{tenant}/bot/{name}"


def box_id(tenant: str, name: str) -> str:
    return f"toy://{tenant}/box/{name}"


class ToyConnector:
    """Each tenant (``tenant`` names one, or several joined by commas) with one box ("plans"):
    a bot "builder" with a stale token and a grant to read every box, a bot "fresh" with no
    grant, and a bot "keeper" holding ``toy.admin`` on the tenant; the last two made their
    tokens and used them yesterday."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.tenants = tuple(tenant.split(","))

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(f"toy:{tenant}" for tenant in self.tenants)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        for tenant in self.tenants:
            yield from tenant_records(tenant, ctx.now)

    def split(self, ctx: UnitContext) -> Split:
        del ctx
        return Split(units=tuple(tenant_unit(tenant) for tenant in self.tenants))


def tenant_unit(tenant: str) -> WorkUnit:
    return WorkUnit(kind="toy-tenant", key=tenant, label=f"toy tenant {tenant}", provider=TOY,
                    task=collect_tenant, payload=tenant)  # fmt: skip


def collect_tenant(tenant: str, ctx: UnitContext) -> Iterator[Record]:
    """One tenant's unit, on a worker. For the tests of faults on worker processes (which
    inherit the environment, not a monkeypatch): a tenant named in ``$NHISCAN_TOY_UNREACHABLE``
    fails as an account whose role cannot be assumed, one in ``$NHISCAN_TOY_HANGING`` hangs."""
    if tenant in os.environ.get(UNREACHABLE, "").split(","):
        raise PermissionError(f"AccessDenied: cannot assume the role of toy tenant {tenant}")
    if tenant in os.environ.get(HANGING, "").split(","):
        time.sleep(HANG)
    return tenant_records(tenant, ctx.now)


def tenant_records(tenant: str, now: datetime) -> Iterator[Record]:
    yield Account(provider=TOY, id=tenant, name=f"toy tenant {tenant}")
    read = _grant(tenant, "read", {READ: [box_id(tenant, "*")]})
    admin = _grant(tenant, "admin", {ADMIN: [tenant_id(tenant)]})
    yield read
    yield admin
    plans = box_id(tenant, "plans")
    yield Resource(provider=TOY, id=plans, name="plans", kind=BOX, account=tenant)
    stale = now - timedelta(days=STALE_DAYS)
    yesterday = now - timedelta(days=1)
    yield from _bot(tenant, "builder", stale, (read.id,))
    yield from _bot(tenant, "fresh", yesterday, ())
    yield from _bot(tenant, "keeper", yesterday, (admin.id,))


def _grant(tenant: str, name: str, permissions: Mapping[str, list[str]]) -> Policy:
    return Policy(
        provider=TOY,
        id=f"toy://{tenant}/grant/{name}",
        name=name,
        kind=GRANT,
        account=tenant,
        document={"permissions": dict(permissions)},
    )


def _bot(tenant: str, name: str, when: datetime, policies: tuple[str, ...]) -> Iterator[Record]:
    identity = bot_id(tenant, name)
    yield Identity(
        provider=TOY,
        id=identity,
        name=name,
        kind=BOT,
        account=tenant,
        created=when,
        policies=policies,
        tags={"owner": "team-toys"},
    )
    yield Credential(
        provider=TOY,
        id=f"tt-{name}",
        identity=identity,
        kind=TOKEN,
        account=tenant,
        status=CredentialStatus.ACTIVE,
        created=when,
        last_used=when,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ToySettings:
    tenant: str | None = None


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    toy: ToySettings = sections["toy"]
    return ToyConnector(values["toy_tenant"] or toy.tenant or "acme")


SPEC = ConnectorSpec(
    name="toy",
    options=(
        OptionSpec(
            flag="--toy-tenant",
            dest="toy_tenant",
            metavar="TENANT",
            help="Collect the toy cloud's TENANT (several: joined by commas).",
        ),
    ),
    section=ToySettings,
    build=build,
)
