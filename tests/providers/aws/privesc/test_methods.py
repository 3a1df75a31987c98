"""The escalation table is well formed: names, actions, targets and what each method needs agree
with each other and with the AWS action catalogue."""

from __future__ import annotations

import re

import pytest

from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.providers.aws.privesc import BY_NAME, METHODS, AppliesTo, Family, Method, On, Target
from nhiscan.providers.aws.privesc.method import Requires
from nhiscan.providers.aws.privesc.methods import (
    KIND_PLACEHOLDERS,
    KIND_WORDS,
    RESOURCE_KINDS,
    missing_words,
    placeholder,
)

# Every method the published lists name (Rhino Security Labs parts 1 and 2, Bishop Fox's
# iam-vulnerable, pacu, and the later PassRole/existing-compute paths), by table name.
REQUIRED = (
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "sts:AssumeRole",
    "PassRole+ec2:RunInstances",
    "PassRole+lambda:CreateFunction+InvokeFunction",
    "PassRole+lambda:CreateFunction+CreateEventSourceMapping",
    "PassRole+lambda:CreateFunction+AddPermission",
    "lambda:UpdateFunctionCode",
    "PassRole+cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "PassRole+glue:CreateDevEndpoint",
    "glue:UpdateDevEndpoint",
    "PassRole+glue:CreateJob+StartJobRun",
    "PassRole+sagemaker:CreateNotebookInstance+CreatePresignedNotebookInstanceUrl",
    "sagemaker:CreatePresignedNotebookInstanceUrl",
    "PassRole+sagemaker:CreateTrainingJob",
    "PassRole+sagemaker:CreateProcessingJob",
    "PassRole+codebuild:CreateProject+StartBuild",
    "codebuild:StartBuild",
    "codebuild:UpdateProject+StartBuild",
    "PassRole+datapipeline:CreatePipeline+PutPipelineDefinition+ActivatePipeline",
    "PassRole+ecs:RegisterTaskDefinition+RunTask",
    "PassRole+ecs:RegisterTaskDefinition+StartTask",
    "PassRole+ecs:RegisterTaskDefinition+CreateService",
    "ssm:SendCommand",
    "ssm:StartSession",
    "ec2-instance-connect:SendSSHPublicKey",
)

# The spec a target kind is reached through.
TARGET_SPECS = {
    # A role it can act as (Requires.ACT_AS) made admin: the only ADMIN method on other roles.
    Target.ADMIN: {On.SELF, On.MEMBER_GROUP, On.ATTACHED_POLICY, On.TARGET_ROLE},
    Target.TARGET_USER: {On.TARGET_USER},
    Target.TARGET_ROLE: {On.TARGET_ROLE},
    Target.TARGET_GROUP: {On.TARGET_GROUP},
    Target.PASSED_ROLE: {On.PASSABLE_ROLE},
    Target.EXISTING_RESOURCE_ROLE: {On.EXISTING_RESOURCE},
}

ACCOUNT = "123456789012"
_ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")
_VARIABLE = re.compile(r"\\\$\\\{[^}]*\\\}")

by_name = pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)


def test_names_are_unique() -> None:
    assert len({m.name for m in METHODS}) == len(METHODS) == len(BY_NAME)


@pytest.mark.parametrize("name", REQUIRED)
def test_every_published_method_is_present(name: str) -> None:
    assert name in BY_NAME


def test_every_family_and_target_is_used() -> None:
    assert {m.family for m in METHODS} == set(Family)
    assert {m.target for m in METHODS} == set(Target)


@by_name
def test_actions_are_catalogued_with_their_casing(method: Method) -> None:
    for action in method.actions:
        assert _ACTION.match(action), action
        info = default_catalog().info(action)
        assert info is not None, f"{action} is not in the action catalogue"
        assert info.name == action, f"{action} is spelled {info.name} in the catalogue"
    assert len(set(method.needs)) == len(method.needs)


