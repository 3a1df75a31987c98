"""Needed vs granted vs used (``scanner/gaps/usage.py``): each status from hand-built trails
over a role whose agent reads one bucket, coverage, unmapped events, the unused window's edge
and the sessions of two agents sharing a role."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from nhiscan.app.config import Settings
from nhiscan.rules.thresholds import ActivitySettings
from nhiscan.scanner.activity import ActionUse, ActivityScope
from nhiscan.scanner.agents.sessions import Verdict
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, Record
from nhiscan.scanner.usage import AgentUsage, UsageItem, UseStatus
from tests.factories import (
    NOW,
    OTHER_ACCOUNT,
    agent_context,
    agent_file,
    allow,
    days_ago,
    document,
    estate,
    managed_policy,
    resource,
    resource_policy,
    role,
    trail_scope,
    trail_session,
    trail_use,
)

DOCS, BUCKET = "arn:aws:s3:::docs/*", "arn:aws:s3:::docs"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"
GRANTS = (
    allow(["s3:GetObject", "s3:ListBucket", "s3:DeleteObject", "s3:PutObject"],
          [DOCS, BUCKET]),
    allow("sns:Publish", TOPIC, Sid="Alerts"),
)  # fmt: skip
READER = "  - name: reader\n    owner: team\n    identities: [{ref}]\n    steps:\n" \
    "      - read: s3://docs/*\n"  # fmt: skip


def _usage(
    *uses: ActionUse,
    scope: ActivityScope | None = None,
    unused_days: int = 90,
    now: datetime = NOW,
    extra: tuple[Record, ...] = (),
    **role_fields: Any,
) -> AgentUsage:
    agent_role = role("reader-role", policies=("arn:aws:iam::123456789012:policy/reader",),
                      **role_fields)  # fmt: skip
    records: list[Record] = [agent_role, managed_policy("reader", *GRANTS),
                             scope or trail_scope(), *extra]  # fmt: skip
    if uses:
        records.append(trail_session(agent_role.id, *uses, session_name="reader-*"))
    settings = Settings(activity=ActivitySettings(unused_days=unused_days))
    ctx = agent_context(estate(*records), agent_file(READER.format(ref=agent_role.id)),
                        now=now, settings=settings)  # fmt: skip
    assert ctx.agents is not None
    usage = ctx.agents.results[0].usage
    assert usage is not None
    return usage


def _one(usage: AgentUsage, status: UseStatus, action: str) -> UsageItem:
    found = [i for i in usage.of(status) if i.action == action]
    assert len(found) == 1, (status, action, usage.items)
    return found[0]


def _actions(usage: AgentUsage, status: UseStatus) -> set[str]:
    return {i.action for i in usage.of(status)}


def test_each_status_from_one_trail() -> None:
    usage = _usage(
        trail_use("s3:GetObject", DOCS, count=40),
        trail_use("s3:DeleteObject", DOCS, days=2, count=3),
        trail_use("s3:PutObject", DOCS, denied=True),
    )
    planned = _one(usage, UseStatus.USED_PLANNED, "s3:GetObject")
    assert planned.count == 40 and planned.steps == (1,) and planned.events
    assert planned.sessions == ("arn:aws:iam::123456789012:role/reader-role (session reader-*)",)
    outside = _one(usage, UseStatus.USED_UNPLANNED, "s3:DeleteObject")
    assert outside.access_level == "Write" and outside.last_seen == days_ago(2)
    assert outside.events[0].source == "AWSLogs/trail.json.gz"
    denied = _one(usage, UseStatus.DENIED, "s3:PutObject")
    assert denied.error == "AccessDenied"
    assert _actions(usage, UseStatus.PLANNED_UNUSED) == {"s3:ListBucket"}
    revocable = _one(usage, UseStatus.REVOCABLE, "sns:Publish")
    assert revocable.last_seen is None and revocable.resource == TOPIC
    assert [(s.policy_id, s.index, s.sid) for s in revocable.statements] == [
        ("arn:aws:iam::123456789012:policy/reader", 1, "Alerts")
    ]
    # Used outside the plan, recently: in use, not revocable.
    assert "s3:DeleteObject" not in _actions(usage, UseStatus.REVOCABLE)
    assert usage.covered == ("arn:aws:iam::123456789012:role/reader-role",)
    assert usage.plan_hash and usage.since == days_ago(90) and usage.until == NOW


def test_least_privilege_used_keeps_only_the_needs_that_were_used() -> None:
    usage = _usage(trail_use("s3:GetObject", DOCS))
    assert usage.least_privilege_used is not None
    (policy,) = usage.least_privilege_used.values()
    text = str(policy)
    assert "s3:GetObject" in text and "s3:ListBucket" not in text
    assert _usage().least_privilege_used is None  # nothing planned was used


def test_an_uncovered_identity_is_never_unused() -> None:
    usage = _usage(scope=trail_scope((OTHER_ACCOUNT,)))
    assert usage.covered == () and usage.not_covered == (
        "arn:aws:iam::123456789012:role/reader-role",
    )
    assert not usage.of(UseStatus.PLANNED_UNUSED) and not usage.of(UseStatus.REVOCABLE)


def test_silence_of_the_event_history_or_of_a_trail_read_in_part_is_not_unused() -> None:
    """Management events only (LookupEvents): an unread s3:GetObject is not an unused one. A
    trail location a collection gap names (a file S3 refused): its silence is not either. Uses
    they did record are still reported."""
    history = replace(trail_scope(), management_only=True)
    refused = CollectionGap(
        provider=Provider.AWS,
        scope=trail_scope().source,
        operation="s3:GetObject",
        reason=GapReason.ACCESS_DENIED,
        detail="refused",
    )
    for usage in (_usage(trail_use("s3:GetObject", DOCS), scope=history),
                  _usage(trail_use("s3:GetObject", DOCS), extra=(refused,))):  # fmt: skip
        assert usage.covered == () and usage.not_covered
        assert not usage.of(UseStatus.PLANNED_UNUSED) and not usage.of(UseStatus.REVOCABLE)
        assert _actions(usage, UseStatus.USED_PLANNED) == {"s3:GetObject"}
    assert _usage(trail_use("s3:GetObject", DOCS)).of(UseStatus.REVOCABLE)  # the twin


def test_a_source_that_names_no_account_covers_the_identities_it_saw() -> None:
    unnamed = trail_scope(())
    assert _usage(scope=unnamed).covered == ()
    assert _usage(trail_use("s3:GetObject", DOCS), scope=unnamed).covered != ()


def test_an_unmapped_event_is_never_planned() -> None:
    usage = _usage(trail_use(None, "*", event="s3.amazonaws.com:GetObjectLegalHoldV9"))
    item = _one(usage, UseStatus.USED_UNPLANNED, "s3.amazonaws.com:GetObjectLegalHoldV9")
    assert item.unmapped and item.access_level is None
    # Unmapped, it used no need: both reads stay planned-unused.
    assert _actions(usage, UseStatus.PLANNED_UNUSED) == {"s3:GetObject", "s3:ListBucket"}


def test_a_use_older_than_unused_days_leaves_the_grant_revocable_with_its_last_use() -> None:
    old = trail_use("sns:Publish", TOPIC, days=100, first=110)
    usage = _usage(old, scope=trail_scope(days=120))
    item = _one(usage, UseStatus.REVOCABLE, "sns:Publish")
    assert item.last_seen == days_ago(100) and item.first_seen == days_ago(110)
    assert item.last_seen_from == "trail" and item.count == 1 and item.events
    # The same use 80 days ago is within unused_days: the grant is in use.
    recent = _usage(trail_use("sns:Publish", TOPIC, days=80), scope=trail_scope(days=120))
    assert "sns:Publish" not in _actions(recent, UseStatus.REVOCABLE)
    # The line moves with [activity] unused_days.
    shorter = _usage(trail_use("sns:Publish", TOPIC, days=80), scope=trail_scope(days=120),
                     unused_days=60)  # fmt: skip
    assert "sns:Publish" in _actions(shorter, UseStatus.REVOCABLE)


def test_a_trail_shorter_than_unused_days_says_nothing_unless_the_identity_is_older() -> None:
    short = trail_scope(days=30)
    assert not _usage(scope=short).of(UseStatus.REVOCABLE)  # used yesterday (role last used)
    idle = _usage(scope=short, last_used=days_ago(200))
    item = _one(idle, UseStatus.REVOCABLE, "sns:Publish")
    assert item.last_seen == days_ago(200) and item.last_seen_from == "identity"


TWO_AGENTS = """\
  - name: intake-a
    owner: team
    identities: [{{id: {role}, source_identity: intake-a}}]
    steps:
      - read: s3://docs/*
  - name: intake-b
    owner: team
    identities: [{{id: {role}, source_identity: intake-b}}]
    steps:
      - read: s3://docs/*
