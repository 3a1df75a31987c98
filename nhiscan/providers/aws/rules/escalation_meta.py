"""The metadata of the privilege-escalation rules, one per method family (see escalation.py)."""

from __future__ import annotations

from collections.abc import Mapping

from nhiscan.rules.base import RuleMeta
from nhiscan.scanner.escalation import Family
from nhiscan.scanner.model import Severity

_SEVERITY_NOTE = (
    " Critical when it reaches admin and the principal has an active access key or a public or "
    "cross-account trust; high when it reaches admin; medium otherwise. Potential (a needed "
    "resource is not in the snapshot): medium at most."
)

FAMILY_METAS: Mapping[Family, RuleMeta] = {
    Family.POLICY_MODIFICATION: RuleMeta(
        needs_graph=True,
        id="NHI101",
        name="privesc-policy-modification",
        severity=Severity.HIGH,
        summary=(
            "A principal can change the policies that apply to it or to another role "
            "(iam:PutUserPolicy, iam:AttachRolePolicy, iam:CreatePolicyVersion, ...) and so grant "
            "itself any permission." + _SEVERITY_NOTE
        ),
        remediation=(
            "Remove the IAM policy-writing actions from the principal, or scope their Resource "
            "to ARNs it cannot use for itself (not its own user or role, its groups, or the "
            "policies attached to them). A permission boundary that denies IAM writes caps it."
        ),
    ),
    Family.GROUP_MEMBERSHIP: RuleMeta(
        needs_graph=True,
        id="NHI102",
        name="privesc-group-membership",
        severity=Severity.HIGH,
        summary=(
            "A user can add itself to a group (iam:AddUserToGroup) and gain that group's "
            "permissions." + _SEVERITY_NOTE
        ),
        remediation=(
            "Remove iam:AddUserToGroup, or scope its Resource to groups that grant no more than "
            "the user already holds. Group membership is better managed by a pipeline or an "
            "identity provider than by workloads."
        ),
    ),
    Family.CREDENTIAL_CREATION: RuleMeta(
        needs_graph=True,
        id="NHI103",
        name="privesc-credential-creation",
        severity=Severity.HIGH,
        summary=(
            "A principal can create credentials for other users (iam:CreateAccessKey, "
            "iam:CreateLoginProfile, iam:UpdateLoginProfile) and act as them." + _SEVERITY_NOTE
        ),
        remediation=(
            "Scope the credential actions to the principal's own user "
            "(arn:aws:iam::<account>:user/${aws:username}) or remove them; key rotation for "
            "other users belongs to a dedicated, closely watched role."
        ),
    ),
    Family.TRUST_MODIFICATION: RuleMeta(
        needs_graph=True,
        id="NHI104",
        name="privesc-trust-modification",
        severity=Severity.HIGH,
        summary=(
            "A principal can rewrite another role's trust policy (iam:UpdateAssumeRolePolicy) "
            "to admit itself, then assume the role." + _SEVERITY_NOTE
        ),
        remediation=(
            "Remove iam:UpdateAssumeRolePolicy, or scope it to roles that grant no more than the "
            "principal holds; deny it on privileged roles with a permission boundary or an SCP."
        ),
    ),
    Family.PASSROLE_COMPUTE: RuleMeta(
        needs_graph=True,
        id="NHI105",
        name="privesc-passrole-compute",
        severity=Severity.HIGH,
        summary=(
            "A principal can pass a role to new compute (a Lambda function, an instance, a "
            "stack, a job, a task) and run code of its own with that role's permissions."
            + _SEVERITY_NOTE
        ),
        remediation=(
            "Scope iam:PassRole to the exact role ARNs the workload must pass, with an "
            "iam:PassedToService condition, and never to roles more privileged than the "
            "principal; or remove the compute-creating actions."
        ),
    ),
    Family.EXISTING_COMPUTE: RuleMeta(
        needs_graph=True,
        id="NHI106",
        name="privesc-existing-compute",
        severity=Severity.HIGH,
        summary=(
            "A principal can run code of its own on existing compute (replace a function's "
            "code, send commands to an instance, start a build) that runs as a role with other "
            "permissions." + _SEVERITY_NOTE
        ),
        remediation=(
            "Scope code and command actions (lambda:UpdateFunctionCode, ssm:SendCommand, "
            "ssm:StartSession, codebuild:StartBuild, ...) to resources whose role grants no "
            "more than the principal holds, or remove them."
        ),
    ),
}
