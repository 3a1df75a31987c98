"""Compute methods: passing a role to a new function or instance, and using existing compute."""

from __future__ import annotations

from nhiscan.scanner.authz import Decision
from tests import factories as f
from tests.providers.aws.privesc.fake import Rule
from tests.providers.aws.privesc.helpers import (
    REGION,
    allow,
    by_method,
    escalations,
    function,
    instance,
    instance_profile,
    rule,
    service_role,
    targets,
)

LAMBDA = "PassRole+lambda:CreateFunction+InvokeFunction"
LAMBDA_ACTIONS = ("lambda:CreateFunction", "lambda:InvokeFunction")
RUN_INSTANCES = "PassRole+ec2:RunInstances"


def lambda_rules(principal: str, passable: str = "*") -> list[Rule]:
    passes = allow(principal, "iam:PassRole", passable)
    return [passes, *(allow(principal, a) for a in LAMBDA_ACTIONS)]


# --- passrole-compute ------------------------------------------------------------------------


def test_pass_a_role_trusting_lambda_to_a_new_function() -> None:
    app = f.user("app")
    fn_role, trust = service_role("fn-role", "lambda.amazonaws.com")
    found = escalations([app, fn_role, trust], lambda_rules(app.id))
    [escalation] = by_method(found, LAMBDA)
    assert (escalation.target, escalation.family) == (fn_role.id, "passrole-compute")
    assert [(s.action, s.resource) for s in escalation.steps] == [
        ("iam:PassRole", fn_role.id),
        ("lambda:CreateFunction", "arn:aws:lambda:*:123456789012:function:*"),
        ("lambda:InvokeFunction", "arn:aws:lambda:*:123456789012:function:*"),
    ]


def test_a_role_trusting_only_ec2_is_not_reached_through_lambda() -> None:
    app = f.user("app")
    ec2_role, trust = service_role("ec2-role", "ec2.amazonaws.com")
    found = escalations([app, ec2_role, trust], lambda_rules(app.id))
    assert [e for e in found if e.method.startswith("PassRole+lambda")] == []


def test_passrole_limited_to_one_role() -> None:
    app = f.user("app")
    one, one_trust = service_role("one", "lambda.amazonaws.com")
    two, two_trust = service_role("two", "lambda.amazonaws.com")
    found = escalations([app, one, one_trust, two, two_trust], lambda_rules(app.id, two.id))
    assert targets(found, LAMBDA) == [two.id]


def test_passing_its_own_role_gives_nothing() -> None:
    fn_role, trust = service_role("fn-role", "lambda.amazonaws.com")
    assert escalations([fn_role, trust], lambda_rules(fn_role.id)) == []


def test_run_instances_needs_the_role_in_an_instance_profile() -> None:
    app = f.user("app")
    rules = [allow(app, "iam:PassRole"), allow(app, "ec2:RunInstances")]
    bare, bare_trust = service_role("bare", "ec2.amazonaws.com")
    profiled, profiled_trust = service_role(
        "profiled", "ec2.amazonaws.com", instance_profiles=(f.arn(f.ACCOUNT, "instance-profile/p"),)
    )
    found = escalations([app, bare, bare_trust, profiled, profiled_trust], rules)
    assert targets(found, RUN_INSTANCES) == [profiled.id]


def test_a_deny_on_one_needed_action_removes_the_method() -> None:
    app = f.user("app")
    fn_role, trust = service_role("fn-role", "lambda.amazonaws.com")
    rules = [*lambda_rules(app.id), rule(app, "lambda:InvokeFunction", "*", Decision.DENY)]
    found = escalations([app, fn_role, trust], rules)
    assert by_method(found, LAMBDA) == []
    assert by_method(found, "PassRole+lambda:CreateFunction+AddPermission") == []


def test_a_conditional_permission_marks_the_escalation_conditional() -> None:
    app = f.user("app")
    fn_role, trust = service_role("fn-role", "lambda.amazonaws.com")
    rules = [
        rule(app, "iam:PassRole", fn_role.id, Decision.CONDITIONAL),
        *(allow(app, a) for a in LAMBDA_ACTIONS),
    ]
    [escalation] = by_method(escalations([app, fn_role, trust], rules), LAMBDA)
    assert escalation.conditional and not escalation.potential
    passrole = escalation.steps[0]
    assert passrole.evaluation.decision is Decision.CONDITIONAL
    assert passrole.evaluation.undecided[0].sid == "iam:PassRole"


