"""The tables Azure gives the neutral rules, blast radius and scores (docs/providers.md)."""

from __future__ import annotations

from nhiscan.providers.azure.privesc.methods import METHODS
from nhiscan.providers.azure.remediation import REMEDIATIONS
from nhiscan.scanner.facts import MethodInfo, ProviderFacts
from nhiscan.scanner.model import CredentialKind

# Gap operations that leave a credential's (or an identity's) last use unknown: the Graph beta
# sign-in reports the live connector reads, named alike by the export's gaps
# (connectors/azure/offline/gaps.py TENANT_ONLY_LIVE).
CREDENTIAL_LAST_USED = "appCredentialSignInActivities"
IDENTITY_LAST_USED = "servicePrincipalSignInActivities"

ESCALATION_METHODS = {
    method.name: MethodInfo(description=method.description, reference=method.reference)
    for method in METHODS
}

FACTS = ProviderFacts(
    kind_words={"entra-application": "application"},
    data_store_kinds=frozenset(),  # storage accounts and key vaults are not collected yet
    secret_kinds=frozenset(),
    secret_read_actions=frozenset({"microsoft.keyvault/vaults/secrets/getsecret/action"}),
    sensitive_services=frozenset(
        {
            "Microsoft.Authorization",
            "Microsoft.KeyVault",
            "Microsoft.Storage",
            "Microsoft.ManagedIdentity",
            "Microsoft.Directory",
        }
    ),
    last_used_operations={
        "credential": frozenset({CREDENTIAL_LAST_USED}),
        "identity": frozenset({IDENTITY_LAST_USED}),
    },
    credential_id_detectors=frozenset(),
    long_lived_credentials=frozenset(
        {CredentialKind.CLIENT_SECRET.value, CredentialKind.CERTIFICATE.value}
    ),
    # NHI500 (expiry) and NHI501 (lifetime) judge these: rules/keys.py AccessKeyTooOld says why
    lifetime_judged_credentials=frozenset(
        {CredentialKind.CLIENT_SECRET.value, CredentialKind.CERTIFICATE.value}
    ),
    credential_words={
        CredentialKind.CLIENT_SECRET.value: "client secret",
        CredentialKind.CERTIFICATE.value: "certificate",
    },
    leaked_credential_remediation=(
        "Delete the secret from its application (`az ad app credential delete --id APP_ID "
        "--key-id KEY_ID`, or `az ad sp credential delete` for one on the service principal), "
        "then rotate what used it, preferably to a federated credential or managed identity."
    ),
    identity_list_operations=frozenset(),
    escalation_methods=ESCALATION_METHODS,
    remediations=REMEDIATIONS,
    catalog_name="Azure built-in roles dataset",
    # https://learn.microsoft.com/graph/api/resources/federatedidentitycredential
    federation_fix='a federated identity credential with subject "{subject}" and audiences '
    '["{audience}"]',
    federation_audience="api://AzureADTokenExchange",
)
