"""IAM v1 and Policy Analyzer through googleapiclient's bundled discovery documents, answered
by ``HttpMockSequence`` with recorded bodies."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from nhiscan.connectors.gcp import activity, iam
from nhiscan.connectors.gcp import records as to
from nhiscan.connectors.gcp.calls import Caller
from nhiscan.providers.gcp.facts import ACCOUNT_LAST_USED, KEY_LAST_USED
from nhiscan.scanner.fingerprint import gcp_sa_key
from nhiscan.scanner.model import (
    CollectionGap,
    Credential,
    CredentialKind,
    CredentialStatus,
    GapReason,
    Identity,
)

from .conftest import (
    CI,
    CI_KEY,
    DEPLOY,
    EXPOSED_KEY,
    NO_WAIT,
    NOW,
    PROJECT,
    SYSTEM_KEY,
    body,
    error,
    sequence,
)


def query(uri: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(uri).query)


def test_service_accounts_are_read_from_every_page() -> None:
    clients, http = sequence(
        (200, body("iam/service-accounts-page1")), (200, body("iam/service-accounts-page2"))
    )
    accounts, gap = iam.fetch_service_accounts(clients, NO_WAIT, PROJECT)
    assert gap is None
    assert [a["email"] for a in accounts] == [
        DEPLOY,
        CI,
        "old-batch@acme-prod.iam.gserviceaccount.com",
    ]
    first, second = (uri for _, uri in http.requests)
    assert urlsplit(first).path == "/v1/projects/acme-prod/serviceAccounts"
    assert "pageToken" not in query(first)
    assert query(second)["pageToken"] == ["Cidwcm9qZWN0cy9hY21lLXByb2Q"]
    identities = [to.service_account(a, PROJECT) for a in accounts]
    assert identities[2].disabled is True and identities[0].disabled is False
    assert identities[0].native_id == "104216071823740812390"
    assert identities[0].description == "deploys the web tier" and identities[0].path == "deploy"


def test_a_refused_second_page_keeps_the_first_and_is_a_gap() -> None:
    clients, _ = sequence(
        (200, body("iam/service-accounts-page1")), (403, error("permission-denied"))
    )
    accounts, gap = iam.fetch_service_accounts(clients, NO_WAIT, PROJECT)
    assert [a["email"] for a in accounts] == [DEPLOY, CI]
    assert gap is not None and gap.reason is GapReason.ACCESS_DENIED
    assert gap.operation == "iam.projects.serviceAccounts.list" and gap.scope == PROJECT


def test_keys_exposed_and_never_expiring() -> None:
    clients, http = sequence((200, body("iam/keys-deploy")))
    answer = iam.fetch_keys(clients, NO_WAIT, PROJECT, DEPLOY)
    assert answer.ok
    keys = {k.id: k for k in (to.key(d, PROJECT, DEPLOY, NOW) for d in answer.value or [])}
    exposed, system = keys[EXPOSED_KEY], keys[SYSTEM_KEY]
    assert exposed.kind is CredentialKind.SA_KEY and exposed.status is CredentialStatus.INACTIVE
    assert exposed.status_reason == "exposed" and exposed.expires is None  # 9999-12-31
    assert exposed.fingerprint == gcp_sa_key(EXPOSED_KEY) and exposed.origin == "google-provided"
    assert system.kind is CredentialKind.SA_SYSTEM_KEY and system.status is CredentialStatus.ACTIVE
    assert system.expires is not None and system.expires.year == 2026
    assert urlsplit(http.requests[0][1]).path == (
        f"/v1/projects/acme-prod/serviceAccounts/{DEPLOY}/keys"
    )


def test_a_never_expiring_user_key_has_no_expiry_and_is_active() -> None:
    clients, _ = sequence((200, body("iam/keys-ci")))
    (data,) = iam.fetch_keys(clients, NO_WAIT, PROJECT, CI).value or []
    key = to.key(data, PROJECT, CI, NOW)
    assert key.expires is None and key.status is CredentialStatus.ACTIVE
    assert key.origin == "user-provided" and key.status_reason is None


def test_an_account_deleted_after_the_list_is_missing_not_a_gap() -> None:
    clients, _ = sequence((404, body("errors/not-found")))
    answer = iam.fetch_keys(clients, NO_WAIT, PROJECT, CI)
    assert answer.missing and answer.gap is None


def test_service_account_policy_asks_for_version_3() -> None:
    clients, http = sequence((200, body("iam/sa-policy-deploy")))
    answer = iam.fetch_sa_policy(clients, NO_WAIT, PROJECT, DEPLOY)
    assert answer.value is not None and answer.value["bindings"][0]["members"] == [
        f"serviceAccount:{CI}"
    ]
    method, uri = http.requests[0]
    assert method == "POST" and query(uri)["options.requestedPolicyVersion"] == ["3"]
    assert urlsplit(uri).path.endswith(f"/serviceAccounts/{DEPLOY}:getIamPolicy")


def test_custom_roles_full_view_with_deleted_ones() -> None:
    clients, http = sequence((200, body("iam/roles-project")))
    roles, gap = iam.fetch_custom_roles(clients, NO_WAIT, f"projects/{PROJECT}")
    assert gap is None
    policies = {p.id: p for p in (to.custom_role(r, PROJECT) for r in roles)}
    assert policies["projects/acme-prod/roles/legacyAdmin"].document["deleted"] is True
    assert policies["projects/acme-prod/roles/deployer"].document["includedPermissions"] == [
        "run.services.update", "iam.serviceAccounts.actAs",
    ]  # fmt: skip
    asked = query(http.requests[0][1])
    assert asked["view"] == ["FULL"] and asked["showDeleted"] == ["true"]


def test_activities_are_read_from_every_page_at_day_granularity() -> None:
    clients, http = sequence(
        (200, body("policyanalyzer/key-activities-page1")),
        (200, body("policyanalyzer/key-activities-page2")),
    )
    found, gap = activity.fetch_activities(clients, NO_WAIT, PROJECT, activity.KEY_ACTIVITY)
    assert gap is None and len(found) == 2
    used = activity.to_last_used(found)
    assert used[CI_KEY].isoformat() == "2026-11-28T08:00:00+00:00"
    assert used[EXPOSED_KEY].isoformat() == "2026-10-14T07:00:00+00:00"
    first, second = (uri for _, uri in http.requests)
    assert urlsplit(first).path == (
        "/v1/projects/acme-prod/locations/global/activityTypes/"
        "serviceAccountKeyLastAuthentication/activities:query"
    )
    assert query(second)["pageToken"] == ["AKpWs5cXa2V5cy1wYWdlLTI"]


def test_accounts_last_use_by_email_or_unique_id() -> None:
    used = activity.to_last_used(body("policyanalyzer/account-activities")["activities"])
    assert used[CI].day == 29
    assert used["104216071823740812390"].day == 14  # named by unique id


def _records() -> list[Identity | Credential]:
    ci = to.service_account(body("iam/service-accounts-page1")["accounts"][1], PROJECT)
    deploy = to.service_account(body("iam/service-accounts-page1")["accounts"][0], PROJECT)
    keys = [to.key(k, PROJECT, CI, NOW) for k in body("iam/keys-ci")["keys"]]
    return [ci, deploy, *keys]


def test_enrich_sets_last_use_on_keys_and_accounts() -> None:
    clients, _ = sequence(
        (200, body("policyanalyzer/key-activities-page1")),
        (200, body("policyanalyzer/key-activities-page2")),
        (200, body("policyanalyzer/account-activities")),
    )
    out = {r.id: r for r in activity.enrich(clients, NO_WAIT, PROJECT, _records())}
    assert out[CI_KEY].last_used is not None and out[CI_KEY].last_used.day == 28
    assert out[CI].last_used is not None and out[CI].last_used.day == 29
    assert out[DEPLOY].last_used is not None and out[DEPLOY].last_used.day == 14


def test_enrich_with_refused_activity_is_a_gap_with_the_providers_operation() -> None:
    denied = error("permission-denied-plain")
    clients, _ = sequence((403, denied), (403, denied))
    out = list(activity.enrich(clients, NO_WAIT, PROJECT, _records()))
    gaps = {g.operation: g for g in out if isinstance(g, CollectionGap)}
    assert set(gaps) == {KEY_LAST_USED, ACCOUNT_LAST_USED}
    assert all(g.scope == PROJECT and g.subject is None for g in gaps.values())
    assert all(g.reason is GapReason.ACCESS_DENIED for g in gaps.values())
    assert all(r.last_used is None for r in out if isinstance(r, (Identity, Credential)))


def test_enrich_fills_in_a_disabled_keys_reason_for_records_made_elsewhere() -> None:
    data = dict(body("iam/keys-deploy")["keys"][0])
    del data["disableReason"]  # what a Cloud Asset export lacks
    unexplained = to.key(data, PROJECT, DEPLOY, NOW)
    assert unexplained.status_reason is None
    clients, http = sequence(
        (200, body("iam/keys-deploy")),
        (200, {}),
        (200, {}),
    )
    out = list(activity.enrich(clients, NO_WAIT, PROJECT, [unexplained], reasons=True))
    assert [r.status_reason for r in out if isinstance(r, Credential)] == ["exposed"]
    assert "/keys" in http.requests[0][1]


@pytest.mark.parametrize(
    ("api", "service", "call"),
    [
        ("iam", "iam.googleapis.com",
         lambda c: iam.fetch_service_accounts(c, NO_WAIT, PROJECT)[1]),
        ("policyanalyzer", "policyanalyzer.googleapis.com",
         lambda c: activity.fetch_activities(c, NO_WAIT, PROJECT, activity.KEY_ACTIVITY)[1]),
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    ("kind", "code", "reason"),
    [
        ("permission-denied", 403, GapReason.ACCESS_DENIED),
        ("service-disabled", 403, GapReason.API_DISABLED),
        ("rate-limit", 429, GapReason.THROTTLED),
    ],
)
def test_refusals_of_each_api_are_gaps(
    api: str, service: str, call: object, kind: str, code: int, reason: GapReason
) -> None:
    answers = [(code, error(kind, service))] * (NO_WAIT.retries + 1)
    clients, http = sequence(*answers)
    gap = call(clients)  # type: ignore[operator]
    assert isinstance(gap, CollectionGap)
    assert (gap.provider.value, gap.scope, gap.reason) == ("gcp", PROJECT, reason)
    assert gap.operation.startswith(f"{api}.projects.")
    if kind == "service-disabled":
        assert f"API {service} is disabled in projects/411224356" in gap.detail
    if kind == "rate-limit":
        assert len(http.requests) == NO_WAIT.retries + 1  # retried, then a gap
        assert "ReadRequestsPerMinutePerProject" in gap.detail
    else:
        assert len(http.requests) == 1  # a refusal is not retried


def test_a_429_that_clears_within_the_retries_is_no_gap() -> None:
    waits: list[float] = []
    caller = Caller(retries=3, delay=0.0, sleep=waits.append)
    clients, http = sequence(
        (429, error("rate-limit", "iam.googleapis.com")),
        (200, body("iam/service-accounts-page2")),
    )
    accounts, gap = iam.fetch_service_accounts(clients, caller, PROJECT)
    assert gap is None and len(accounts) == 1 and len(http.requests) == 2
    assert waits == [0.0]
