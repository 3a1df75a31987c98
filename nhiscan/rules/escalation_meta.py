"""The metadata of the privilege-escalation rules, one per method family (see escalation.py).
Summaries and remediations are the cloud-neutral ones; a finding's remediation is its
provider's words when the provider has them (``ProviderFacts.remediations``)."""

from __future__ import annotations

from collections.abc import Mapping

from nhiscan.rules.base import RuleMeta
from nhiscan.scanner.escalation import Family
from nhiscan.scanner.model import Severity

_SEVERITY_NOTE = (
    " Critical when it reaches admin and the principal has an active long-lived key or can be "
    "used from outside (a public or cross-account trust, a public binding); high when it "
    "reaches admin; medium otherwise. Potential (a needed resource is not in the snapshot): "
    "medium at most."
)

FAMILY_METAS: Mapping[Family, RuleMeta] = {
    Family.POLICY_MODIFICATION: RuleMeta(
        needs_graph=True,
        id="NHI101",
        name="privesc-policy-modification",
        severity=Severity.HIGH,
        summary=(
            "A principal can change the policies that apply to it or to another identity (its "
            "own or a role's policies, the IAM policy of a project, folder or organization, a "
            "custom role it holds) and so grant itself any permission." + _SEVERITY_NOTE
        ),
        remediation=(
            "Remove the policy-writing permissions from the principal, or limit them to "
            "policies it cannot use for itself; policy administration belongs to a dedicated, "
            "closely watched identity."
        ),
    ),
    Family.GROUP_MEMBERSHIP: RuleMeta(
        needs_graph=True,
        id="NHI102",
        name="privesc-group-membership",
        severity=Severity.HIGH,
        summary=(
            "A user can add itself to a group and gain that group's permissions." + _SEVERITY_NOTE
        ),
        remediation=(
            "Remove the permission to change group memberships, or limit it to groups that "
            "grant no more than the principal already holds."
        ),
    ),
    Family.CREDENTIAL_CREATION: RuleMeta(
        needs_graph=True,
        id="NHI103",
        name="privesc-credential-creation",
        severity=Severity.HIGH,
        summary=(
            "A principal can create credentials for other identities (access keys, console "
            "passwords, service account keys) and act as them." + _SEVERITY_NOTE
        ),
        remediation=(
            "Remove the credential-creating permissions, or limit them to the principal's own "
            "identity; key rotation for others belongs to a dedicated, closely watched identity."
        ),
    ),
    Family.TRUST_MODIFICATION: RuleMeta(
        needs_graph=True,
        id="NHI104",
        name="privesc-trust-modification",
        severity=Severity.HIGH,
        summary=(
            "A principal can rewrite who may act as another identity (a role's trust policy, a "
            "service account's IAM policy) to admit itself, then act as it." + _SEVERITY_NOTE
        ),
        remediation=(
            "Remove the permission to rewrite who may act as an identity, or limit it to "
            "identities that grant no more than the principal holds."
        ),
    ),
    Family.PASSROLE_COMPUTE: RuleMeta(
        needs_graph=True,
        id="NHI105",
        name="privesc-passrole-compute",
        severity=Severity.HIGH,
        summary=(
            "A principal can hand a role or service account to new compute (a function, an "
            "instance, a stack, a job, a build) and run code of its own with its permissions."
            + _SEVERITY_NOTE
        ),
        remediation=(
            "Limit the permission to hand an identity to compute to the exact identities the "
            "workload deploys as, never more privileged than the principal; or remove the "
            "compute-creating permissions."
        ),
    ),
    Family.EXISTING_COMPUTE: RuleMeta(
        needs_graph=True,
        id="NHI106",
        name="privesc-existing-compute",
        severity=Severity.HIGH,
        summary=(
            "A principal can run code of its own on existing compute (replace a function's "
            "code, send commands to an instance or add an SSH key to it, start a build) that "
            "runs as an identity with other permissions." + _SEVERITY_NOTE
        ),
        remediation=(
            "Limit the code, command and metadata permissions to compute whose identity grants "
            "no more than the principal holds, or remove them."
        ),
    ),
}
