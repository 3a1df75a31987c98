"""How to fix the neutral reach rules' findings in GCP's words (``ProviderFacts.remediations``):
the admin finding (NHI100), the escalation families GCP has (NHI101, NHI103-106) and the
missing owner (NHI007: service accounts have no tags)."""

from __future__ import annotations

REMEDIATIONS = {
    "NHI007": (
        "Record who answers for the service account: GCP service accounts carry no labels, so "
        "write the owner in its description as `owner=team-payments` (nhiscan reads "
        "`key=value` words of the description as tags; the keys are owner_tag_keys), e.g. "
        "`gcloud iam service-accounts update EMAIL --description='owner=team-payments'`. If "
        "nobody claims it, find its last authentication (Policy Analyzer) and disable it."
    ),
    "NHI100": (
        "Grant the service account the predefined or custom roles its workload uses instead "
        "of Owner or an IAM-policy-writing role (the IAM role recommender proposes smaller "
        "roles from its activity), and break each hop of the path: the Token Creator or "
        "Service Account User binding that lets it act as the next account, the permission "
        "that lets it escalate. Replace user-managed keys of admin accounts with attached "
        "service accounts or workload identity federation."
    ),
    "NHI101": (
        "Remove setIamPolicy on projects, folders and organizations, and iam.roles.update on "
        "the custom roles it holds, from the principal's roles (roles/resourcemanager."
        "projectIamAdmin, folderAdmin, organizationAdmin, roles/iam.roleAdmin); IAM "
        "administration belongs to a dedicated, closely watched account. An IAM deny policy "
        "on those permissions caps it."
    ),
    "NHI103": (
        "Remove iam.serviceAccountKeys.create (roles/iam.serviceAccountKeyAdmin) from the "
        "principal, or grant it on the one service account it manages, not on the project; "
        "enforce constraints/iam.disableServiceAccountKeyCreation where keys are not needed."
    ),
    "NHI104": (
        "Remove iam.serviceAccounts.setIamPolicy (roles/iam.serviceAccountAdmin) from the "
        "principal, or grant it only on service accounts that hold no more than it does."
    ),
    "NHI105": (
        "Grant iam.serviceAccounts.actAs (roles/iam.serviceAccountUser) on the exact service "
        "accounts the workload deploys as, not on the project, and never on accounts more "
        "privileged than the principal; run Cloud Build and Deployment Manager as a "
        "user-specified service account with narrow roles; or remove the deploy permissions."
    ),
    "NHI106": (
        "Grant compute.instances.setMetadata and cloudfunctions.functions.update on resources "
        "whose service account holds no more than the principal does (a binding on the "
        "instance or function, not the project), or remove them; OS Login blocks SSH keys "
        "added through metadata."
    ),
}
