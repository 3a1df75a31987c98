"""Which platform issues a token, by its issuer: shared by the providers (issue #20).

An AWS role, a GCP workload identity pool and an Entra federated credential can each trust any
issuer (a GCP pool may trust an EKS cluster; an AWS role, a GitHub workflow), so every provider
asks the same table. It lives beside the providers, not in the neutral core: it names each
cloud's own issuers (``tests/test_neutral_core.py`` keeps cloud names out of the core).
"""

from __future__ import annotations

from collections.abc import Mapping

from nhiscan.scanner.federation import GITHUB_ISSUER, Platform, issuer_key

# Issuers (host and path, no scheme, no trailing slash) whose platform is known by name. A
# self-hosted GitHub Enterprise Server or GitLab is read by its claims' shape in the judge;
# here only the public services.
KNOWN_ISSUERS: Mapping[str, Platform] = {
    GITHUB_ISSUER: Platform.GITHUB_ACTIONS,
    "gitlab.com": Platform.GITLAB_CI,
    "app.terraform.io": Platform.TERRAFORM_CLOUD,
    "cognito-identity.amazonaws.com": Platform.COGNITO,
    "accounts.google.com": Platform.GOOGLE,
    "pods.eks.amazonaws.com": Platform.EKS_POD_IDENTITY,
}


def platform_of(issuer: str) -> Platform:
    """The platform of a public issuer; EKS cluster issuers (``oidc.eks.REGION.amazonaws.com/
    id/ID``) and GKE's (``container.googleapis.com/...``) read as Kubernetes;
    ``login.microsoftonline.com`` and ``sts.windows.net`` as Entra; anything else as a generic
    OpenID Connect issuer."""
    key = issuer_key(issuer)
    if key in KNOWN_ISSUERS:
        return KNOWN_ISSUERS[key]
    host = key.partition("/")[0]
    if host.startswith("oidc.eks.") and host.endswith(".amazonaws.com"):
        return Platform.KUBERNETES
    if host in ("login.microsoftonline.com", "sts.windows.net"):
        return Platform.ENTRA
    if host.startswith("container.googleapis.com"):
        return Platform.KUBERNETES
    return Platform.OIDC
