"""IAM-only methods: policies, groups, credentials and trust, each triggering and not."""

from __future__ import annotations

import pytest

from nhiscan.scanner.authz import Decision
from nhiscan.scanner.model import CredentialKind, PolicyKind
from tests import factories as f
from tests.providers.aws.privesc.helpers import allow, by_method, escalations, targets

# --- policy modification ---------------------------------------------------------------------


def test_user_putting_a_policy_on_itself_is_admin() -> None:
    app = f.user("app")
    found = escalations([app], [allow(app, "iam:PutUserPolicy", app.id)])
    [escalation] = by_method(found, "iam:PutUserPolicy")
    assert escalation.target == "admin"
    assert escalation.family == "policy-modification"
    assert not escalation.potential and not escalation.conditional
    [step] = escalation.steps
    assert (step.action, step.resource) == ("iam:PutUserPolicy", app.id)
    assert step.evaluation.decision is Decision.ALLOW
    assert step.evaluation.allowed_by[0].policy_id == "fake"


def test_role_with_put_user_policy_gains_nothing() -> None:
    deploy = f.role("deploy")
    assert escalations([deploy, f.user("other")], [allow(deploy, "iam:PutUserPolicy")]) == []


def test_role_putting_a_policy_on_itself_is_admin() -> None:
    deploy = f.role("deploy")
    found = escalations([deploy], [allow(deploy, "iam:PutRolePolicy", deploy.id)])
    assert targets(found, "iam:PutRolePolicy") == ["admin"]


def test_user_with_put_role_policy_on_itself_has_nothing_to_apply_it_to() -> None:
    app = f.user("app")
    assert escalations([app], [allow(app, "iam:PutRolePolicy", app.id)]) == []


@pytest.mark.parametrize(
    ("action", "user_gains"),
    [
        ("iam:AttachUserPolicy", True),
        ("iam:PutUserPolicy", True),
        ("iam:AttachRolePolicy", False),
        ("iam:PutRolePolicy", False),
    ],
)
def test_self_policy_methods_escalate_one_kind_only(action: str, user_gains: bool) -> None:
    app, deploy = f.user("app"), f.role("deploy")
    rules = [allow(app, action, app.id), allow(deploy, action, deploy.id)]
    found = escalations([app, deploy], rules)
    winners = {e.principal for e in by_method(found, action)}
    assert winners == {app.id if user_gains else deploy.id}


def test_policy_on_another_role_it_can_assume_is_admin_through_that_role() -> None:
    app, target = f.user("app"), f.role("target")
    linked = f.service_linked_role()
    rules = [allow(app, "iam:AttachRolePolicy"), allow(app, "sts:AssumeRole", target.id)]
    found = escalations([app, target, linked], rules)
    [escalation] = by_method(found, "iam:AttachRolePolicy/other-role")
    assert escalation.target == "admin"
    assert [s.resource for s in escalation.steps] == [target.id, target.id]
    assert by_method(found, "iam:AttachRolePolicy") == []


def test_policy_on_another_role_it_cannot_act_as_is_nothing() -> None:
    app, target = f.user("app"), f.role("target")
    found = escalations([app, target], [allow(app, "iam:AttachRolePolicy")])
    assert by_method(found, "iam:AttachRolePolicy/other-role") == []


def test_create_policy_version_on_an_attached_customer_policy_is_admin() -> None:
    mine = f.policy(id=f.arn(f.ACCOUNT, "policy/mine"), name="mine")
    team = f.group("team", policies=(mine.id,))
    app = f.user("app", member_of=(team.id,))
    found = escalations([app, team, mine], [allow(app, "iam:CreatePolicyVersion", mine.id)])
    [escalation] = by_method(found, "iam:CreatePolicyVersion")
    assert (escalation.target, escalation.potential) == ("admin", False)
    assert escalation.steps[0].resource == mine.id


def test_create_policy_version_without_an_attached_customer_policy_is_potential() -> None:
    managed = f.policy(
        id="arn:aws:iam::aws:policy/ReadOnlyAccess", kind=PolicyKind.AWS_MANAGED, account=None
    )
    app = f.user("app", policies=(managed.id,))
    found = escalations([app, managed], [allow(app, "iam:CreatePolicyVersion")])
    [escalation] = by_method(found, "iam:CreatePolicyVersion")
    assert (escalation.target, escalation.potential) == ("admin", True)
    assert escalation.missing is not None and "customer-managed policy" in escalation.missing
    assert escalation.steps[0].resource == f"arn:aws:iam::{f.ACCOUNT}:policy/*"


def test_set_default_policy_version_is_potential_as_versions_are_not_collected() -> None:
    mine = f.policy(id=f.arn(f.ACCOUNT, "policy/mine"), name="mine")
    app = f.user("app", policies=(mine.id,))
    found = escalations([app, mine], [allow(app, "iam:SetDefaultPolicyVersion", mine.id)])
    [escalation] = by_method(found, "iam:SetDefaultPolicyVersion")
    assert (escalation.target, escalation.potential) == ("admin", True)
    assert escalation.missing is not None and "version" in escalation.missing


def test_group_policy_needs_membership() -> None:
    team = f.group("team")
    member, loner = f.user("member", member_of=(team.id,)), f.user("loner")
    rules = [allow("*", "iam:PutGroupPolicy", team.id)]
    found = escalations([team, member, loner], rules)
    [concrete] = by_method(found, "iam:PutGroupPolicy")
    assert (concrete.principal, concrete.target, concrete.potential) == (member.id, "admin", False)


