"""Admin-equivalent NHIs (NHI100)."""

from __future__ import annotations

from typing import Any

from nhiscan.rules.reach import AdminEquivalentNhi
from nhiscan.scanner.model import Finding, Record, Severity
from tests import factories as f
from tests.scanner.graph.builders import ADMIN, granted, trusting

ADMIN_POLICY = f.managed_policy("admin", f.allow("*"))
ADMIN_RULE = AdminEquivalentNhi()


def run(rule: Any, *records: Record | list[Record]) -> list[Finding]:
    flat: list[Record] = []
    for record in records:
        flat += record if isinstance(record, list) else [record]
    e = f.estate(*flat)
    return list(rule.evaluate(e, f.context(graph_of=e)))


# --- NHI100 admin-equivalent NHI -------------------------------------------------------------


def test_a_role_that_is_admin_is_reported_directly() -> None:
    ops = f.role("ops", policies=(ADMIN_POLICY.id,))
    (finding,) = run(ADMIN_RULE, ops, ADMIN_POLICY)
    assert (finding.rule_id, finding.subject, finding.severity) == ("NHI100", ops.id, Severity.HIGH)
    assert finding.evidence["direct"] is True
    assert finding.evidence["admin_account"] == f.ACCOUNT
    assert finding.path == (
        {"from": ops.id, "to": ADMIN, "edge": "is_admin",
         "statements": [{"policy_id": ADMIN_POLICY.id, "index": 0, "sid": None,
                         "effect": "Allow"}]},
    )  # fmt: skip
    assert finding.title == f"Role ops is an administrator of account {f.ACCOUNT}."


def test_an_admin_with_an_active_key_is_critical() -> None:
    bot = f.user("deploy-bot", policies=(ADMIN_POLICY.id,))
    (finding,) = run(ADMIN_RULE, bot, ADMIN_POLICY, f.access_key(bot, id="AKIADEPLOY"))
    assert finding.severity is Severity.CRITICAL
    assert finding.evidence["active_keys"] == ["AKIADEPLOY"]


def test_an_inactive_key_does_not_make_it_critical() -> None:
    bot = f.user("deploy-bot", policies=(ADMIN_POLICY.id,))
    key = f.access_key(bot, status=f.CredentialStatus.INACTIVE)
    (finding,) = run(ADMIN_RULE, bot, ADMIN_POLICY, key)
    assert finding.severity is Severity.HIGH


def test_a_chain_of_assumptions_to_admin() -> None:
    bot = f.user("ci-bot")
    a, b = f.role("a"), f.role("b", policies=(ADMIN_POLICY.id,))
    records = (bot, a, b, trusting(a, bot.id), trusting(b, a.id), ADMIN_POLICY)
    found = {x.subject: x for x in run(ADMIN_RULE, *records, f.access_key(bot))}
    assert set(found) == {bot.id, a.id, b.id}
    chained = found[bot.id]
    assert chained.evidence["direct"] is False
    assert chained.evidence["via"] == [a.id, b.id]
    assert [(h["from"], h["to"], h["edge"]) for h in chained.path] == [
        (bot.id, a.id, "can_assume"),
        (a.id, b.id, "can_assume"),
        (b.id, ADMIN, "is_admin"),
    ]
    assert chained.severity is Severity.CRITICAL
    assert chained.title == (
        f"User ci-bot can become administrator of account {f.ACCOUNT} in 3 hops, through role a."
    )


def test_escalation_to_admin_counts() -> None:
    bot = f.user("ci-bot")
    (finding,) = run(ADMIN_RULE, granted(bot, f.allow("iam:PutUserPolicy", bot.id)))
    assert finding.evidence["direct"] is False
    assert finding.evidence["methods"] == ["iam:PutUserPolicy"]
    assert finding.title.endswith("(iam:PutUserPolicy).")


def test_people_and_service_linked_roles_are_excluded() -> None:
    jane = f.user("jane.doe", console_access=True, policies=(ADMIN_POLICY.id,))
    linked = f.service_linked_role(policies=(ADMIN_POLICY.id,))
    assert f.estate(jane).identities[jane.id].is_human is True  # a console password
    assert run(ADMIN_RULE, jane, linked, ADMIN_POLICY) == []


def test_unclassified_identities_are_included() -> None:
    who = f.user("x7", console_access=None, policies=(ADMIN_POLICY.id,))
    (finding,) = run(ADMIN_RULE, who, ADMIN_POLICY)
    assert finding.evidence["is_human"] is None


def test_a_conditional_admin_is_flagged() -> None:
    mfa_admin = f.managed_policy(
        "mfa-admin", f.allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    )
    ops = f.role("ops", policies=(mfa_admin.id,))
    (finding,) = run(ADMIN_RULE, ops, mfa_admin)
    assert finding.evidence["conditional"] is True


def test_no_admin_no_finding() -> None:
    reader = f.role("reader", policies=(f.policy().id,))
    assert run(ADMIN_RULE, reader, f.policy()) == []
