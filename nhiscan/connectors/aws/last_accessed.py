"""When each user and role last used each service its policies allow: IAM's service
last-accessed data (Access Advisor), read without a trail and reaching back 400 days.

``GenerateServiceLastAccessedDetails`` (Arn, Granularity SERVICE_LEVEL) starts a job and returns
its ``JobId``; ``GetServiceLastAccessedDetails`` answers ``JobStatus`` IN_PROGRESS, COMPLETED or
FAILED and, once completed, ``ServicesLastAccessed[]``: every service the principal's permissions
policies allow, with ``LastAuthenticated`` and ``LastAuthenticatedEntity`` when it was used
(paged by ``Marker`` / ``IsTruncated``). "IAM reports activity for at least the last 400 days";
tracking began on 2015-10-01; recent activity appears within about four hours
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html).

Every job is started first (in parallel), then all are polled together, with a backoff, for at
most ``max_wait`` seconds. Service-linked roles are not asked (only their service acts as them).
A principal whose job cannot be started, failed or did not finish has no record: the account
gets one ``CollectionGap`` saying how many principals have no data, never "unused". When the
first job is refused (or the endpoint lacks the call, as moto does), the others are not asked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nhiscan.connectors.aws.calls import Answer, call
from nhiscan.connectors.aws.wire import to_utc
from nhiscan.scanner.activity import ServiceAccess
from nhiscan.scanner.model import CollectionGap, GapReason, Identity, IdentityKind, Provider

TRACKING_DAYS = 400
TRACKING_BEGAN = datetime(2015, 10, 1, tzinfo=UTC)
_ASKED = frozenset({IdentityKind.IAM_USER, IdentityKind.IAM_ROLE})


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessAdvisorConfig:
    max_wait: float = 300.0  # seconds the jobs are polled for, in all
    first_wait: float = 1.0  # before the first poll; doubled each round up to max_interval
    max_interval: float = 10.0


@dataclass(slots=True)
class _Job:
    arn: str
    account: str
    tracked: datetime  # where the provider's tracking period starts
    started: bool = False  # GenerateServiceLastAccessedDetails was called for it
    job_id: str | None = None
    records: list[ServiceAccess] = field(default_factory=list)
    done: bool = False
    failure: CollectionGap | None = None  # why this principal has no data


def asked(identities: Iterable[Identity]) -> list[Identity]:
    """The users and roles to ask about (service-linked roles are not), by id."""
    return sorted(
        (i for i in identities if i.kind in _ASKED and not i.service_linked), key=lambda i: i.id
    )


def collect_last_accessed(
    iam: Any,
    account: str,
    identities: Sequence[Identity],
    *,
    pool: Executor,
    now: datetime,
    config: AccessAdvisorConfig,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ServiceAccess | CollectionGap]:
    """The service last-accessed records of ``identities``' users and roles, and at most one gap
    for the account."""
    tracked = max(now - timedelta(days=TRACKING_DAYS), TRACKING_BEGAN)
    jobs = [_Job(arn=i.id, account=i.account, tracked=tracked) for i in asked(identities)]
    if not jobs:
        return []
    _start(iam, jobs[0])
    if jobs[0].failure is not None:
        return [_account_gap(account, jobs, jobs[0].failure)]
    list(pool.map(lambda job: _start(iam, job), jobs[1:]))
    _poll(iam, [j for j in jobs if j.failure is None], pool, config, sleep)
    records: list[ServiceAccess | CollectionGap] = [r for job in jobs for r in job.records]
    failed = [j for j in jobs if j.failure is not None]
    if failed:
        records.append(_account_gap(account, jobs, failed[0].failure))
    return records


def _start(iam: Any, job: _Job) -> None:
    job.started = True
    answer = call(iam, "GenerateServiceLastAccessedDetails", scope=job.account, subject=job.arn,
                  Arn=job.arn, Granularity="SERVICE_LEVEL")  # fmt: skip
    if answer.gap is not None:
        job.failure = answer.gap
        return
    job.job_id = str(answer.value["JobId"])


def _poll(
    iam: Any,
    jobs: list[_Job],
    pool: Executor,
    config: AccessAdvisorConfig,
    sleep: Callable[[float], None],
) -> None:
    """Rounds of polls over the unfinished jobs, waiting longer each round, ``max_wait`` in
    all; a job still running then is a failure."""
    waited, wait = 0.0, config.first_wait
    pending = list(jobs)
    while pending and waited < config.max_wait:
        pause = min(wait, config.max_wait - waited)
        sleep(pause)
        waited += pause
        list(pool.map(lambda job: _check(iam, job), pending))
        pending = [j for j in pending if not j.done and j.failure is None]
        wait = min(wait * 2, config.max_interval)
    for job in pending:
        job.failure = CollectionGap(
            provider=Provider.AWS, scope=job.account,
            operation="iam:GetServiceLastAccessedDetails", reason=GapReason.FAILED,
            detail=f"the job was still IN_PROGRESS after {config.max_wait:g} s",
            subject=job.arn,
        )  # fmt: skip


def _check(iam: Any, job: _Job) -> None:
    """One poll of ``job``: its records once COMPLETED (every page), its failure once FAILED."""
    marker: str | None = None
    found: list[ServiceAccess] = []
    while True:
        params: dict[str, Any] = {"JobId": job.job_id}
        if marker is not None:
            params["Marker"] = marker
        answer = call(iam, "GetServiceLastAccessedDetails", scope=job.account, subject=job.arn,
                      **params)  # fmt: skip
        status = _status(answer)
        if status != "COMPLETED":
            if answer.gap is not None or status == "FAILED":
                job.failure = answer.gap or _failed(job, answer.value)
            return
        found.extend(_records(job, answer.value))
        marker = answer.value.get("Marker") if answer.value.get("IsTruncated") else None
        if not marker:
            job.records, job.done = found, True
            return


def _status(answer: Answer) -> str | None:
    return None if answer.gap is not None else str(answer.value.get("JobStatus") or "")


def _records(job: _Job, page: Any) -> list[ServiceAccess]:
    return [
        ServiceAccess(
            provider=Provider.AWS,
            identity=job.arn,
            account=job.account,
            service=str(item["ServiceNamespace"]),
            last_accessed=to_utc(item.get("LastAuthenticated")),
            entity=item.get("LastAuthenticatedEntity"),
            tracked_since=job.tracked,
        )
        for item in page.get("ServicesLastAccessed") or ()
        if item.get("ServiceNamespace")
    ]


def _failed(job: _Job, page: Any) -> CollectionGap:
    error = page.get("Error") or {}
    return CollectionGap(
        provider=Provider.AWS,
        scope=job.account,
        operation="iam:GetServiceLastAccessedDetails",
        reason=GapReason.FAILED,
        detail=f"the job FAILED: {error.get('Code', '')} {error.get('Message', '')}".strip(),
        subject=job.arn,
    )


def _account_gap(account: str, jobs: list[_Job], first: CollectionGap | None) -> CollectionGap:
    """One gap for the account: how many principals have no last-accessed data, and why the
    first of them has none."""
    assert first is not None
    missing = sum(1 for j in jobs if j.failure is not None or j.job_id is None)
    total = len(jobs)
    not_asked = sum(1 for j in jobs if not j.started)
    words = (
        f"{missing} of {total} users and roles have no service last-accessed data"
        + (f" ({not_asked} not asked)" if not_asked else "")
        + f": {first.subject}: {first.detail}; their unused services are unknown, not absent"
    )
    return CollectionGap(
        provider=Provider.AWS,
        scope=account,
        operation=first.operation,
        reason=first.reason,
        detail=words[:1000],
    )
