"""Who may sign in as an Azure identity: the federated identity credentials that let another
identity get a token as an application, or nothing (``AgentVocabulary.render_trust``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nhiscan.providers.azure.agents.commands import join
from nhiscan.providers.azure.agents.render import slug

TOKEN_EXCHANGE = "api://AzureADTokenExchange"


def trust(callers: Sequence[str], services: Sequence[str]) -> dict[str, Any] | None:
    """Who may sign in as the identity. Azure has no role assumption: another identity gets a
    token as an application only through a federated identity credential on it. A managed
    identity caller (an object id) is trusted by its tenant's issuer with its object id as the
    subject and ``api://AzureADTokenExchange`` as the audience ("Configure an application to
    trust a managed identity", learn.microsoft.com/entra/workload-id/workload-identity-
    federation-config-app-trust-managed-identity; Graph's federatedIdentityCredential resource,
    learn.microsoft.com/graph/api/application-post-federatedidentitycredentials, whose example
    has this issuer, a GUID subject and this audience); ``az ad app federated-credential create
    --id APP_ID --parameters FILE`` adds each. None when no caller is known (compute runs as an
    attached managed identity: ``services`` add nothing)."""
    if not callers:
        return None
    credentials = [
        {
            "name": f"nhiscan-{slug(c)}",
            "issuer": "https://login.microsoftonline.com/TENANT_ID/v2.0",
            "subject": c.lower(),
            "audiences": [TOKEN_EXCHANGE],
            "description": f"written by nhiscan: {c} signs in as this application",
        }
        for c in sorted(set(callers))
    ]
    return {
        "federatedCredentials": credentials,
        "commands": [
            join(
                [
                    "az",
                    "ad",
                    "app",
                    "federated-credential",
                    "create",
                    "--id",
                    "APP_ID",
                    "--parameters",
                    f"{c['name']}.json",
                ]
            )
            for c in credentials
        ],
        "notes": [
            "APP_ID: the application of the service principal the agent runs as; "
            "TENANT_ID: the callers' tenant"
        ],
    }