"""


def test_sessions_are_told_apart_by_their_selectors_or_said_indistinguishable() -> None:
    shared = replace(role("intake"), policies=("arn:aws:iam::123456789012:policy/reader",))
    sessions = [
        trail_session(shared.id, trail_use("s3:GetObject", DOCS), source_identity="intake-a"),
        trail_session(shared.id, trail_use("s3:DeleteObject", DOCS), source_identity="intake-b"),
        trail_session(shared.id, trail_use("s3:PutObject", DOCS), session_name="anon-*"),
    ]
    e = estate(shared, managed_policy("reader", *GRANTS), trail_scope(), *sessions)
    ctx = agent_context(e, agent_file(TWO_AGENTS.format(role=shared.id)))
    assert ctx.agents is not None
    a, b = (r.usage for r in ctx.agents.results)
    assert a is not None and b is not None
    assert not a.of(UseStatus.USED_UNPLANNED)
    assert _actions(b, UseStatus.USED_UNPLANNED) == {"s3:DeleteObject"}
    for usage, other in ((a, "intake-b"), (b, "intake-a")):
        verdicts = {s.summary.source_identity: (s.verdict, s.shared_with) for s in usage.sessions}
        assert verdicts[None] == (Verdict.UNKNOWN, (other,))
        assert len(verdicts) == 2  # its own and the indistinguishable one, not the other's
    # Neither is blamed for the indistinguishable PutObject.
    assert all("s3:PutObject" not in _actions(u, UseStatus.USED_UNPLANNED) for u in (a, b))


def test_no_activity_source_means_no_usage() -> None:
    agent_role = role("reader-role")
    ctx = agent_context(estate(agent_role), agent_file(READER.format(ref=agent_role.id)))
    assert ctx.agents is not None and ctx.agents.results[0].usage is None


def test_nhi701_names_the_identity_s_own_statements_not_a_resource_policy_s() -> None:
    """A grant through a bucket policy is revocable in the agent's activity, but the finding
    asks to change only the role's own policy: the bucket's statement serves others too."""
    from nhiscan.rules.agent_usage import RevocableUnusedGrant

    agent_role = role("reader-role", policies=("arn:aws:iam::123456789012:policy/reader",))
    bucket = resource("shared-drop")
    drop = "arn:aws:s3:::shared-drop/*"
    shared = document({"Effect": "Allow", "Principal": {"AWS": agent_role.id},
                       "Action": "s3:PutObject", "Resource": drop})  # fmt: skip
    e = estate(agent_role, managed_policy("reader", *GRANTS), bucket,
               resource_policy(bucket, shared), trail_scope(),
               trail_session(agent_role.id, trail_use("s3:GetObject", DOCS)))  # fmt: skip
    ctx = agent_context(e, agent_file(READER.format(ref=agent_role.id)))
    assert ctx.agents is not None and ctx.agents.results[0].usage is not None
    revocable = ctx.agents.results[0].usage.of(UseStatus.REVOCABLE)
    via_bucket = [i for i in revocable if i.resource == drop]
    assert [s.policy_id for i in via_bucket for s in i.statements] == [bucket.policy]
    policies = {f.evidence["policy"] for f in RevocableUnusedGrant().evaluate(e, ctx)}
    assert policies == {"arn:aws:iam::123456789012:policy/reader"}
