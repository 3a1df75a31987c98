"""``AzureActivityLogConnector``: what identities did, from Azure Activity Log exports
(``--azure-activity-log``) and Entra sign-in exports (``--entra-signin-log``); the formats are
in ``activity_wire``. Within the activity window, yields one ``ActivitySummary`` per caller,
then one ``ActivityScope`` per location (``accounts``: the subscriptions of the Activity Log's
resources, the tenants of the sign-ins). A service principal's account is its tenant, so an
Activity Log alone covers none (it says nothing of the subscriptions it was not exported from);
a tenant's sign-in export covers its service principals and managed identities.

Activity Log:
- The caller: the token's object id claim (``objectidentifier`` / ``oid``), lower-case: the
  service principal's or managed identity's object id, which is the Azure inventory's identity
  id (``connectors/azure/records``); a ``managed-identity`` when the token carries
  ``xms_mirid``, a ``user`` when it names a ``upn`` (or ``idtyp`` user), else a
  ``service-principal``. Without claims, ``caller`` when it is an object id or an e-mail.
- The action: the operation name, which is the Azure RBAC operation the call needed
  (``Microsoft.Storage/storageAccounts/write``), spelled as the Azure catalogue spells it
  (``providers/azure/catalog``: operations compare without regard to case, and the storage
  export writes them upper-case); an operation the catalogue lacks is kept as written.
  ``event`` keeps the log's spelling; the resource is the lower-case ARM id.
- Refused: a failed operation (``resultType`` Failure, ``status`` Failed) whose failure is
  ``AuthorizationFailed`` (or ``LinkedAuthorizationFailed``, or a ``Forbidden`` sub-status); any
  other failure passed authorization. An operation's Started and Succeeded events are two
  events.
- Events of other categories than Administrative (Policy, Autoscale, ServiceHealth,
  ResourceHealth, Alert, Recommendation, Security) are Azure acting for itself: counted apart by
  category, as are events whose caller is a service name.

Entra sign-ins: each sign-in is one use of the resource it signed in to, with the action
``signin:<resource id>`` (the resource application's id; ``event`` is ``signin:<its display
name>``): a sign-in, not an RBAC permission, so no plan or grant spells it. A failed sign-in
(``status.errorCode`` not 0) is refused, its error code kept. Service principal and managed
identity sign-ins are named by ``servicePrincipalId`` (the inventory's id); a person's by
``userId``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from nhiscan.connectors.activity_window import Window
from nhiscan.connectors.auditlog.reader import Export, read_export
from nhiscan.connectors.auditlog.summary import (
    Aggregator,
    BadEntry,
    Counters,
    Tally,
    Who,
    bound,
    stamp,
)
from nhiscan.connectors.azure.activity_wire import (
    ACTIVITY,
    SIGN_INS,
    ActivityRecord,
    Claims,
    Named,
    SignIn,
)
from nhiscan.connectors.base import CollectContext
from nhiscan.providers.azure.catalog import AzureCatalog, default_catalog
from nhiscan.providers.azure.ids import GUID, SUBSCRIPTION
from nhiscan.scanner.model import Provider, Record

ACTIVITY_FLAG = "--azure-activity-log"
SIGN_IN_FLAG = "--entra-signin-log"
SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")
# insights-activity-logs/resourceId=/SUBSCRIPTIONS/<id>/y=2026/m=11/d=01/h=10/m=00/PT1H.json
_DAY = re.compile(r"/y=(\d{4})/m=(\d{2})/d=(\d{2})/")
_ADMINISTRATIVE = "administrative"
_FAILED = frozenset({"failure", "failed"})
_REFUSALS = (b"AuthorizationFailed", b"LinkedAuthorizationFailed")
_MANAGED = frozenset({"managedidentitysigninlogs"})
_APPLICATION = frozenset({"serviceprincipalsigninlogs"})
SIGN_IN = "signin"


@dataclass(frozen=True, slots=True, kw_only=True)
class AzureActivityLogConfig:
    activity_logs: tuple[str, ...] = ()
    sign_in_logs: tuple[str, ...] = ()
    window: Window = field(default_factory=Window)
    samples: int = 3  # sample events kept per (action, resource, outcome)
    set_limit: int = 20  # source IPs and user agents kept per summary


class AzureActivityLogConnector:
    def __init__(self, config: AzureActivityLogConfig) -> None:
        self._config = config

    @property
    def sources(self) -> tuple[str, ...]:
        config = self._config
        return (
            *(f"azure-activity-log:{location}" for location in config.activity_logs),
            *(f"entra-signin-log:{location}" for location in config.sign_in_logs),
        )

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        config = self._config
        window = config.window.bounds(ctx.as_of or ctx.now)
        aggregator = Aggregator(Provider.AZURE, samples=config.samples,
                                set_limit=config.set_limit)  # fmt: skip
        since, until = bound(window[0]), bound(window[1])
        gaps: list[Record] = []
        scopes: list[Record] = []
        exports = (
            (Export(
                name="azure-activity-log", flag=ACTIVITY_FLAG, provider=Provider.AZURE,
                suffixes=SUFFIXES, day=_DAY, decoders=ACTIVITY,
                expected="an Activity Log record (an object with time or eventTimestamp)",
                add=_Activity(aggregator, since, until).add,
            ), config.activity_logs),
            (Export(
                name="entra-signin-log", flag=SIGN_IN_FLAG, provider=Provider.AZURE,
                suffixes=SUFFIXES, day=_DAY, decoders=SIGN_INS,
                expected="an Entra sign-in (a Graph signIn object or its diagnostic record)",
                add=_SignIns(aggregator, since, until).add,
            ), config.sign_in_logs),
        )  # fmt: skip
        for export, locations in exports:
            found_gaps, found_scopes = read_export(export, locations, window, ctx,
                                                   samples=config.samples,
                                                   set_limit=config.set_limit)  # fmt: skip
            gaps.extend(found_gaps)
            scopes.extend(found_scopes)
        yield from gaps
        yield from aggregator.summaries()
        yield from scopes


def _text(value: str | Named | None) -> str | None:
    return value.value if isinstance(value, Named) else value


def _flat(records: list[ActivityRecord]) -> Iterator[tuple[int, ActivityRecord]]:
    for number, record in enumerate(records, 1):
        if record.records is not None:
            for inner in record.records:
                yield number, inner
        else:
            yield number, record


class _Activity:
    def __init__(self, aggregator: Aggregator, since: str, until: str) -> None:
        self._aggregator = aggregator
        self._since = since
        self._until = until
        self._catalog: AzureCatalog = default_catalog()
        self._actions: dict[str, str] = {}

    def add(self, records: list[ActivityRecord], source: str, counters: Counters) -> None:
        for number, record in _flat(records):
            moment = record.time or record.eventTimestamp
            if moment is None:
                raise BadEntry(number, "an Activity Log record with neither time nor "
                                       "eventTimestamp")  # fmt: skip
            time = stamp(moment, number)
            if not self._since <= time < self._until:
                continue
            counters.events += 1
            resource = (record.resourceId or "").lower()
            subscription = SUBSCRIPTION.match(resource)
            if subscription is not None:
                counters.accounts.add(subscription[1])
            category = _text(record.category)
            if category is not None and category.lower() != _ADMINISTRATIVE:
                counters.service[category] += 1
                continue
            who = _caller(record)
            if isinstance(who, str):
                if who.startswith("("):
                    counters.unattributed[who] += 1
                else:
                    counters.service[who] += 1
                continue
            kind = self._aggregator.tally(who)
            self._use(kind, record, resource or "*", time, source, counters)
            ip = record.callerIpAddress
            if ip is None and record.httpRequest is not None:
                ip = record.httpRequest.clientIpAddress
            self._aggregator.seen(kind, ip, None)

    def _use(
        self, kind: Tally, record: ActivityRecord, resource: str, time: str, source: str,
        counters: Counters,
    ) -> None:  # fmt: skip
        operation = _text(record.operationName)
        action = self._action(operation) if operation else None
        event = operation or "(no operationName)"
        if action is None:
            counters.unmapped[event] += 1
        self._aggregator.use(
            kind, action, event, resource, _refusal(record), time,
            record.eventDataId or record.correlationId or "", source,
            action.split("/", 1)[0] if action else "(unknown)",
        )  # fmt: skip

    def _action(self, operation: str) -> str:
        found = self._actions.get(operation)
        if found is None:
            info = self._catalog.info(operation)
            found = self._actions[operation] = info.name if info is not None else operation
        return found


def _refusal(record: ActivityRecord) -> str | None:
    status = record.resultType or _text(record.status) or ""
    if status.lower() not in _FAILED:
        return None
    signature = record.resultSignature or ""
    sub = _text(record.subStatus) or ""
    raw = bytes(record.properties)
    for code in _REFUSALS:
        if code in raw or code.decode() in signature:
            return code.decode()
    if "Forbidden" in sub or "Forbidden" in signature:
        return "Forbidden"
    return None


def _caller(record: ActivityRecord) -> Who | str:
    """The caller's ``Who``; else a service name (Azure acting for itself) or, in parentheses,
    why it is unattributed."""
    claims: Claims | None = record.claims
    if claims is None and record.identity is not None:
        claims = record.identity.claims
    oid = (claims.objectidentifier or claims.oid) if claims is not None else None
    if claims is not None and oid:
        tenant = claims.tenantid or claims.tid
        if claims.xms_mirid:
            principal = "managed-identity"
        elif claims.upn or (claims.idtyp or "").lower() == "user":
            principal = "user"
        else:
            principal = "service-principal"
        return Who(oid.lower(), principal, tenant.lower() if tenant else None)
    caller = record.caller
    if not caller:
        return "(no caller)"
    if GUID.match(caller):
        return Who(caller.lower(), "service-principal", None)
    if "@" in caller:
        return Who(caller.lower(), "user", None)
    return caller


class _SignIns:
    def __init__(self, aggregator: Aggregator, since: str, until: str) -> None:
        self._aggregator = aggregator
        self._since = since
        self._until = until

    def add(self, records: list[SignIn], source: str, counters: Counters) -> None:
        for number, record, category, tenant in _sign_ins(records):
            moment = record.createdDateTime or record.time
            if moment is None:
                raise BadEntry(number, "a sign-in with neither createdDateTime nor time")
            time = stamp(moment, number)
            if not self._since <= time < self._until:
                continue
            counters.events += 1
            tenant = tenant or record.resourceTenantId or record.homeTenantId
            if tenant:
                counters.accounts.add(tenant.lower())
            who = _signed_in(record, category, tenant)
            if isinstance(who, str):
                counters.unattributed[who] += 1
                continue
            code = record.status.errorCode if record.status is not None else None
            target = record.resourceId or ""
            kind = self._aggregator.tally(who)
            self._aggregator.use(
                kind, f"{SIGN_IN}:{target.lower() or '*'}",
                f"{SIGN_IN}:{record.resourceDisplayName or target or '(no resource)'}",
                target.lower() or "*", str(code) if code else None, time, record.id or "",
                source, SIGN_IN,
            )  # fmt: skip
            self._aggregator.seen(kind, record.ipAddress, record.userAgent)


def _sign_ins(records: list[SignIn]) -> Iterator[tuple[int, SignIn, str | None, str | None]]:
    """(record number, sign-in, category, tenant) of Graph objects, Graph answers
    (``value``) and diagnostic records (``properties``)."""
    for number, record in enumerate(records, 1):
        if record.value is not None:
            for inner in record.value:
                yield number, inner, None, None
        elif record.properties is not None:
            inner = record.properties
            if inner.createdDateTime is None and record.time is not None:
                inner.createdDateTime = record.time
            yield number, inner, record.category, record.tenantId
        else:
            yield number, record, record.category, record.tenantId


def _signed_in(record: SignIn, category: str | None, tenant: str | None) -> Who | str:
    kind = (category or "").lower()
    types = {t.lower() for t in record.signInEventTypes or ()}
    account = tenant.lower() if tenant else None
    if kind in _MANAGED or "managedidentity" in types:
        principal = "managed-identity"
    elif kind in _APPLICATION or "serviceprincipal" in types:
        principal = "service-principal"
    elif record.userId:
        return Who(record.userId.lower(), "user", account)
    elif record.servicePrincipalId:
        principal = "service-principal"
    else:
        return "(no signed-in principal)"
    if not record.servicePrincipalId:
        return "(application sign-in without servicePrincipalId)"
    return Who(record.servicePrincipalId.lower(), principal, account)
