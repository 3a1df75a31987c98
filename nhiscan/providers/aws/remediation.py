"""How to fix the neutral reach rules' findings in AWS's words (``ProviderFacts.remediations``):
the admin finding (NHI100) and one text per escalation family (NHI101-106)."""

from __future__ import annotations

REMEDIATIONS = {
    "NHI100": (
        "Give the workload the permissions it uses (IAM Access Analyzer can generate a "
        "policy from its CloudTrail activity) instead of administrator access, and break "
        "each hop of the path: the trust that lets it assume the next role, the IAM write "
        "that lets it escalate. Replace access keys of admin identities with roles."
    ),
    "NHI101": (
        "Remove the IAM policy-writing actions from the principal, or scope their Resource "
        "to ARNs it cannot use for itself (not its own user or role, its groups, or the "
        "policies attached to them). A permission boundary that denies IAM writes caps it."
    ),
    "NHI102": (
        "Remove iam:AddUserToGroup, or scope its Resource to groups that grant no more than "
        "the user already holds. Group membership is better managed by a pipeline or an "
        "identity provider than by workloads."
    ),
    "NHI103": (
        "Scope the credential actions to the principal's own user "
        "(arn:aws:iam::<account>:user/${aws:username}) or remove them; key rotation for "
        "other users belongs to a dedicated, closely watched role."
    ),
    "NHI104": (
        "Remove iam:UpdateAssumeRolePolicy, or scope it to roles that grant no more than the "
        "principal holds; deny it on privileged roles with a permission boundary or an SCP."
    ),
    "NHI105": (
        "Scope iam:PassRole to the exact role ARNs the workload must pass, with an "
        "iam:PassedToService condition, and never to roles more privileged than the "
        "principal; or remove the compute-creating actions."
    ),
    "NHI106": (
        "Scope code and command actions (lambda:UpdateFunctionCode, ssm:SendCommand, "
        "ssm:StartSession, codebuild:StartBuild, ...) to resources whose role grants no "
        "more than the principal holds, or remove them."
    ),
}
