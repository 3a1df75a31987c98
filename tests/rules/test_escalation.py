"""Privilege-escalation findings (NHI101-NHI106): one per (principal, method), the most valuable
target, bounded evidence, the JSON contract, severity, and potential escalations."""

from __future__ import annotations

from typing import Any

from nhiscan.providers.aws.facts import FACTS as AWS_FACTS
from nhiscan.providers.aws.privesc import BY_NAME, METHODS
from nhiscan.rules.escalation import (
    CredentialCreationEscalation,
    ExistingComputeEscalation,
    GroupMembershipEscalation,
    PassRoleComputeEscalation,
    PolicyModificationEscalation,
    TrustModificationEscalation,
)
from nhiscan.rules.escalation_meta import FAMILY_METAS
from nhiscan.scanner.escalation import Family
from nhiscan.scanner.model import Finding, Identity, Record, Severity
from tests import factories as f
from tests.scanner.graph.builders import ADMIN, function, granted, trusting

ADMIN_POLICY = f.managed_policy("admin", f.allow("*"))
POLICY = PolicyModificationEscalation()
GROUP = GroupMembershipEscalation()
KEYS = CredentialCreationEscalation()
TRUST = TrustModificationEscalation()
PASS = PassRoleComputeEscalation()
COMPUTE = ExistingComputeEscalation()
OFFICE_IP = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}


def run(rule: Any, *records: Record | list[Record]) -> list[Finding]:
    flat: list[Record] = []
    for record in records:
        flat += record if isinstance(record, list) else [record]
    e = f.estate(*flat)
    return list(rule.evaluate(e, f.context(graph_of=e)))


def _bot(name: str = "ci-bot", **overrides: Any) -> Identity:
    return f.user(name, **overrides)


def test_each_family_has_its_own_rule_id() -> None:
    ids = {family: meta.id for family, meta in FAMILY_METAS.items()}
    assert Family.ROLE_ASSUMPTION not in ids
    assert sorted(ids.values()) == [f"NHI10{n}" for n in range(1, 7)]
    rules = (POLICY, GROUP, KEYS, TRUST, PASS, COMPUTE)
    assert [r.meta.id for r in rules] == [ids[r.family] for r in rules]


def test_the_aws_table_is_what_the_rules_read() -> None:
    assert list(AWS_FACTS.escalation_methods) == [m.name for m in METHODS]
    assert {m.family for m in METHODS if m.enumerated} <= set(FAMILY_METAS)


def test_aws_findings_keep_aws_words_and_name_no_scope() -> None:
    bot = _bot()
    (finding,) = run(POLICY, granted(bot, f.allow("iam:PutUserPolicy", bot.id)))
    evidence = finding.evidence
    assert "scope" not in evidence
    assert list(evidence)[-1] == "permissions_boundary"
    assert evidence["description"] == BY_NAME["iam:PutUserPolicy"].description
    assert evidence["reference"] == BY_NAME["iam:PutUserPolicy"].reference
    assert finding.remediation == AWS_FACTS.remediations["NHI101"]
    assert finding.remediation != POLICY.meta.remediation  # the rule's own is neutral


def test_self_escalation_to_admin_with_an_active_key_is_critical() -> None:
    bot = _bot()
    records = granted(bot, f.allow("iam:PutUserPolicy", bot.id))
    (finding,) = run(POLICY, records, f.access_key(bot, id="AKIABOT"))
    assert (finding.rule_id, finding.subject, finding.severity) == (
        "NHI101", bot.id, Severity.CRITICAL)  # fmt: skip
    evidence = finding.evidence
    assert evidence["method"] == "iam:PutUserPolicy"
    assert evidence["target"] == "admin" and evidence["reaches_admin"] is True
    assert evidence["potential"] is False and evidence["missing"] is None
    assert evidence["conditional"] is False
    assert evidence["exposure"] == ["active access key AKIABOT"]
    assert finding.path == (
        {"from": bot.id, "to": ADMIN, "edge": "escalates_to", "method": "iam:PutUserPolicy",
         "statements": [{"policy_id": f"{bot.id}#inline/grant", "index": 0, "sid": None,
                         "effect": "Allow"}]},
    )  # fmt: skip
    assert finding.title == (
        f"User ci-bot can escalate to administrator of account {f.ACCOUNT} through "
        "iam:PutUserPolicy."
    )


