"""Escalation methods that use IAM and STS alone: changing policies, groups, credentials and
trust. Sources: Rhino Security Labs' list (methods 1-14), Bishop Fox's iam-vulnerable
(privesc1-14) and pacu's iam__privesc_scan, whose permission sets these follow."""

from __future__ import annotations

from nhiscan.providers.aws.privesc.method import AppliesTo, Method, Need, On, Requires, Target
from nhiscan.scanner.escalation import Family

RHINO = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/"
PACU = (
    "https://github.com/RhinoSecurityLabs/pacu/blob/master/pacu/modules/iam__privesc_scan/main.py"
)


def _admin(
    action: str,
    on: On,
    applies_to: AppliesTo,
    description: str,
    requires: Requires = Requires.NOTHING,
) -> Method:
    return Method(
        name=action,
        family=Family.POLICY_MODIFICATION,
        needs=(Need(action=action, on=on),),
        applies_to=applies_to,
        target=Target.ADMIN,
        description=description,
        reference=RHINO,
        requires=requires,
    )


def _other_role(action: str, description: str) -> Method:
    """A policy change on another role: it escalates the caller only when the caller can act
    as that role (``Requires.ACT_AS``, act_as.py), and then to admin (to the role, within its
    permissions boundary, when it has one); the steps say how it acts as the role."""
    return Method(
        name=f"{action}/other-role",
        family=Family.POLICY_MODIFICATION,
        needs=(Need(action=action, on=On.TARGET_ROLE),),
        applies_to=AppliesTo.BOTH,
        target=Target.ADMIN,
        description=description,
        reference=PACU,
        requires=Requires.ACT_AS,
    )


def _credential(action: str, description: str, requires: Requires) -> Method:
    return Method(
        name=action,
        family=Family.CREDENTIAL_CREATION,
        needs=(Need(action=action, on=On.TARGET_USER),),
        applies_to=AppliesTo.BOTH,
        target=Target.TARGET_USER,
        description=description,
        reference=RHINO,
        requires=requires,
    )


POLICY_METHODS: tuple[Method, ...] = (
    _admin(
        "iam:CreatePolicyVersion",
        On.ATTACHED_POLICY,
        AppliesTo.BOTH,
        "Create a new default version (--set-as-default) of a customer-managed policy attached "
        "to itself or its groups, granting any permission.",
    ),
    _admin(
        "iam:SetDefaultPolicyVersion",
        On.ATTACHED_POLICY,
        AppliesTo.BOTH,
        "Make another version of a policy attached to itself or its groups the default, when "
        "that version grants more.",
        requires=Requires.POLICY_VERSION,
    ),
    _admin(
        "iam:AttachUserPolicy",
        On.SELF,
        AppliesTo.USERS,
        "Attach any managed policy (AdministratorAccess) to itself.",
    ),
    _admin(
        "iam:AttachGroupPolicy",
        On.MEMBER_GROUP,
        AppliesTo.USERS,
        "Attach any managed policy to a group it is a member of.",
    ),
    _admin(
        "iam:AttachRolePolicy",
        On.SELF,
        AppliesTo.ROLES,
        "Attach any managed policy to its own role.",
    ),
    _admin(
        "iam:PutUserPolicy",
        On.SELF,
        AppliesTo.USERS,
        "Write an inline policy granting any permission on itself.",
    ),
    _admin(
        "iam:PutGroupPolicy",
        On.MEMBER_GROUP,
        AppliesTo.USERS,
        "Write an inline policy granting any permission on a group it is a member of.",
    ),
    _admin(
        "iam:PutRolePolicy",
        On.SELF,
        AppliesTo.ROLES,
        "Write an inline policy granting any permission on its own role.",
    ),
    _other_role(
        "iam:AttachRolePolicy",
        "Attach any managed policy to another role it can act as (assume, pass to compute it "
        "runs, run code as, or rewrite the trust of), then act as that role.",
    ),
    _other_role(
        "iam:PutRolePolicy",
        "Write an inline policy granting any permission on another role it can act as (assume, "
        "pass to compute it runs, run code as, or rewrite the trust of), then act as that role.",
    ),
)

MEMBERSHIP_METHODS: tuple[Method, ...] = (
    Method(
        name="iam:AddUserToGroup",
        family=Family.GROUP_MEMBERSHIP,
        needs=(Need(action="iam:AddUserToGroup", on=On.TARGET_GROUP),),
        applies_to=AppliesTo.USERS,
        target=Target.TARGET_GROUP,
        description="Add itself to a group and gain that group's permissions.",
        reference=RHINO,
    ),
)

CREDENTIAL_METHODS: tuple[Method, ...] = (
    _credential(
        "iam:CreateAccessKey",
        "Create an access key for another user and act as that user.",
        Requires.NOTHING,
    ),
    _credential(
        "iam:CreateLoginProfile",
        "Set a console password for another user that has none and sign in as that user.",
        Requires.NO_LOGIN_PROFILE,
    ),
    _credential(
        "iam:UpdateLoginProfile",
        "Change the console password of another user and sign in as that user.",
        Requires.LOGIN_PROFILE,
    ),
)

TRUST_METHODS: tuple[Method, ...] = (
    # Rhino and pacu list sts:AssumeRole with it; it is not checked here because the trust
    # policy being written names the principal's own ARN, and a trust policy naming a
    # principal's ARN lets it assume the role without an identity-policy grant (same account,
    # which iam:UpdateAssumeRolePolicy on the role already implies).
    Method(
        name="iam:UpdateAssumeRolePolicy",
        family=Family.TRUST_MODIFICATION,
        needs=(Need(action="iam:UpdateAssumeRolePolicy", on=On.TARGET_ROLE),),
        applies_to=AppliesTo.BOTH,
        target=Target.TARGET_ROLE,
        description="Rewrite another role's trust policy to admit itself, then assume the role.",
        reference=RHINO,
    ),
    Method(
        name="sts:AssumeRole",
        family=Family.ROLE_ASSUMPTION,
        needs=(Need(action="sts:AssumeRole", on=On.TARGET_ROLE),),
        applies_to=AppliesTo.BOTH,
        target=Target.TARGET_ROLE,
        description="Assume a role whose trust policy admits it (chains are reach-graph edges).",
        reference=PACU,
        enumerated=False,
    ),
)

IAM_METHODS: tuple[Method, ...] = (
    POLICY_METHODS + MEMBERSHIP_METHODS + CREDENTIAL_METHODS + TRUST_METHODS
)
