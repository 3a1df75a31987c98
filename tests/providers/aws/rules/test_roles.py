from __future__ import annotations

from nhiscan.providers.aws.rules.roles import RoleUnused
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Finding, Severity
from tests.factories import context, days_ago, estate, gap, role, service_linked_role, user


def run(e: Estate, **lifecycle: object) -> list[Finding]:
    return list(RoleUnused().evaluate(e, context(**lifecycle)))


def test_role_unused_for_long_is_flagged() -> None:
    stale = role("old-etl", created=days_ago(500), last_used=days_ago(120))
    [finding] = run(estate(stale))
    assert finding.rule_id == "NHI008"
    assert finding.subject == stale.id
    assert finding.severity is Severity.LOW
    assert finding.evidence["case"] == "unused"
    assert finding.evidence["days"] == 120
    assert finding.evidence["threshold_days"] == 90
    assert "old-etl" in finding.title


def test_old_role_never_used_is_flagged() -> None:
    never = role("forgotten", created=days_ago(200), last_used=None)
    [finding] = run(estate(never))
    assert finding.evidence["case"] == "never-used"
    assert finding.evidence["last_used"] is None
    assert finding.evidence["days"] == 200


def test_recent_or_boundary_roles_are_not_flagged() -> None:
    e = estate(
        role("new", created=days_ago(10), last_used=None),
        role("at-limit", created=days_ago(90), last_used=None),
        role("used-at-limit", created=days_ago(500), last_used=days_ago(90)),
        role("unknown-age", created=None, last_used=None),
        role("busy", created=days_ago(500), last_used=days_ago(1)),
    )
    assert run(e) == []


def test_service_linked_roles_and_users_are_skipped() -> None:
    e = estate(
        service_linked_role(created=days_ago(900), last_used=None),
        user("svc-old", created=days_ago(900), last_used=None),
    )
    assert run(e) == []


def test_threshold_comes_from_settings() -> None:
    e = estate(role("idle", created=days_ago(500), last_used=days_ago(40)))
    assert run(e) == []
    [finding] = run(e, role_unused_days=30)
    assert finding.evidence["threshold_days"] == 30


def test_never_used_is_not_claimed_when_last_use_was_not_collected() -> None:
    never = role("forgotten", created=days_ago(200), last_used=None)
    refused = gap(operation="iam:GetRole", subject=never.id)
    assert run(estate(never, refused)) == []
    assert len(run(estate(never, gap(operation="iam:ListRoleTags", subject=never.id)))) == 1


def test_account_wide_gap_in_authorization_details_means_last_use_unknown() -> None:
    never = role("forgotten", created=days_ago(200), last_used=None)
    gaad = gap(operation="iam:GetAccountAuthorizationDetails", scope=never.account)
    assert run(estate(never, gaad)) == []
    elsewhere = gap(operation="iam:GetAccountAuthorizationDetails", scope="999999999999")
    assert len(run(estate(never, elsewhere))) == 1
    # A role that was seen in use is still judged: the gap only hides "never used".
    stale = role("stale", created=days_ago(500), last_used=days_ago(200))
    assert len(run(estate(stale, gaad))) == 1
