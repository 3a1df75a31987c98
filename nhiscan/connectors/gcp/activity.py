"""Last use of service accounts and keys: the Policy Analyzer activity API (plan 1d), and the
per-project enrichment the asset path also needs (``enrich``).

``activities:query`` on ``projects/P/locations/global/activityTypes/T`` for
``serviceAccountKeyLastAuthentication`` and ``serviceAccountLastAuthentication``, every page.
Google reports the date at day granularity (midnight US Pacific, hence ``T07:00:00Z``), so
``last_used`` is a day, never compared below it. An account or key absent from a successful
answer was not seen in the observation period: ``last_used`` stays None. A refused query is a
gap whose operation is exactly the one the GCP provider lists in
``facts.last_used_operations``, so NHI002 never says "never used" for that project.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from nhiscan.connectors.gcp import iam
from nhiscan.connectors.gcp.calls import Caller
from nhiscan.connectors.gcp.clients import Clients
from nhiscan.connectors.gcp.records import DISABLE_REASONS
from nhiscan.connectors.gcp.times import parse_time
from nhiscan.providers.gcp.facts import ACCOUNT_LAST_USED, ACTIVITY, KEY_LAST_USED
from nhiscan.scanner.model import (
    CollectionGap,
    Credential,
    CredentialKind,
    CredentialStatus,
    Identity,
    Record,
)

KEY_ACTIVITY = "serviceAccountKeyLastAuthentication"
ACCOUNT_ACTIVITY = "serviceAccountLastAuthentication"
OPERATIONS = {KEY_ACTIVITY: KEY_LAST_USED, ACCOUNT_ACTIVITY: ACCOUNT_LAST_USED}
PAGE_SIZE = 1000  # the API's maximum
assert all(op == f"{ACTIVITY}#{kind}" for kind, op in OPERATIONS.items())


def fetch_activities(
    clients: Clients, caller: Caller, project: str, activity_type: str
) -> tuple[list[dict[str, Any]], CollectionGap | None]:
    activities = (
        clients.discovery("policyanalyzer", "v1")
        .projects()
        .locations()
        .activityTypes()
        .activities()
    )
    request = activities.query(
        parent=f"projects/{project}/locations/global/activityTypes/{activity_type}",
        pageSize=PAGE_SIZE,
    )
    return iam.paged(
        caller, request, activities.query_next, "activities", scope=project,
        operation=OPERATIONS[activity_type],
    )  # fmt: skip


def to_last_used(activities: Iterable[Mapping[str, Any]]) -> dict[str, datetime]:
    """Last authentication by key id, by account e-mail and by account unique id (pure)."""
    found: dict[str, datetime] = {}
    for entry in activities:
        body = entry.get("activity")
        if not isinstance(body, Mapping) or not body.get("lastAuthenticatedTime"):
            continue
        try:
            when = parse_time(body["lastAuthenticatedTime"])
        except (TypeError, ValueError):
            continue  # an unreadable date says nothing about use; the key keeps None
        subject = body.get("serviceAccountKey") or body.get("serviceAccount") or {}
        names = [entry.get("fullResourceName"), subject.get("fullResourceName")]
        ids = {str(n).rstrip("/").rsplit("/", 1)[-1] for n in names if n}
        if subject.get("serviceAccountId") and "serviceAccount" in body:
            ids.add(str(subject["serviceAccountId"]))
        for key in ids:
            found[key] = max(when, found.get(key, when))
    return found


def _reasons(
    clients: Clients, caller: Caller, project: str, email: str
) -> tuple[dict[str, str], CollectionGap | None]:
    answer = iam.fetch_keys(clients, caller, project, email)
    reasons = {
        str(k.get("name", "")).rsplit("/", 1)[-1]: DISABLE_REASONS[str(k.get("disableReason"))]
        for k in answer.value or []
        if str(k.get("disableReason")) in DISABLE_REASONS
    }
    return reasons, answer.gap


def enrich(
    clients: Clients,
    caller: Caller,
    project: str,
    records: Iterable[Record],
    *,
    reasons: bool = False,
) -> Iterator[Record]:
    """``records`` of one project (made by the walk or from Cloud Asset data) with last use
    from Policy Analyzer, and, with ``reasons``, disabled keys' ``disableReason`` (a
    ``keys.list`` per account that has a disabled key without one). Gaps follow the records."""
    records = list(records)
    gaps: list[CollectionGap] = []
    if reasons:
        records = list(_with_reasons(clients, caller, project, records, gaps))
    used: dict[str, datetime] = {}
    for activity_type in (KEY_ACTIVITY, ACCOUNT_ACTIVITY):
        activities, gap = fetch_activities(clients, caller, project, activity_type)
        used.update(to_last_used(activities))
        if gap is not None:
            gaps.append(gap)
    for record in records:
        if isinstance(record, Credential) and record.id in used:
            yield replace(record, last_used=used[record.id])
        elif isinstance(record, Identity) and (record.id in used or record.native_id in used):
            yield replace(record, last_used=used.get(record.id) or used[str(record.native_id)])
        else:
            yield record
    yield from gaps


def _with_reasons(
    clients: Clients, caller: Caller, project: str, records: list[Record], gaps: list[CollectionGap]
) -> Iterator[Record]:
    unexplained = {
        r.identity
        for r in records
        if isinstance(r, Credential) and r.kind is CredentialKind.SA_KEY
        and r.status is CredentialStatus.INACTIVE and r.status_reason is None
    }  # fmt: skip
    found: dict[str, str] = {}
    for email in sorted(unexplained):
        reasons, gap = _reasons(clients, caller, project, email)
        found.update(reasons)
        if gap is not None:
            gaps.append(gap)
    for record in records:
        if isinstance(record, Credential) and record.status_reason is None and record.id in found:
            yield replace(record, status_reason=found[record.id])
        else:
            yield record
