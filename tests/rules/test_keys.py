from __future__ import annotations

from nhiscan.app.config import Settings
from nhiscan.rules.base import Rule, RuleContext
from nhiscan.rules.keys import (
    AccessKeyTooOld,
    AccessKeyUnused,
    MultipleActiveKeys,
)
from nhiscan.rules.thresholds import LifecycleThresholds
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import CredentialStatus, Finding, Severity
from tests.factories import (
    NOW,
    access_key,
    context,
    days_ago,
    estate,
    gap,
    user,
)


def run(rule: Rule, e: Estate, ctx: RuleContext | None = None) -> list[Finding]:
    return list(rule.evaluate(e, ctx or context()))


# --- NHI001 access-key-too-old ---------------------------------------------------------------


def test_old_active_key_is_flagged_with_its_age() -> None:
    alice = user("svc-ci")
    key = access_key(alice, id="AKIAOLD", created=days_ago(120))
    [finding] = run(AccessKeyTooOld(), estate(alice, key))
    assert finding.rule_id == "NHI001"
    assert finding.rule_name == "access-key-too-old"
    assert finding.subject == alice.id
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["key_id"] == "AKIAOLD"
    assert finding.evidence["identity"] == alice.id
    assert finding.evidence["age_days"] == 120
    assert finding.evidence["max_age_days"] == 90
    assert finding.evidence["created"] == "2025-02-01T12:00:00Z"
    assert "AKIAOLD" in finding.title and "svc-ci" in finding.title
    assert finding.remediation


def test_key_exactly_at_the_age_limit_is_not_flagged() -> None:
    alice = user()
    assert run(AccessKeyTooOld(), estate(alice, access_key(alice, created=days_ago(90)))) == []
    # 90 days and some hours is still 90 whole days.
    assert run(AccessKeyTooOld(), estate(alice, access_key(alice, created=days_ago(90.9)))) == []
    assert len(run(AccessKeyTooOld(), estate(alice, access_key(alice, created=days_ago(91))))) == 1


def test_inactive_old_key_is_ignored() -> None:
    alice = user()
    key = access_key(alice, created=days_ago(400), status=CredentialStatus.INACTIVE)
    assert run(AccessKeyTooOld(), estate(alice, key)) == []


def test_key_of_unknown_age_is_not_judged() -> None:
    alice = user()
    assert run(AccessKeyTooOld(), estate(alice, access_key(alice, created=None))) == []


def test_age_limit_comes_from_settings() -> None:
    alice = user()
    e = estate(alice, access_key(alice, created=days_ago(40)))
    assert run(AccessKeyTooOld(), e) == []
    [finding] = run(AccessKeyTooOld(), e, context(key_max_age_days=30))
    assert finding.evidence["max_age_days"] == 30


def test_each_old_key_is_its_own_finding() -> None:
    alice = user()
    e = estate(
        alice,
        access_key(alice, id="AKIA1", created=days_ago(100)),
        access_key(alice, id="AKIA2", created=days_ago(200)),
    )
    findings = run(AccessKeyTooOld(), e)
    assert sorted(f.evidence["key_id"] for f in findings) == ["AKIA1", "AKIA2"]
    assert len({f.fingerprint for f in findings}) == 2


def test_key_of_an_identity_missing_from_the_snapshot_is_still_judged() -> None:
    key = access_key("arn:aws:iam::123456789012:user/gone", created=days_ago(100))
    [finding] = run(AccessKeyTooOld(), estate(key))
    assert finding.subject == "arn:aws:iam::123456789012:user/gone"


# --- NHI002 access-key-unused ----------------------------------------------------------------


def test_key_not_used_for_long_is_flagged() -> None:
    bot = user("ci-bot")
    key = access_key(bot, id="AKIAIDLE", created=days_ago(300), last_used=days_ago(60))
    [finding] = run(AccessKeyUnused(), estate(bot, key))
    assert finding.rule_id == "NHI002"
    assert finding.subject == bot.id
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["case"] == "unused"
    assert finding.evidence["days"] == 60
    assert finding.evidence["threshold_days"] == 45
    assert finding.evidence["last_used"] == "2025-04-02T12:00:00Z"
    assert "60 days" in finding.title


