"""The tables GCP gives the neutral rules, blast radius and scores (docs/providers.md)."""

from __future__ import annotations

from nhiscan.providers.gcp.privesc.methods import METHODS, REFERENCE
from nhiscan.providers.gcp.remediation import REMEDIATIONS
from nhiscan.scanner.facts import MethodInfo, ProviderFacts
from nhiscan.scanner.model import CredentialKind, ResourceKind

ACTIVITY = "policyanalyzer.projects.locations.activityTypes.activities.query"
KEY_LAST_USED = f"{ACTIVITY}#serviceAccountKeyLastAuthentication"
ACCOUNT_LAST_USED = f"{ACTIVITY}#serviceAccountLastAuthentication"
EXPORT_LAST_USED = "gcp-assets:last-use"

# What the escalation rules say of each method, in the table's order.
ESCALATION_METHODS = {
    method.name: MethodInfo(description=method.description, reference=REFERENCE)
    for method in METHODS
}

FACTS = ProviderFacts(
    kind_words={},  # the core's words for service accounts and workload identities
    data_store_kinds=frozenset(
        k.value
        for k in (
            ResourceKind.GCS_BUCKET,
            ResourceKind.BIGQUERY_DATASET,
            ResourceKind.BIGQUERY_TABLE,
            ResourceKind.SECRETMANAGER_SECRET,
            ResourceKind.KMS_CRYPTO_KEY,
        )
    ),
    secret_kinds=frozenset({ResourceKind.SECRETMANAGER_SECRET.value}),
    secret_read_actions=frozenset({"secretmanager.versions.access"}),
    sensitive_services=frozenset(
        {"iam", "resourcemanager", "secretmanager", "cloudkms", "storage", "bigquery"}
    ),
    last_used_operations={
        "credential": frozenset({KEY_LAST_USED, EXPORT_LAST_USED}),
        "identity": frozenset({ACCOUNT_LAST_USED, EXPORT_LAST_USED}),
    },
    credential_id_detectors=frozenset({"GCP Service Account Key"}),
    long_lived_credentials=frozenset({CredentialKind.SA_KEY.value}),
    credential_words={
        CredentialKind.SA_KEY.value: "service account key",
        CredentialKind.SA_SYSTEM_KEY.value: "Google-managed key",
    },
    leaked_credential_remediation=(
        "Disable the key (`gcloud iam service-accounts keys disable KEY_ID "
        "--iam-account=EMAIL`), then delete it and rotate what used it."
    ),
    identity_list_operations=frozenset(
        {"iam.projects.serviceAccounts.list", "gcp-assets:iam.googleapis.com/ServiceAccount"}
    ),
    escalation_methods=ESCALATION_METHODS,
    remediations=REMEDIATIONS,
    catalog_name="GCP predefined roles dataset",
    # https://cloud.google.com/iam/docs/workload-identity-federation#conditions
    federation_fix="the pool provider's attribute condition assertion.sub == '{subject}' "
    "(and no allowed audience but the provider's own)",
)