def test_reaching_admin_without_exposure_is_high() -> None:
    app = f.role("app")
    (finding,) = run(POLICY, granted(app, f.allow("iam:AttachRolePolicy", app.id)))
    assert finding.severity is Severity.HIGH
    assert finding.evidence["method"] == "iam:AttachRolePolicy"


def test_a_public_or_cross_account_role_reaching_admin_is_critical() -> None:
    public, partner = f.role("public"), f.role("partner")
    for role, principal in ((public, {"AWS": "*"}), (partner, {"AWS": f.OTHER_ACCOUNT})):
        records = granted(role, f.allow("iam:PutRolePolicy", role.id))
        (finding,) = run(POLICY, records, trusting(role, principal))
        assert finding.severity is Severity.CRITICAL, role.name
    (public_finding,) = run(
        POLICY, granted(public, f.allow("iam:PutRolePolicy", public.id)), trusting(public, "*")
    )
    assert public_finding.evidence["exposure"] == ["public trust policy"]


def test_a_persons_key_does_not_make_it_critical() -> None:
    jane = f.user("jane.doe", console_access=True)
    records = granted(jane, f.allow("iam:PutUserPolicy", jane.id))
    (finding,) = run(POLICY, records, f.access_key(jane))
    assert finding.severity is Severity.HIGH
    assert finding.evidence["exposure"] == []


def test_one_finding_per_principal_and_method_however_many_targets() -> None:
    bot = _bot()
    victims = [f.user(f"victim-{n:02d}") for n in range(30)]
    records = granted(bot, f.allow(["iam:CreateAccessKey", "iam:UpdateAssumeRolePolicy"]))
    (finding,) = run(KEYS, records, *victims)
    evidence = finding.evidence
    assert evidence["targets"] == 30
    assert evidence["sample_targets"] == [v.id for v in victims[:10]]
    assert evidence["target"] == victims[0].id and evidence["reaches_admin"] is False
    assert finding.severity is Severity.MEDIUM
    assert finding.title == (
        "User ci-bot can escalate to user victim-00 through iam:CreateAccessKey "
        "(and 29 other targets)."
    )
    assert [h["edge"] for h in finding.path] == ["escalates_to"]


def test_the_target_that_reaches_admin_is_chosen_and_the_path_continues_to_admin() -> None:
    bot = _bot()
    plain = [f.user(f"a-plain-{n}") for n in range(3)]
    boss = f.user("z-boss", policies=(ADMIN_POLICY.id,))
    records = granted(bot, f.allow("iam:CreateAccessKey"))
    (finding,) = run(KEYS, records, *plain, boss, ADMIN_POLICY, f.access_key(bot))
    assert finding.evidence["target"] == boss.id
    assert finding.evidence["sample_targets"][0] == boss.id
    assert finding.severity is Severity.CRITICAL
    assert [(h["from"], h["to"], h["edge"]) for h in finding.path] == [
        (bot.id, boss.id, "escalates_to"),
        (boss.id, ADMIN, "is_admin"),
    ]
    assert finding.path[1]["statements"][0]["policy_id"] == ADMIN_POLICY.id
    assert "which reaches admin" in finding.title


def test_the_fingerprint_is_keyed_by_method_not_target() -> None:
    bot = _bot()
    records = granted(bot, f.allow("iam:CreateAccessKey"))
    (few,) = run(KEYS, records, f.user("v1"))
    (more,) = run(KEYS, records, f.user("v0"), f.user("v1"), f.user("v2"))
    assert few.fingerprint == more.fingerprint
    assert few.evidence["target"] != more.evidence["target"]


def test_administrators_are_not_reported_as_escalating() -> None:
    ops = f.role("ops", policies=(ADMIN_POLICY.id,))
    assert run(POLICY, ops, ADMIN_POLICY) == []


def test_service_linked_roles_are_skipped() -> None:
    linked = f.service_linked_role()
    assert run(POLICY, granted(linked, f.allow("iam:PutRolePolicy", linked.id))) == []


def test_an_undecidable_condition_makes_it_conditional() -> None:
    bot = _bot()
    (finding,) = run(
        POLICY, granted(bot, f.allow("iam:PutUserPolicy", bot.id, Condition=OFFICE_IP))
    )
    assert finding.evidence["conditional"] is True
    assert finding.path[0].get("conditional") is True
    assert finding.evidence["steps"][0]["decision"] == "conditional"