def test_key_never_used_after_the_grace_period_is_flagged() -> None:
    bot = user("ci-bot")
    key = access_key(bot, id="AKIANEW", created=days_ago(8), last_used=None)
    [finding] = run(AccessKeyUnused(), estate(bot, key))
    assert finding.evidence["case"] == "never-used"
    assert finding.evidence["last_used"] is None
    assert finding.evidence["days"] == 8
    assert finding.evidence["threshold_days"] == 7


def test_unused_boundaries_are_not_flagged() -> None:
    bot = user()
    at_limit = access_key(bot, created=days_ago(300), last_used=days_ago(45))
    in_grace = access_key(bot, created=days_ago(7), last_used=None)
    used = access_key(bot, created=days_ago(300), last_used=days_ago(1))
    assert run(AccessKeyUnused(), estate(bot, at_limit, in_grace, used)) == []


def test_inactive_unused_key_is_ignored() -> None:
    bot = user()
    key = access_key(bot, created=days_ago(300), last_used=None, status=CredentialStatus.INACTIVE)
    assert run(AccessKeyUnused(), estate(bot, key)) == []


def test_unused_thresholds_come_from_settings() -> None:
    bot = user()
    e = estate(
        bot,
        access_key(bot, id="AKIAA", created=days_ago(300), last_used=days_ago(20)),
        access_key(bot, id="AKIAB", created=days_ago(3), last_used=None),
    )
    assert run(AccessKeyUnused(), e) == []
    ctx = context(key_unused_days=10, key_never_used_grace_days=1)
    found = {f.evidence["key_id"]: f.evidence["case"] for f in run(AccessKeyUnused(), e, ctx)}
    assert found == {"AKIAA": "unused", "AKIAB": "never-used"}


def test_unknown_last_use_is_not_read_as_never_used() -> None:
    bot = user()
    key = access_key(bot, id="AKIAX", created=days_ago(100), last_used=None)
    refused = gap(operation="iam:GetAccessKeyLastUsed", subject="AKIAX")
    assert run(AccessKeyUnused(), estate(bot, key, refused)) == []
    by_user = gap(operation="iam:GetAccessKeyLastUsed", subject=bot.id)
    assert run(AccessKeyUnused(), estate(bot, key, by_user)) == []
    unrelated = gap(operation="iam:ListUserTags", subject=bot.id)
    assert len(run(AccessKeyUnused(), estate(bot, key, unrelated))) == 1


# --- NHI003 multiple-active-keys -------------------------------------------------------------


def test_two_active_keys_are_flagged_with_their_ids() -> None:
    bot = user("deploy-bot")
    e = estate(bot, access_key(bot, id="AKIAB"), access_key(bot, id="AKIAA"))
    [finding] = run(MultipleActiveKeys(), e)
    assert finding.rule_id == "NHI003"
    assert finding.subject == bot.id
    assert finding.severity is Severity.LOW
    assert finding.evidence["key_ids"] == ["AKIAA", "AKIAB"]
    assert "deploy-bot" in finding.title


def test_one_active_and_one_inactive_key_is_fine() -> None:
    bot = user()
    e = estate(
        bot,
        access_key(bot),
        access_key(bot, status=CredentialStatus.INACTIVE),
    )
    assert run(MultipleActiveKeys(), e) == []


def test_multiple_keys_fingerprint_survives_rotation() -> None:
    bot = user()
    before = run(MultipleActiveKeys(), estate(bot, access_key(bot), access_key(bot)))
    after = run(MultipleActiveKeys(), estate(bot, access_key(bot), access_key(bot)))
    assert before[0].fingerprint == after[0].fingerprint


def test_rules_use_the_context_clock() -> None:
    alice = user()
    e = estate(alice, access_key(alice, created=NOW))
    later = context(now=days_ago(-100))
    assert len(run(AccessKeyTooOld(), e, later)) == 1


def test_thresholds_from_a_settings_object() -> None:
    alice = user()
    e = estate(alice, access_key(alice, created=days_ago(20), last_used=days_ago(15)))
    strict = Settings(lifecycle=LifecycleThresholds(key_max_age_days=14, key_unused_days=14))
    ctx = context(settings=strict)
    assert [f.rule_id for f in run(AccessKeyTooOld(), e, ctx)] == ["NHI001"]
    assert [f.rule_id for f in run(AccessKeyUnused(), e, ctx)] == ["NHI002"]
    assert run(AccessKeyTooOld(), e) == run(AccessKeyUnused(), e) == []
