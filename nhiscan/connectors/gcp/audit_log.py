"""``GcpAuditLogConnector``: what identities did, from Cloud Audit Logs exported by Logging.

Reads every ``.json`` / ``.jsonl`` file (gzip allowed) of each ``--gcp-audit-log`` location:
the files a Cloud Storage sink writes under ``cloudaudit.googleapis.com/activity/YYYY/MM/DD/``
and ``cloudaudit.googleapis.com/data_access/YYYY/MM/DD/``, or what ``gcloud logging read
--format=json`` printed (https://cloud.google.com/logging/docs/export/storage, the entries:
``audit_wire``). Within the activity window, yields one ``ActivitySummary`` per caller, then one
``ActivityScope`` per location (``accounts``: the projects, folders and organizations whose logs
were read, from ``logName``, spelled as the GCP inventory spells an identity's account: a
project by its bare id, ``folders/N``, ``organizations/N``).

- The caller: ``authenticationInfo.principalEmail``. A service account (``…gserviceaccount.com``)
  is the inventory's id, its e-mail (``connectors/gcp/records``); when it was impersonated,
  ``serviceAccountDelegationInfo`` names the chain and its first, original caller is
  ``assumed_by`` (so an account acting on its own key and the same account impersonated by an
  agent are two summaries). Google-managed service agents (``providers/gcp/service_agents``)
  acting for themselves are counted apart by service, as CloudTrail's AWS services are. A person
  is a ``user``; a workload or workforce identity with no e-mail (``principalSubject``) a
  ``web-identity``; an entry naming no caller (a Data Access entry of another organization's
  caller is redacted) is unattributed.
- The actions: ``authorizationInfo[]``, the permissions IAM checked: each (permission,
  resource) is one use, so an entry checking two permissions counts twice (its summary's count
  is permission checks; the scope's ``events`` counts entries). A method with no
  ``authorizationInfo`` is unmapped (action None, counted by ``service:method``): no table
  guesses permissions from method names. Resources are full resource names
  (``//storage.googleapis.com/projects/_/buckets/b``), objects and tables folded into their
  bucket or dataset as the GCP provider spells them.
- Refused: ``status.code`` 7 (PERMISSION_DENIED) for the permissions not ``granted``.
- An entry that is not an AuditLog (another log in the same sink) is counted unattributed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from nhiscan.connectors.activity_window import Window
from nhiscan.connectors.auditlog.reader import Export, read_export
from nhiscan.connectors.auditlog.summary import Aggregator, Counters, Tally, Who, bound, stamp
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.gcp.audit_wire import (
    AUDIT_LOG,
    DECODERS,
    PERMISSION_DENIED,
    Authentication,
    LogEntry,
)
from nhiscan.providers.gcp.ids import CONTAINERS, SA_DOMAIN, SA_PROJECT
from nhiscan.providers.gcp.service_agents import service_agent
from nhiscan.scanner.model import Provider, Record

FLAG = "--gcp-audit-log"
SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")
_DAY = re.compile(r"/cloudaudit\.googleapis\.com/[a-z_]+/(\d{4})/(\d{2})/(\d{2})/[^/]+$")
_DENIED = "PERMISSION_DENIED"
_SCOPE = re.compile(r"^((?:projects|folders|organizations)/[^/]+)/logs/")


@dataclass(frozen=True, slots=True, kw_only=True)
class GcpAuditLogConfig:
    locations: tuple[str, ...]
    window: Window = field(default_factory=Window)
    samples: int = 3  # sample events kept per (action, resource, outcome)
    set_limit: int = 20  # source IPs and user agents kept per summary


class GcpAuditLogConnector:
    def __init__(self, config: GcpAuditLogConfig) -> None:
        self._config = config

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(f"gcp-audit-log:{location}" for location in self._config.locations)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        config = self._config
        since, until = config.window.bounds(ctx.as_of or ctx.now)
        aggregator = Aggregator(Provider.GCP, samples=config.samples, set_limit=config.set_limit)
        export = Export(
            name="gcp-audit-log", flag=FLAG, provider=Provider.GCP, suffixes=SUFFIXES, day=_DAY,
            decoders=DECODERS, expected="a Cloud Audit Logs entry (a LogEntry object)",
            add=_Reader(aggregator, bound(since), bound(until)).add,
        )  # fmt: skip
        gaps, scopes = read_export(export, config.locations, (since, until), ctx,
                                   samples=config.samples, set_limit=config.set_limit)  # fmt: skip
        yield from gaps
        yield from aggregator.summaries()
        yield from scopes


class _Reader:
    """Entries -> the aggregator's uses, within [since, until)."""

    def __init__(self, aggregator: Aggregator, since: str, until: str) -> None:
        self._aggregator = aggregator
        self._since = since
        self._until = until
        self._callers: dict[tuple[str | None, ...], Tally | str] = {}
        self._resources: dict[tuple[str, str], str] = {}
        self._scopes: dict[str | None, str] = {}  # logName -> its project, folder or organization
        self._services: dict[str, str] = {}

    def add(self, entries: list[LogEntry], source: str, counters: Counters) -> None:
        """The hot path: per entry, a few dictionary look-ups (its caller, its scope, each
        check's resource) and the aggregator's."""
        since, until, aggregator = self._since, self._until, self._aggregator
        scopes, accounts = self._scopes, counters.accounts
        for number, entry in enumerate(entries, 1):
            time = stamp(entry.timestamp, number)
            if not since <= time < until:
                continue
            counters.events += 1
            scope_of = scopes.get(entry.logName)
            if scope_of is None:
                scope_of = scopes[entry.logName] = _scope(entry.logName)
            if scope_of:
                accounts.add(scope_of)
            payload = entry.protoPayload
            if payload is None or payload.type != AUDIT_LOG:
                counters.unattributed["(not an AuditLog entry)"] += 1
                continue
            service = payload.serviceName or "(no service)"
            tally = self._caller(payload.authenticationInfo)
            if isinstance(tally, str):
                if tally == "service":
                    counters.service[service] += 1
                else:
                    counters.unattributed[tally] += 1
                continue
            method = f"{service}:{payload.methodName or '(no method)'}"
            status = payload.status
            failed = status is not None and status.code == PERMISSION_DENIED
            checks = payload.authorizationInfo
            if not checks:
                counters.unmapped[method] += 1
                aggregator.use(tally, None, method, self._resource(service, payload.resourceName),
                               _DENIED if failed else None, time, entry.insertId, source,
                               self._service(service))  # fmt: skip
            else:
                for check in checks:
                    permission = check.permission
                    if permission is None:
                        counters.unmapped[method] += 1
                    aggregator.use(
                        tally, permission, method,
                        self._resource(service, check.resource or payload.resourceName),
                        _DENIED if failed and check.granted is not True else None, time,
                        entry.insertId, source, self._service(permission or service),
                    )  # fmt: skip
            metadata = payload.requestMetadata
            if metadata is not None:
                aggregator.seen(tally, metadata.callerIp, metadata.callerSuppliedUserAgent)

    def _service(self, name: str) -> str:
        """The timeline's service: a permission's prefix ("storage"), else the API's name
        without its domain."""
        found = self._services.get(name)
        if found is None:
            found = self._services[name] = (
                name.removesuffix(".googleapis.com") if name.endswith(".googleapis.com")
                else name.split(".", 1)[0]
            )  # fmt: skip
        return found

    def _caller(self, info: Authentication | None) -> Tally | str:
        """The caller's tally, or "service" (a Google-managed agent acting for itself), or why
        it is unattributed."""
        if info is None:
            return "(no authenticationInfo)"
        chain = info.serviceAccountDelegationInfo
        origin = None
        if chain:
            first = chain[0]
            origin = (
                first.firstPartyPrincipal.principalEmail
                if first.firstPartyPrincipal is not None
                else None
            ) or first.principalSubject
        key = (info.principalEmail, info.principalSubject, origin)
        found = self._callers.get(key)
        if found is None:
            who = _who(info.principalEmail, info.principalSubject, origin)
            found = self._aggregator.tally(who) if isinstance(who, Who) else who
            self._callers[key] = found
        return found

    def _resource(self, service: str, name: str | None) -> str:
        """The full resource name, objects and tables folded into their container; "*" for
        none."""
        if not name:
            return "*"
        key = (service, name)
        found = self._resources.get(key)
        if found is None:
            if len(self._resources) > 65_536:
                self._resources.clear()
            full = name if name.startswith("//") else f"//{service}/{name}"
            for pattern in CONTAINERS:
                container = pattern.match(full)
                if container is not None:
                    full = container[1]
                    break
            found = self._resources[key] = full
        return found


def _scope(log_name: str | None) -> str:
    found = _SCOPE.match(log_name or "")
    return found[1].removeprefix("projects/") if found is not None else ""


def _who(email: str | None, subject: str | None, origin: str | None) -> Who | str:
    if email:
        if email.endswith(SA_DOMAIN):
            if service_agent(email) is not None and origin is None:
                return "service"
            project = SA_PROJECT.match(email)
            return Who(email, "service-account", project[1] if project else None, origin)
        return Who(email, "user", None, origin)
    if subject:
        return Who(subject, "web-identity", None, origin)
    return "(no principal)"
