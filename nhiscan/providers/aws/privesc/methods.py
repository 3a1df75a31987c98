"""The table of AWS privilege-escalation methods, and the words and placeholder ARNs that go
with it.

``METHODS`` is every method in Rhino Security Labs' list (both parts), Bishop Fox's
iam-vulnerable and pacu's scanner, plus the later public PassRole and existing-compute paths
(Glue jobs, SageMaker jobs, CodeBuild, ECS, SSM, EC2 Instance Connect). Left out: CodeStar
(the service is discontinued and gone from the action catalogue) and methods whose gain is not
a principal (a CodeStar project's policy, a Lambda layer nobody loads).

Existing-compute methods name a resource kind. Kinds nhiscan collects are ``ResourceKind``
values; the others (stacks, dev endpoints, projects, notebooks) are not collected yet, so those
methods are reported as potential until a connector yields them, as ``Resource`` records of
that kind whose ``runs_as`` is the role ARN.
"""

from __future__ import annotations

from collections.abc import Mapping

from nhiscan.providers.aws.privesc.compute_methods import COMPUTE_METHODS
from nhiscan.providers.aws.privesc.iam_methods import IAM_METHODS
from nhiscan.providers.aws.privesc.method import Method, On, Requires
from nhiscan.scanner.model import ResourceKind

METHODS: tuple[Method, ...] = IAM_METHODS + COMPUTE_METHODS
BY_NAME: Mapping[str, Method] = {method.name: method for method in METHODS}

# Resource kinds existing-compute methods use that nhiscan does not collect yet.
UNCOLLECTED_KINDS: tuple[str, ...] = (
    "cloudformation-stack",
    "glue-dev-endpoint",
    "codebuild-project",
    "sagemaker-notebook-instance",
)
RESOURCE_KINDS: tuple[str, ...] = tuple(ResourceKind) + UNCOLLECTED_KINDS

# "Any resource of this kind", checked when the snapshot holds none (see method.py).
KIND_PLACEHOLDERS: Mapping[str, str] = {
    ResourceKind.LAMBDA_FUNCTION: "arn:{partition}:lambda:{region}:{account}:function:*",
    ResourceKind.EC2_INSTANCE: "arn:{partition}:ec2:{region}:{account}:instance/*",
    "cloudformation-stack": "arn:{partition}:cloudformation:{region}:{account}:stack/*/*",
    "glue-dev-endpoint": "arn:{partition}:glue:{region}:{account}:devEndpoint/*",
    "codebuild-project": "arn:{partition}:codebuild:{region}:{account}:project/*",
    "sagemaker-notebook-instance": (
        "arn:{partition}:sagemaker:{region}:{account}:notebook-instance/*"
    ),
}

SPEC_PLACEHOLDERS: Mapping[On, str] = {
    On.TARGET_USER: "arn:{partition}:iam::{account}:user/*",
    On.TARGET_ROLE: "arn:{partition}:iam::{account}:role/*",
    On.PASSABLE_ROLE: "arn:{partition}:iam::{account}:role/*",
    On.TARGET_GROUP: "arn:{partition}:iam::{account}:group/*",
    On.MEMBER_GROUP: "arn:{partition}:iam::{account}:group/*",
    On.ATTACHED_POLICY: "arn:{partition}:iam::{account}:policy/*",
    On.ANY: "*",
}

# What is missing, for a person, when a method's target does not exist.
KIND_WORDS: Mapping[str, str] = {
    ResourceKind.LAMBDA_FUNCTION: "a Lambda function",
    ResourceKind.EC2_INSTANCE: "a running EC2 instance with an instance profile",
    "cloudformation-stack": "a CloudFormation stack with a service role",
    "glue-dev-endpoint": "a Glue development endpoint",
    "codebuild-project": "a CodeBuild project",
    "sagemaker-notebook-instance": "a SageMaker notebook instance",
}
SPEC_WORDS: Mapping[On, str] = {
    On.TARGET_USER: "another IAM user",
    On.TARGET_ROLE: "another role that is not service-linked",
    On.TARGET_GROUP: "a group the user is not already in",
    On.MEMBER_GROUP: "a group the user is a member of",
    On.ATTACHED_POLICY: "a customer-managed policy attached to the principal or its groups",
    On.PASSABLE_ROLE: "a role trusting the service",
}
REQUIREMENT_WORDS: Mapping[Requires, str] = {
    Requires.LOGIN_PROFILE: "another IAM user with a console password (login profile)",
    Requires.NO_LOGIN_PROFILE: "another IAM user without a console password (login profile)",
    Requires.POLICY_VERSION: (
        "a non-default version of the policy that grants more (versions are not collected)"
    ),
    Requires.INSTANCE_PROFILE: "a role in an instance profile",
    Requires.ACT_AS: "another role it can act as (assume, pass to compute, rewrite the trust of)",
}


def missing_words(method: Method) -> str:
    """What is missing when ``method`` has no target in the snapshot."""
    if method.requires is Requires.RESOURCE and method.resource_kind is not None:
        return f"{KIND_WORDS[method.resource_kind]} (none in the snapshot)"
    if method.requires in REQUIREMENT_WORDS:
        return REQUIREMENT_WORDS[method.requires]
    spec = method.target_spec
    return SPEC_WORDS.get(spec, "a target") if spec is not None else "a target"


def placeholder(method: Method, on: On, explicit: str | None) -> str:
    """The placeholder ARN template a need on ``on`` is checked on when nothing real exists."""
    if explicit is not None:
        return explicit
    if on is On.EXISTING_RESOURCE and method.resource_kind is not None:
        return KIND_PLACEHOLDERS[method.resource_kind]
    return SPEC_PLACEHOLDERS.get(on, "*")
