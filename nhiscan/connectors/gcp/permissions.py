"""The read-only GCP permissions the live connector uses, as data, and the predefined roles
the README tells to grant (docs/dev/gcp-plan.md section 4.4).

``OPERATION_PERMISSIONS`` maps each operation the connector calls (the name its gaps carry)
to the permission that authorises it. Tests refuse each call of a recorded walk in turn and
check its gap's operation is here, and check every permission is held by one of ``ROLES`` in
the bundled predefined-role dataset.
"""

from __future__ import annotations

from nhiscan.providers.gcp.facts import ACCOUNT_LAST_USED, KEY_LAST_USED

RM = "cloudresourcemanager"

OPERATION_PERMISSIONS: dict[str, str] = {
    f"{RM}.projects.get": "resourcemanager.projects.get",
    f"{RM}.folders.get": "resourcemanager.folders.get",
    f"{RM}.organizations.get": "resourcemanager.organizations.get",
    f"{RM}.projects.list": "resourcemanager.projects.list",
    f"{RM}.folders.list": "resourcemanager.folders.list",
    f"{RM}.projects.getIamPolicy": "resourcemanager.projects.getIamPolicy",
    f"{RM}.folders.getIamPolicy": "resourcemanager.folders.getIamPolicy",
    f"{RM}.organizations.getIamPolicy": "resourcemanager.organizations.getIamPolicy",
    "iam.projects.serviceAccounts.list": "iam.serviceAccounts.list",
    "iam.projects.serviceAccounts.keys.list": "iam.serviceAccountKeys.list",
    "iam.projects.serviceAccounts.getIamPolicy": "iam.serviceAccounts.getIamPolicy",
    "iam.projects.roles.list": "iam.roles.list",
    "iam.organizations.roles.list": "iam.roles.list",
    # Workload identity federation's permissions are named with the service's host, as the
    # predefined roles list them (cloud.google.com/iam/docs/roles-permissions/iam).
    "iam.projects.locations.workloadIdentityPools.list": (
        "iam.googleapis.com/workloadIdentityPools.list"
    ),
    "iam.projects.locations.workloadIdentityPools.providers.list": (
        "iam.googleapis.com/workloadIdentityPoolProviders.list"
    ),
    "iam.policies.listPolicies": "iam.denypolicies.list",
    "iam.policies.get": "iam.denypolicies.get",
    "cloudasset.assets.listAssets": "cloudasset.assets.listResource",
    "cloudasset.searchAllIamPolicies": "cloudasset.assets.searchAllIamPolicies",
    KEY_LAST_USED: "policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query",
    ACCOUNT_LAST_USED: "policyanalyzer.serviceAccountLastAuthenticationActivities.query",
}

REQUIRED_PERMISSIONS: tuple[str, ...] = tuple(sorted(set(OPERATION_PERMISSIONS.values())))

# The roles to grant the scanner's identity on the organization (or each folder or project),
# and what each is for. Together they hold every permission above.
ROLES: dict[str, str] = {
    "roles/iam.securityReviewer": (
        "service accounts, keys, their policies, custom roles, allow policies, deny policy list, "
        "workload identity pools and providers"
    ),
    "roles/browser": "projects.get, folders.get, organizations.get (names and ancestry)",
    "roles/policyanalyzer.activityAnalysisViewer": "last use of accounts and keys",
    "roles/iam.denyReviewer": "optional: the rules of deny policies (iam.denypolicies.get)",
    "roles/cloudasset.viewer": "the Cloud Asset path for folders and organizations",
}

# --gcp-impersonate: what the identity running nhiscan needs on the service account it acts as.
IMPERSONATION = ("iam.serviceAccounts.getAccessToken", "roles/iam.serviceAccountTokenCreator")
