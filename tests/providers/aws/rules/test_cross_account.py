"""Cross-account assumption (NHI107, NHI108)."""

from __future__ import annotations

from typing import Any

from nhiscan.providers.aws.rules.cross_account import CrossAccountAssumable, CrossAccountAssume
from nhiscan.scanner.graph import admin_node
from nhiscan.scanner.model import Finding, Record, Severity
from tests import factories as f
from tests.scanner.graph.builders import granted, trusting

OTHER_ADMIN_POLICY = f.managed_policy("admin", f.allow("*"), account=f.OTHER_ACCOUNT)
OUTBOUND = CrossAccountAssume()
INBOUND = CrossAccountAssumable()


def run(rule: Any, *records: Record | list[Record]) -> list[Finding]:
    flat: list[Record] = []
    for record in records:
        flat += record if isinstance(record, list) else [record]
    e = f.estate(*flat)
    return list(rule.evaluate(e, f.context(graph_of=e)))


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
