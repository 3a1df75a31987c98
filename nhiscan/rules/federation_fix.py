"""The exact condition that closes a keyless trust, in the words of the cloud that holds it
(issue #20): the subject of one repository's default branch (or the one workload named) and
the audience the cloud expects. Picked by the way the trust is used (``FederatedTrust.via``),
so the table below is data about the trust record, not knowledge of a provider module.

- AWS: ``StringEquals`` on ``ISSUER:sub`` and ``ISSUER:aud`` in the role's trust policy
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
  #condition-keys-wif).
- GCP: an attribute condition (CEL) on the pool provider, ``assertion.sub == '...'``
  (https://cloud.google.com/iam/docs/workload-identity-federation#conditions).
- Entra: a federated identity credential names one subject exactly, with the audience
  ``api://AzureADTokenExchange``
  (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential).
"""

from __future__ import annotations

import json

from nhiscan.scanner.federation import FederatedTrust, Platform, issuer_key
from nhiscan.scanner.federation_judge import Judgement

# The audience each cloud asks for when the registration names none of its own.
DEFAULT_AUDIENCE = {
    "sts:AssumeRoleWithWebIdentity": "sts.amazonaws.com",
    "federated-identity-credential": "api://AzureADTokenExchange",
}


def suggested_subject(judgement: Judgement) -> str:
    """One subject the trust most likely meant: the first repository (or workload) it names,
    its default branch; placeholders where the trust names none."""
    platform = judgement.trust.platform
    owner, repo = _first_names(judgement)
    if platform is Platform.GITHUB_ACTIONS:
        return f"repo:{owner or 'OWNER'}/{repo or 'REPOSITORY'}:ref:refs/heads/main"
    if platform is Platform.GITLAB_CI:
        return f"project_path:{owner or 'GROUP'}/{repo or 'PROJECT'}:ref_type:branch:ref:main"
    if platform is Platform.TERRAFORM_CLOUD:
        return (f"organization:{owner or 'ORGANIZATION'}:project:PROJECT:workspace:"
                f"{repo or 'WORKSPACE'}:run_phase:apply")  # fmt: skip
    if platform is Platform.KUBERNETES:
        return f"system:serviceaccount:{owner or 'NAMESPACE'}:{repo or 'SERVICE_ACCOUNT'}"
    return "SUBJECT"


def _first_names(judgement: Judgement) -> tuple[str, str]:
    owner = next((_plain(o) for o in judgement.owners if _plain(o)), "")
    repo = ""
    for found in judgement.repositories:
        head, _, tail = found.partition("/")
        if _plain(head) == owner and _plain(tail) == tail:
            repo = tail
            break
    return owner, repo


def _plain(text: str) -> str:
    """``text`` when it has no wildcard, else empty."""
    return "" if any(c in text for c in "*?") else text


def audience(trust: FederatedTrust) -> str:
    own = [a for a in trust.audiences or () if "*" not in a]
    return own[0] if own else DEFAULT_AUDIENCE.get(trust.via or "", "AUDIENCE")


def fix(judgement: Judgement) -> str:
    """The condition to write, as the trust's cloud spells it."""
    trust = judgement.trust
    subject, aud = suggested_subject(judgement), audience(trust)
    if trust.via == "sts:AssumeRoleWithWebIdentity":
        key = issuer_key(trust.issuer)
        condition = {"StringEquals": {f"{key}:sub": subject, f"{key}:aud": aud}}
        return f'"Condition": {json.dumps(condition)}'
    if trust.via == "federated-identity-credential":
        return f'subject "{subject}", audiences ["{aud}"]'
    if trust.via is not None and trust.via.startswith("iam."):
        return f"attribute condition: assertion.sub == '{subject}'"
    return f"test sub equals {subject} and aud equals {aud}"
