"""``GcpClassifier``: every service account and workload identity is a machine; Google's
service agents are machines the provider manages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nhiscan.providers.gcp.service_agents import default_account, service_agent
from nhiscan.scanner.humans import Verdict
from nhiscan.scanner.model import Credential, Identity, IdentityKind, Policy, Provider

MACHINE_KINDS = {
    IdentityKind.SERVICE_ACCOUNT: "GCP service account",
    IdentityKind.WORKLOAD_IDENTITY: "GCP workload identity (a federated workload)",
}


class GcpClassifier:
    def classify(
        self, identity: Identity, credentials: Sequence[Credential], policies: Mapping[str, Policy]
    ) -> Verdict | None:
        if identity.provider is not Provider.GCP:
            return None
        agent = service_agent(identity.id)
        if agent is not None:
            return Verdict(is_human=False, reason=agent)
        default = default_account(identity.id)
        if default is not None:
            return Verdict(is_human=False, reason=f"GCP service account ({default})")
        reason = MACHINE_KINDS.get(identity.kind)
        return None if reason is None else Verdict(is_human=False, reason=reason)


def provider_managed(identity: Identity) -> bool:
    """Only Google acts as it: the connector says so, or it is a service agent."""
    if identity.provider is not Provider.GCP:
        return False
    return identity.service_linked is True or service_agent(identity.id) is not None