def test_a_grant_scoped_to_a_region_is_recognised() -> None:
    app = f.user("app")
    fn_role, trust = service_role("fn-role", "lambda.amazonaws.com")
    regional = f"arn:aws:lambda:{REGION}:{f.ACCOUNT}:function:*"
    rules = [allow(app, "iam:PassRole"), *(allow(app, a, regional) for a in LAMBDA_ACTIONS)]
    seen = function("seen", fn_role)  # puts the region in the snapshot
    [escalation] = by_method(escalations([app, fn_role, trust, seen], rules), LAMBDA)
    assert escalation.steps[1].resource == regional


# --- existing-compute ------------------------------------------------------------------------


def test_update_function_code_reaches_the_functions_role() -> None:
    app, fn_role = f.user("app"), f.role("fn-role")
    fn = function("fn", fn_role)
    found = escalations([app, fn_role, fn], [allow(app, "lambda:UpdateFunctionCode", fn.id)])
    [escalation] = by_method(found, "lambda:UpdateFunctionCode")
    assert (escalation.target, escalation.potential) == (fn_role.id, False)
    assert escalation.steps[0].resource == fn.id


def test_update_function_code_without_a_function_is_potential() -> None:
    app = f.user("app")
    found = escalations([app], [allow(app, "lambda:UpdateFunctionCode")])
    [escalation] = by_method(found, "lambda:UpdateFunctionCode")
    assert (escalation.target, escalation.potential) == ("unknown", True)
    assert escalation.missing == "a Lambda function (none in the snapshot)"


def test_no_potential_when_the_permission_is_missing_too() -> None:
    app = f.user("app")
    assert escalations([app], [allow(app, "lambda:GetFunction")]) == []


def test_uncollected_compute_is_potential() -> None:
    app = f.user("app")
    found = escalations([app], [allow(app, "glue:UpdateDevEndpoint")])
    [escalation] = by_method(found, "glue:UpdateDevEndpoint")
    assert escalation.potential and escalation.target == "unknown"
    assert escalation.missing is not None and "Glue development endpoint" in escalation.missing


def test_send_command_reaches_the_role_of_a_running_instances_profile() -> None:
    app, web = f.user("app"), f.role("web")
    profile = instance_profile("web", web)
    box = instance("i-1", profile.id)
    found = escalations([app, web, profile, box], [allow(app, "ssm:SendCommand", box.id)])
    [escalation] = by_method(found, "ssm:SendCommand")
    assert (escalation.target, escalation.family) == (web.id, "existing-compute")


def test_instance_profile_found_through_the_role_too() -> None:
    app = f.user("app")
    profile = f.arn(f.ACCOUNT, "instance-profile/web")
    web = f.role("web", instance_profiles=(profile,))
    box = instance("i-1", profile, state=None)
    found = escalations([app, web, box], [allow(app, "ssm:StartSession")])
    assert targets(found, "ssm:StartSession") == [web.id]


def test_stopped_instances_are_not_reached() -> None:
    app, web = f.user("app"), f.role("web")
    profile = instance_profile("web", web)
    box = instance("i-1", profile.id, state="stopped")
    found = escalations([app, web, profile, box], [allow(app, "ssm:SendCommand")])
    [escalation] = by_method(found, "ssm:SendCommand")
    assert escalation.potential and escalation.target == "unknown"


def test_an_unknown_profile_is_potential_with_its_arn() -> None:
    app = f.user("app")
    box = instance("i-1", f.arn(f.ACCOUNT, "instance-profile/gone"))
    found = escalations([app, box], [allow(app, "ec2-instance-connect:SendSSHPublicKey")])
    [escalation] = by_method(found, "ec2-instance-connect:SendSSHPublicKey")
    assert escalation.potential and escalation.target == "unknown"
    assert escalation.missing is not None and "instance-profile/gone" in escalation.missing
