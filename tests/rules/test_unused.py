"""NHI704 (unused-identity) and NHI705 (unused-service-grant): judged only where a trail or
last-accessed data covered the span, each stating the last use; twins used yesterday and 200
days ago; NHI008 leaves the roles NHI704 covers."""

from __future__ import annotations

from typing import Any

from nhiscan.providers.aws.rules.roles import RoleUnused
from nhiscan.rules.unused import UnusedIdentity, UnusedServiceGrant
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import CollectionGap, Finding, GapReason, Provider, Severity
from tests.factories import (
    OTHER_ACCOUNT,
    allow,
    context,
    days_ago,
    estate,
    managed_policy,
    role,
    user,
)
from tests.rules.unused_fixtures import accessed, seen, trail

OWNED = {"owner": "team-data"}


def _nhi704(e: Estate, *, graph: bool = False) -> list[Finding]:
    return list(UnusedIdentity().evaluate(e, context(graph_of=e if graph else None)))


def _nhi705(e: Estate) -> list[Finding]:
    return list(UnusedServiceGrant().evaluate(e, context()))


def _batch(**fields: Any) -> Any:
    return role("legacy-batch", tags=OWNED, created=days_ago(500), **fields)


def test_a_role_used_yesterday_in_the_trail_is_not_unused() -> None:
    batch = _batch(last_used=days_ago(200))
    assert _nhi704(estate(batch, trail(), seen(batch, days_ago(1)))) == []


def test_a_covered_role_used_200_days_ago_is_unused_and_says_when() -> None:
    batch = _batch(last_used=days_ago(200))
    e = estate(batch, trail())
    [finding] = _nhi704(e)
    assert finding.subject == batch.id and finding.severity is Severity.MEDIUM
    day = f"{days_ago(200):%Y-%m-%d}"
    assert finding.title == (f"Role legacy-batch has not been used for 200 days (last used {day}, "
                             "from its own last-used date).")  # fmt: skip
    assert finding.evidence["covered_by"] == ["/trails/acme"]
    assert finding.evidence["last_used"].startswith(day)
    # NHI008 leaves the role to NHI704: one finding per role
    assert list(RoleUnused().evaluate(e, context())) == []


def test_an_uncovered_role_is_left_to_nhi008() -> None:
    batch = _batch(last_used=days_ago(200))
    for e in (
        estate(batch),  # no trail at all
        estate(batch, trail(accounts=(OTHER_ACCOUNT,))),  # another account's trail
        estate(batch, trail(since=days_ago(30))),  # too short a window
        estate(batch, trail(until=days_ago(20))),  # it ends before the judged moment
        estate(batch, trail(management_only=True)),  # the event history: no data events
    ):
        assert _nhi704(e) == []
        assert [f.rule_id for f in RoleUnused().evaluate(e, context())] == ["NHI008"]


def test_a_trail_with_a_gap_covers_nothing() -> None:
    batch = _batch(last_used=days_ago(200))
    gap = CollectionGap(provider=Provider.AWS, scope="/trails/acme", operation="s3:GetObject",
                        reason=GapReason.ACCESS_DENIED, detail="refused")  # fmt: skip
    assert _nhi704(estate(batch, trail(), gap)) == []


def test_never_seen_states_since_when_the_trail_looked() -> None:
    bot = user("report-bot", tags=OWNED, created=days_ago(300))
    [finding] = _nhi704(estate(bot, trail()))
    assert finding.title == (f"User report-bot was never seen used in the trail since "
                             f"{days_ago(120):%Y-%m-%d}.")  # fmt: skip
    assert finding.evidence["last_used"] is None


def test_an_identity_younger_than_the_span_is_not_judged() -> None:
    bot = user("new-bot", tags=OWNED, created=days_ago(10))
    assert _nhi704(estate(bot, trail())) == []


def test_last_accessed_data_covers_and_dates_the_last_use() -> None:
    batch = _batch(last_used=None)
    [finding] = _nhi704(estate(batch, accessed(batch, "s3", days_ago(200))))
    assert "from service last-accessed data" in finding.title
    assert finding.evidence["covered_by"] == ["service last-accessed data"]
    used = estate(batch, accessed(batch, "s3", days_ago(1)))
    assert _nhi704(used) == []


def test_an_unused_administrator_is_high() -> None:
    admin = managed_policy("admin", allow("*"))
    batch = _batch(last_used=days_ago(200), policies=(admin.id,))
    [finding] = _nhi704(estate(batch, admin, trail()), graph=True)
    assert finding.severity is Severity.HIGH and finding.evidence["admin"] is True


def _granted() -> tuple[Any, Any]:
    policy = managed_policy("worker", allow("s3:GetObject"), {**allow("sqs:SendMessage"),
                            "Sid": "Queue"})  # fmt: skip
    return _batch(policies=(policy.id,)), policy


def test_a_granted_service_never_used_is_listed_with_its_statement() -> None:
    batch, policy = _granted()
    e = estate(batch, policy, accessed(batch, "s3", days_ago(1)), accessed(batch, "sqs", None))
    [finding] = _nhi705(e)
    assert finding.severity is Severity.LOW
    assert finding.evidence["services"] == [{
        "service": "sqs", "last_used": None, "last_used_from": None,
        "statements": [{"policy_id": policy.id, "index": 1, "sid": "Queue", "effect": "Allow"}],
    }]  # fmt: skip
    assert finding.title.endswith("it has not used in 90 days: sqs.")


def test_twins_used_yesterday_and_200_days_ago() -> None:
    batch, policy = _granted()
    fresh = estate(batch, policy, accessed(batch, "s3", days_ago(1)),
                   accessed(batch, "sqs", days_ago(1)))  # fmt: skip
    assert _nhi705(fresh) == []
    stale = estate(batch, policy, accessed(batch, "s3", days_ago(200)),
                   accessed(batch, "sqs", days_ago(1)))  # fmt: skip
    [finding] = _nhi705(stale)
    [service] = finding.evidence["services"]
    assert service["service"] == "s3" and service["last_used"].startswith(
        f"{days_ago(200):%Y-%m-%d}"
    )
    assert service["last_used_from"] == "service last-accessed data"
    assert finding.severity is Severity.MEDIUM and finding.evidence["sensitive"] == ["s3"]


def test_a_use_in_the_trail_counts_for_its_service() -> None:
    batch, policy = _granted()
    e = estate(batch, policy, accessed(batch, "s3", days_ago(1)), accessed(batch, "sqs", None),
               trail(), seen(batch, days_ago(2), "sqs:SendMessage"))  # fmt: skip
    assert _nhi705(e) == []


def test_without_last_accessed_data_no_service_is_called_unused() -> None:
    batch, policy = _granted()
    assert _nhi705(estate(batch, policy, trail())) == []
    short = estate(batch, policy, accessed(batch, "sqs", None, tracked=30))
    assert _nhi705(short) == []