@by_name
def test_one_target_spec_and_it_fits_the_target(method: Method) -> None:
    assert method.target_spec is not None, "every method enumerates exactly one kind of target"
    assert method.target_spec in TARGET_SPECS[method.target]
    if method.target is Target.ADMIN and method.target_spec is On.TARGET_ROLE:
        assert method.requires is Requires.ACT_AS


@by_name
def test_passrole_methods_name_a_service_and_a_passable_role(method: Method) -> None:
    passes = any(n.action == "iam:PassRole" and n.on is On.PASSABLE_ROLE for n in method.needs)
    is_passrole = method.family is Family.PASSROLE_COMPUTE
    assert passes == is_passrole == (method.target is Target.PASSED_ROLE)
    assert (method.service is not None) == is_passrole
    if method.service is not None:
        assert re.fullmatch(r"[a-z0-9-]+\.amazonaws\.com", method.service)
        assert method.name.startswith("PassRole+")
    assert all(n.action != "iam:PassRole" or n.on is On.PASSABLE_ROLE for n in method.needs)


@by_name
def test_existing_compute_names_a_known_resource_kind(method: Method) -> None:
    existing = method.family is Family.EXISTING_COMPUTE
    assert existing == (method.target is Target.EXISTING_RESOURCE_ROLE)
    assert existing == (method.requires is Requires.RESOURCE)
    assert existing == (method.resource_kind is not None)
    if method.resource_kind is not None:
        assert method.resource_kind in RESOURCE_KINDS
        assert method.resource_kind in KIND_PLACEHOLDERS
        assert method.resource_kind in KIND_WORDS


@by_name
def test_applies_to_fits_what_the_actions_act_on(method: Method) -> None:
    """Changing a user (itself, its groups) escalates users only; changing its own role,
    roles only; everything else, either."""
    spec = method.target_spec
    noun = method.actions[0].partition(":")[2]
    if spec is On.SELF and "User" in noun:
        assert method.applies_to is AppliesTo.USERS
    elif spec is On.SELF and "Role" in noun:
        assert method.applies_to is AppliesTo.ROLES
    elif spec in (On.MEMBER_GROUP, On.TARGET_GROUP):
        assert method.applies_to is AppliesTo.USERS
    else:
        assert method.applies_to is AppliesTo.BOTH
    assert spec is not On.SELF or method.target is Target.ADMIN


@by_name
def test_requirements_fit_the_spec(method: Method) -> None:
    allowed = {
        Requires.NOTHING: set(On),
        Requires.LOGIN_PROFILE: {On.TARGET_USER},
        Requires.NO_LOGIN_PROFILE: {On.TARGET_USER},
        Requires.INSTANCE_PROFILE: {On.PASSABLE_ROLE},
        Requires.POLICY_VERSION: {On.ATTACHED_POLICY},
        Requires.RESOURCE: {On.EXISTING_RESOURCE},
        Requires.ACT_AS: {On.TARGET_ROLE},
    }
    assert method.target_spec in allowed[method.requires]
    if method.requires is Requires.INSTANCE_PROFILE:
        assert method.service == "ec2.amazonaws.com"
    assert missing_words(method)


@by_name
def test_placeholders_are_arns_of_the_actions_resource_types(method: Method) -> None:
    for need in method.needs:
        if need.on in (On.SELF, On.PASSABLE_ROLE):
            continue
        info = default_catalog().info(need.action)
        assert info is not None
        template = placeholder(method, need.on, need.placeholder)
        if need.on is On.ANY:
            assert need.placeholder is not None, f"{need.action}: name its placeholder"
        if template == "*":
            assert not any(t.required for t in info.resource_types), need.action
            continue
        arn = template.format(partition="aws", region="eu-west-1", account=ACCOUNT)
        formats = [_arn_regex(p) for t in info.resource_types for p in t.arn_patterns]
        assert any(f.fullmatch(arn) for f in formats), f"{need.action}: {arn}"


@by_name
def test_words_and_references(method: Method) -> None:
    assert method.description and "\n" not in method.description
    assert method.description.endswith(".")
    assert method.reference.startswith("https://")
    assert method.enumerated == (method.name != "sts:AssumeRole")


def _arn_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_VARIABLE.sub(".+", re.escape(pattern)))
