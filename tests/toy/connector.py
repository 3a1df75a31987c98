"""``ToyConnector``: the toy cloud's collection, yielding its records as a real connector does,
and its spec (``--toy-tenant``), registered by ``tests/toy/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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


def bot_id(tenant: str, name: str) -> str:
    return f"toy://{tenant}/bot/{name}"


def box_id(tenant: str, name: str) -> str:
    return f"toy://{tenant}/box/{name}"


class ToyConnector:
    """One tenant with one box ("plans"): a bot "builder" with a stale token and a grant to
    read every box, a bot "fresh" with no grant, and a bot "keeper" holding ``toy.admin`` on the
    tenant; the last two made their tokens and used them yesterday."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant

    @property
    def sources(self) -> tuple[str, ...]:
        return (f"toy:{self.tenant}",)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        yield Account(provider=TOY, id=self.tenant, name=f"toy tenant {self.tenant}")
        read = self._grant("read", {READ: [box_id(self.tenant, "*")]})
        admin = self._grant("admin", {ADMIN: [tenant_id(self.tenant)]})
        yield read
        yield admin
        plans = box_id(self.tenant, "plans")
        yield Resource(provider=TOY, id=plans, name="plans", kind=BOX, account=self.tenant)
        stale = ctx.now - timedelta(days=STALE_DAYS)
        yesterday = ctx.now - timedelta(days=1)
        yield from self._bot("builder", stale, (read.id,))
        yield from self._bot("fresh", yesterday, ())
        yield from self._bot("keeper", yesterday, (admin.id,))

    def _grant(self, name: str, permissions: Mapping[str, list[str]]) -> Policy:
        return Policy(
            provider=TOY,
            id=f"toy://{self.tenant}/grant/{name}",
            name=name,
            kind=GRANT,
            account=self.tenant,
            document={"permissions": dict(permissions)},
        )

    def _bot(self, name: str, when: datetime, policies: tuple[str, ...]) -> Iterator[Record]:
        identity = bot_id(self.tenant, name)
        yield Identity(
            provider=TOY,
            id=identity,
            name=name,
            kind=BOT,
            account=self.tenant,
            created=when,
            policies=policies,
            tags={"owner": "team-toys"},
        )
        yield Credential(
            provider=TOY,
            id=f"tt-{name}",
            identity=identity,
            kind=TOKEN,
            account=self.tenant,
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
            help="Collect the toy cloud's TENANT.",
        ),
    ),
    section=ToySettings,
    build=build,
)