def test_joining_an_admin_group_reaches_admin_through_the_group() -> None:
    admins = f.group("admins", policies=(ADMIN_POLICY.id,))
    bot = _bot()
    (finding,) = run(GROUP, granted(bot, f.allow("iam:AddUserToGroup")), admins, ADMIN_POLICY)
    assert finding.evidence["target"] == admins.id and finding.evidence["reaches_admin"]
    assert [(h["to"], h["edge"]) for h in finding.path] == [
        (admins.id, "escalates_to"),
        (ADMIN, "is_admin"),
    ]
    assert finding.title.startswith("User ci-bot can escalate to group admins, which reaches")


def test_rewriting_an_admin_roles_trust() -> None:
    deployer, boss = f.role("deployer"), f.role("boss", policies=(ADMIN_POLICY.id,))
    records = granted(deployer, f.allow("iam:UpdateAssumeRolePolicy"))
    (finding,) = run(TRUST, records, boss, ADMIN_POLICY)
    assert (finding.subject, finding.evidence["target"]) == (deployer.id, boss.id)
    assert [h["edge"] for h in finding.path] == ["escalates_to", "is_admin"]


def test_passing_an_admin_role_to_a_new_function() -> None:
    bot, worker = _bot(), f.role("worker", policies=(ADMIN_POLICY.id,))
    needs = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
    lam = trusting(worker, {"Service": "lambda.amazonaws.com"})
    (finding,) = run(PASS, granted(bot, f.allow(needs)), worker, lam, ADMIN_POLICY)
    assert finding.evidence["method"] == "PassRole+lambda:CreateFunction+InvokeFunction"
    assert finding.evidence["target"] == worker.id
    assert [s["action"] for s in finding.evidence["steps"]] == needs


def test_existing_compute_leads_to_the_role_it_runs_as() -> None:
    bot, worker = _bot(), f.role("worker", policies=(ADMIN_POLICY.id,))
    fn = function("nightly", worker)
    (finding,) = run(COMPUTE, granted(bot, f.allow("lambda:UpdateFunctionCode")), worker, fn,
                     ADMIN_POLICY)  # fmt: skip
    assert finding.evidence["potential"] is False
    assert finding.evidence["target"] == worker.id
    assert finding.evidence["steps"][0]["resource"] == fn.id
    assert [h["edge"] for h in finding.path] == ["escalates_to", "is_admin"]


def test_a_potential_escalation_is_titled_as_such_and_has_no_path() -> None:
    bot = _bot()
    records = granted(bot, f.allow("lambda:UpdateFunctionCode"))
    (finding,) = run(COMPUTE, records, f.access_key(bot))
    evidence = finding.evidence
    assert evidence["potential"] is True
    assert "Lambda function" in evidence["missing"]
    assert evidence["target"] == "unknown" and evidence["targets"] == 0
    assert finding.path == ()
    assert finding.severity is Severity.LOW
    assert finding.title == (
        "User ci-bot could escalate through lambda:UpdateFunctionCode if a Lambda function existed."
    )


def test_a_potential_escalation_to_admin_is_medium_at_most() -> None:
    managed = f.managed_policy("mine", f.allow("iam:SetDefaultPolicyVersion"))
    bot = _bot(policies=(managed.id,))
    (finding,) = run(POLICY, bot, managed, f.access_key(bot))
    assert finding.evidence["potential"] is True and finding.evidence["target"] == "admin"
    assert finding.severity is Severity.MEDIUM
    assert finding.path == ()
    assert "could escalate to administrator" in finding.title and "existed" in finding.title


def test_findings_come_by_principal_then_method_table_order() -> None:
    first, second = _bot("a-bot"), _bot("b-bot")
    grants = f.allow(["iam:PutUserPolicy", "iam:AttachUserPolicy"])
    found = run(POLICY, granted(second, grants), granted(first, grants))
    assert [(x.subject, x.evidence["method"]) for x in found] == [
        (first.id, "iam:AttachUserPolicy"),
        (first.id, "iam:PutUserPolicy"),
        (second.id, "iam:AttachUserPolicy"),
        (second.id, "iam:PutUserPolicy"),
    ]