def test_group_policy_without_any_group_is_potential() -> None:
    loner = f.user("loner")
    found = escalations([loner], [allow(loner, "iam:AttachGroupPolicy")])
    [escalation] = by_method(found, "iam:AttachGroupPolicy")
    assert escalation.potential and escalation.target == "admin"


# --- group membership ------------------------------------------------------------------------


def test_add_user_to_group_reaches_the_groups_it_is_not_in() -> None:
    admins, team = f.group("admins"), f.group("team")
    app = f.user("app", member_of=(team.id,))
    found = escalations([admins, team, app], [allow(app, "iam:AddUserToGroup")])
    [escalation] = by_method(found, "iam:AddUserToGroup")
    assert (escalation.target, escalation.family) == (admins.id, "group-membership")


def test_roles_cannot_join_groups() -> None:
    deploy = f.role("deploy")
    assert escalations([deploy, f.group("admins")], [allow(deploy, "iam:AddUserToGroup")]) == []


# --- credential creation ---------------------------------------------------------------------


def test_access_key_for_another_user_reaches_that_user() -> None:
    app, admin = f.user("app"), f.user("admin")
    found = escalations([app, admin], [allow(app, "iam:CreateAccessKey", admin.id)])
    assert targets(found, "iam:CreateAccessKey") == [admin.id]


def test_access_key_for_itself_gives_nothing() -> None:
    app = f.user("app")
    assert escalations([app, f.user("other")], [allow(app, "iam:CreateAccessKey", app.id)]) == []


def test_users_of_another_account_are_not_targets() -> None:
    app, far = f.user("app"), f.user("far", account=f.OTHER_ACCOUNT)
    [escalation] = escalations([app, far], [allow(app, "iam:CreateAccessKey")])
    assert (escalation.target, escalation.potential) == ("unknown", True)
    assert escalation.missing == "another IAM user"


def test_create_login_profile_for_a_user_without_one() -> None:
    app, admin = f.user("app"), f.user("admin", console_access=False)
    found = escalations([app, admin], [allow(app, "iam:CreateLoginProfile")])
    [escalation] = by_method(found, "iam:CreateLoginProfile")
    assert (escalation.target, escalation.potential) == (admin.id, False)


def test_create_login_profile_when_the_user_has_one_is_potential() -> None:
    app, admin = f.user("app"), f.user("admin")
    found = escalations([app, admin, f.password(admin)], [allow(app, "iam:CreateLoginProfile")])
    [escalation] = by_method(found, "iam:CreateLoginProfile")
    assert escalation.potential and escalation.target == admin.id
    assert escalation.missing is not None and "without a console password" in escalation.missing


def test_update_login_profile_needs_one_to_exist() -> None:
    app, admin = f.user("app"), f.user("admin")
    with_password = escalations(
        [app, admin, f.password(admin)], [allow(app, "iam:UpdateLoginProfile")]
    )
    [concrete] = by_method(with_password, "iam:UpdateLoginProfile")
    assert (concrete.target, concrete.potential, concrete.missing) == (admin.id, False, None)

    admin_without = f.user("admin", console_access=False)
    without = escalations([app, admin_without], [allow(app, "iam:UpdateLoginProfile")])
    [potential] = by_method(without, "iam:UpdateLoginProfile")
    assert potential.potential and potential.missing is not None
    assert "with a console password" in potential.missing


def test_potential_over_several_users_names_none_of_them() -> None:
    app = f.user("app")
    others = [f.user(name, console_access=False) for name in ("a", "b")]
    found = escalations([app, *others], [allow(app, "iam:UpdateLoginProfile")])
    [escalation] = by_method(found, "iam:UpdateLoginProfile")
    assert (escalation.target, escalation.potential) == ("unknown", True)
    action, resource, evaluation = escalation.steps[0]
    assert (action, resource) == ("iam:UpdateLoginProfile", others[0].id)
    assert evaluation.decision is Decision.ALLOW


def test_unknown_login_profile_is_potential_per_user() -> None:
    app, admin = f.user("app"), f.user("admin", console_access=None)
    found = escalations([app, admin], [allow(app, "iam:UpdateLoginProfile")])
    [escalation] = by_method(found, "iam:UpdateLoginProfile")
    assert escalation.potential and escalation.target == admin.id
    assert escalation.missing is not None and "not collected" in escalation.missing


def test_no_potential_without_the_permission() -> None:
    app, admin = f.user("app"), f.user("admin", console_access=False)
    assert escalations([app, admin], [allow(app, "iam:ListUsers")]) == []


def test_password_credential_counts_as_a_login_profile() -> None:
    admin = f.user("admin", console_access=None)
    secret = f.password(admin)
    assert secret.kind is CredentialKind.PASSWORD
    app = f.user("app")
    found = escalations([app, admin, secret], [allow(app, "iam:UpdateLoginProfile")])
    assert [e.potential for e in by_method(found, "iam:UpdateLoginProfile")] == [False]


# --- trust modification ----------------------------------------------------------------------


def test_update_assume_role_policy_reaches_the_role() -> None:
    app, target = f.user("app"), f.role("target")
    found = escalations([app, target], [allow(app, "iam:UpdateAssumeRolePolicy", target.id)])
    [escalation] = by_method(found, "iam:UpdateAssumeRolePolicy")
    assert (escalation.target, escalation.family) == (target.id, "trust-modification")


def test_service_linked_roles_cannot_be_retrusted() -> None:
    app, linked = f.user("app"), f.service_linked_role()
    found = escalations([app, linked], [allow(app, "iam:UpdateAssumeRolePolicy", linked.id)])
    assert found == []


def test_assume_role_is_left_to_the_reach_graph() -> None:
    app, target = f.user("app"), f.role("target")
    assert escalations([app, target], [allow(app, "sts:AssumeRole")]) == []
