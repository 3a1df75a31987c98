"""Admin-equivalent NHIs (NHI100) and cross-account assumption (NHI107, NHI108)."""

from __future__ import annotations

from typing import Any

from nhiscan.rules.reach import AdminEquivalentNhi, CrossAccountAssumable, CrossAccountAssume
from nhiscan.scanner.graph import admin_node
from nhiscan.scanner.model import Finding, Record, Severity
from tests import factories as f
from tests.scanner.graph.builders import ADMIN, granted, trusting

ADMIN_POLICY = f.managed_policy("admin", f.allow("*"))
OTHER_ADMIN_POLICY = f.managed_policy("admin", f.allow("*"), account=f.OTHER_ACCOUNT)
ADMIN_RULE = AdminEquivalentNhi()
OUTBOUND = CrossAccountAssume()
INBOUND = CrossAccountAssumable()


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


# --- NHI107 / NHI108 cross-account -----------------------------------------------------------


def _crossing(*roles: Any, caller_grant: str | list[str] = "sts:AssumeRole") -> list[Record]:
    """A user of ACCOUNT allowed ``caller_grant`` and roles of OTHER_ACCOUNT trusting it."""
    caller = f.user("ci-bot")
    records: list[Record] = granted(caller, f.allow(caller_grant))
    for role in roles:
        records += [role, trusting(role, {"AWS": caller.id})]
    return records


def test_assuming_a_role_in_another_account() -> None:
    target = f.role("deploy", account=f.OTHER_ACCOUNT)
    (out,) = run(OUTBOUND, _crossing(target))
    assert (out.rule_id, out.subject, out.severity) == ("NHI107", f.user("ci-bot").id,
                                                        Severity.MEDIUM)  # fmt: skip
    evidence = out.evidence
    assert (evidence["identity_account"], evidence["role_account"]) == (f.ACCOUNT, f.OTHER_ACCOUNT)
    assert evidence["accounts"] == sorted([f.ACCOUNT, f.OTHER_ACCOUNT])
    assert evidence["role"] == target.id and evidence["roles"] == 1
    assert [(h["to"], h["edge"]) for h in out.path] == [(target.id, "can_assume")]
    assert out.title == f"User ci-bot can assume role deploy in account {f.OTHER_ACCOUNT}."
    (inbound,) = run(INBOUND, _crossing(target))
    assert (inbound.rule_id, inbound.subject) == ("NHI108", target.id)
    assert inbound.evidence["callers"] == 1
    assert inbound.title == (f"Role deploy can be assumed from account {f.ACCOUNT} by user ci-bot.")


def test_an_admin_role_across_accounts_is_high_and_the_path_reaches_admin() -> None:
    plain = f.role("a-plain", account=f.OTHER_ACCOUNT)
    boss = f.role("z-boss", account=f.OTHER_ACCOUNT, policies=(OTHER_ADMIN_POLICY.id,))
    records = [*_crossing(plain, boss), OTHER_ADMIN_POLICY]
    (out,) = run(OUTBOUND, records)
    assert out.severity is Severity.HIGH
    assert out.evidence["role"] == boss.id and out.evidence["roles"] == 2
    assert out.evidence["sample_roles"] == [boss.id, plain.id]
    assert [h["to"] for h in out.path] == [boss.id, admin_node(f.OTHER_ACCOUNT)]
    inbound = {x.subject: x for x in run(INBOUND, records)}
    assert inbound[boss.id].severity is Severity.HIGH
    assert inbound[plain.id].severity is Severity.MEDIUM


def test_cross_account_needs_the_callers_identity_policy() -> None:
    target = f.role("deploy", account=f.OTHER_ACCOUNT)
    records = _crossing(target, caller_grant="s3:GetObject")
    assert run(OUTBOUND, records) == [] and run(INBOUND, records) == []


def test_same_account_assumption_is_not_cross_account() -> None:
    caller, target = f.role("caller"), f.role("target")
    records = [caller, target, trusting(target, caller.id)]
    assert run(OUTBOUND, *records) == [] and run(INBOUND, *records) == []


def test_one_inbound_finding_per_role_and_calling_account() -> None:
    target = f.role("shared", account=f.OTHER_ACCOUNT)
    callers = [f.user(f"bot-{n}") for n in range(3)]
    records: list[Record] = [target, trusting(target, {"AWS": f.ACCOUNT})]
    for caller in callers:
        records += granted(caller, f.allow("sts:AssumeRole", target.id))
    (inbound,) = run(INBOUND, records)
    assert inbound.evidence["callers"] == 3
    assert inbound.evidence["sample_callers"] == [c.id for c in callers]
    assert inbound.title.endswith("by user bot-0 (and 2 other identities there).")
    assert len(run(OUTBOUND, records)) == 3
