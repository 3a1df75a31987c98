"""One AWS account as a work unit (issue #21): what a worker needs to reach the account by
itself, and the task that collects it there.

The client checks each source's credentials and reads the organization once
(``AwsConnector.split``); each account then becomes a unit whose payload names the profile,
the endpoint, the roles to assume and the settings: a worker opens its own session, assumes the
roles and collects the account exactly as the unsplit collection does (``account_records``),
an AssumeRole refused being the same gap. The account's event history is read into a sink of
its own; its records go after every account's (``Later``) and the client merges them
(``lookup_merge``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nhiscan.cluster.units import Later, UnitContext
from nhiscan.connectors.aws.account import Plan, Target, account_records
from nhiscan.connectors.aws.clients import Clients
from nhiscan.connectors.aws.last_accessed import AccessAdvisorConfig
from nhiscan.connectors.aws.lookup_events import LookupConfig, LookupSink
from nhiscan.connectors.aws.org import OrgView, to_account
from nhiscan.connectors.aws.sources import Start, assume, default_session
from nhiscan.scanner.model import CollectionGap, Record

KIND = "aws-account"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountPayload:
    """One account to collect, as data a worker process receives (no client, no session)."""

    account: str
    partition: str
    profile: str | None  # None: the worker's default credential chain
    endpoint_url: str | None
    assume_role: str | None  # the source's role (--aws-assume-role), assumed first
    role_arn: str | None  # then this role in the account (the organization role of a member)
    regions: tuple[str, ...]
    max_workers: int
    lookup: LookupConfig | None
    last_accessed: AccessAdvisorConfig | None
    view: OrgView  # the organization as far as this account's record needs it


def collect_account_unit(payload: AccountPayload, ctx: UnitContext) -> Iterator[Record | Later]:
    """On a worker: the account's records, then its event history's, ``Later``."""
    clients = Clients(default_session(payload.profile), endpoint_url=payload.endpoint_url)
    if payload.assume_role is not None:
        start = Start(account=payload.account, partition=payload.partition, clients=clients)
        assumed = assume(start, payload.assume_role)
        if isinstance(assumed, CollectionGap):
            yield to_account(payload.account, payload.view)
            yield assumed
            return
        clients = assumed.clients
    lookup = payload.lookup
    sink = None if lookup is None else LookupSink(lookup, now=ctx.now, until=ctx.as_of)
    plan = Plan(regions=payload.regions, max_workers=payload.max_workers,
                progress=ctx.progress, now=ctx.now, lookup=sink,
                last_accessed=payload.last_accessed)  # fmt: skip
    target = Target(account=payload.account, partition=payload.partition, clients=clients,
                    role_arn=payload.role_arn)  # fmt: skip
    yield from account_records(target, payload.view, plan)
    if sink is not None:
        yield from (Later(record=record) for record in sink.records())