def test_a_deny_in_a_second_policy_removes_the_finding() -> None:
    guard = f.managed_policy("guard", f.deny("iam:PutUserPolicy"))
    bot = _bot(policies=(guard.id,))
    records = granted(bot, f.allow("iam:PutUserPolicy", bot.id))
    assert run(POLICY, records, guard) == []


def test_a_target_whose_console_password_was_not_collected_is_potential() -> None:
    bot, bob = _bot(), f.user("bob", console_access=None)
    (finding,) = run(KEYS, granted(bot, f.allow("iam:UpdateLoginProfile")), bob)
    assert finding.evidence["potential"] is True and finding.evidence["target"] == bob.id
    assert finding.path == ()
    assert finding.title == (
        "User ci-bot could escalate to user bob through iam:UpdateLoginProfile, depending on "
        f"whether {bob.id} has a console password."
    )


def test_a_trust_open_to_an_organization_counts_as_cross_account() -> None:
    app = f.role("app")
    org = {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}
    trust = f.trust_policy(app, f.document(f.assume_role_statement("*", condition=org)))
    (finding,) = run(POLICY, granted(app, f.allow("iam:PutRolePolicy", app.id)), trust)
    assert finding.severity is Severity.CRITICAL
    assert finding.evidence["exposure"] == ["trust admits any principal under aws:PrincipalOrgID"]


# --- precision (issue 16): login profiles an export cannot tell, roles one cannot become -----


def test_create_login_profile_unknown_names_the_most_powerful_target_and_what_could_stop_it() -> (
    None
):
    # An account export holds no login profiles (console_access None): concrete, conditional,
    # ranked by the target's power, "unless it already has a console password".
    bot = _bot()
    boss = f.user("boss", policies=(ADMIN_POLICY.id,))
    clerk = f.user("a-clerk")  # first by id, but reaches nothing
    records = granted(bot, f.allow("iam:CreateLoginProfile"))
    (finding,) = run(KEYS, records, boss, clerk, ADMIN_POLICY)
    evidence = finding.evidence
    assert (evidence["target"], evidence["reaches_admin"]) == (boss.id, True)
    assert (evidence["potential"], evidence["conditional"]) == (False, True)
    assert evidence["missing"].startswith(f"{boss.id} already has a console password")
    assert finding.severity is Severity.HIGH
    assert finding.title.endswith(f", unless {boss.id} already has a console password.")
    assert finding.path and finding.path[0]["to"] == boss.id


def test_create_login_profile_for_a_user_known_to_have_none_is_certain() -> None:
    bot = _bot()
    boss = f.user("boss", policies=(ADMIN_POLICY.id,), console_access=False)
    (finding,) = run(KEYS, granted(bot, f.allow("iam:CreateLoginProfile")), boss, ADMIN_POLICY)
    assert finding.evidence["conditional"] is False and finding.evidence["missing"] is None
    assert "unless" not in finding.title


def test_changing_an_admin_role_one_cannot_become_is_no_finding() -> None:
    bot = _bot()
    ops = f.role("ops", policies=(ADMIN_POLICY.id,))
    grant = f.allow(["iam:AttachRolePolicy", "sts:AssumeRole"])
    closed = [*granted(bot, grant), ops, ADMIN_POLICY, f.trust_policy(ops)]
    assert run(POLICY, *closed) == []
    worker = f.role("worker")
    opened = [*granted(bot, grant), worker, trusting(worker, {"AWS": bot.id})]
    (finding,) = run(POLICY, *opened)
    assert finding.evidence["method"] == "iam:AttachRolePolicy/other-role"
    assert (finding.evidence["target"], finding.severity) == ("admin", Severity.HIGH)
    assert [s["action"] for s in finding.evidence["steps"]] == [
        "sts:AssumeRole",
        "iam:AttachRolePolicy",
    ]


def test_a_conditional_step_names_what_it_depends_on() -> None:
    bot = _bot()
    records = granted(bot, f.allow("iam:PutUserPolicy", bot.id, Condition=OFFICE_IP))
    (finding,) = run(POLICY, records)
    [step] = finding.evidence["steps"]
    assert step["decision"] == "conditional"
    assert "aws:SourceIp" in step["depends_on"]
    (certain,) = run(POLICY, granted(bot, f.allow("iam:PutUserPolicy", bot.id)))
    assert "depends_on" not in certain.evidence["steps"][0]
