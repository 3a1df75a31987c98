"""Why an IAM role can be used from outside the estate's own workloads: a public trust policy,
or one admitting other accounts (``ProviderAnalysis.exposure_reasons``).

A public statement counts as confined, and is named by its keys instead, when a condition
narrows one of ``PUBLIC_RESTRICTING_KEYS`` to specific values (``statements.narrowed_by``).
"""

from __future__ import annotations

from collections.abc import Mapping

from nhiscan.providers.aws.statements import account_of, admits_anyone_but, is_public, narrowed_by
from nhiscan.providers.aws.statements import statements as statements_of
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity, IdentityKind

# Condition keys that, narrowed to specific values, confine a public principal to an
# organisation, account, named principal, calling resource or network path (NHI006 does not
# flag a public statement narrowed by any of these). Key -> what it confines callers to.
PUBLIC_RESTRICTING_KEYS: Mapping[str, str] = {
    "aws:PrincipalOrgID": "principals in the named organization",
    "aws:PrincipalOrgPaths": "principals in the named organizational units",
    "aws:PrincipalAccount": "principals in the named accounts",
    "aws:PrincipalArn": "the named principals",
    "aws:userid": "principals with the named unique ids",
    "aws:SourceAccount": "an AWS service acting for the named accounts",
    "aws:SourceArn": "an AWS service acting for the named resources",
    "aws:SourceOwner": "an AWS service acting for the named accounts (legacy SNS/SES key)",
    "aws:SourceOrgID": "an AWS service acting for resources in the named organization",
    "aws:SourceOrgPaths": "an AWS service acting for resources in the named OUs",
    "aws:SourceVpce": "requests through the named VPC endpoints",
    "aws:SourceVpc": "requests from the named VPCs",
}


def trust_exposure(estate: Estate, role: Identity) -> list[str]:
    """Why the role's trust policy lets principals outside its account assume it, sorted:
    "public trust policy", "trust admits any principal under <keys>", "trusted by account
    <id>". Empty for an identity that is not a role or has no collected trust policy."""
    if role.kind is not IdentityKind.IAM_ROLE:
        return []
    trust = estate.policy(role.trust_policy)
    if trust is None:
        return []
    reasons: dict[str, None] = {}
    for statement in statements_of(trust.document):
        if not statement.allows:
            continue
        if is_public(statement) or admits_anyone_but(statement):
            keys = narrowed_by(statement, PUBLIC_RESTRICTING_KEYS)
            word = f"trust admits any principal under {', '.join(keys)}" if keys else None
            reasons[word or "public trust policy"] = None
        for principal in statement.principal_values("AWS"):
            account = account_of(principal)
            if account is not None and account != role.account:
                reasons[f"trusted by account {account}"] = None
    return sorted(reasons)
