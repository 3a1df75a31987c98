"""How to fix the neutral reach rules' findings in Azure's words (``ProviderFacts.remediations``):
the admin finding (NHI100) and the escalation families Azure has (NHI101, NHI103, NHI104,
NHI106)."""

from __future__ import annotations

REMEDIATIONS = {
    "NHI100": (
        "Replace Owner and User Access Administrator assignments of the service principal with "
        "the built-in or custom roles its workload uses, at the smallest scope "
        "(`az role assignment delete --assignee OBJECT_ID --role Owner --scope SCOPE`), remove "
        "Global Administrator and Privileged Role Administrator from workload identities, and "
        "break each hop of the path: the ownership, directory role or Graph permission that "
        "lets one identity add a credential to the next."
    ),
    "NHI101": (
        "Remove Microsoft.Authorization/roleAssignments/write, RoleManagement.ReadWrite."
        "Directory, AppRoleAssignment.ReadWrite.All and Privileged Role Administrator from the "
        "principal; role administration belongs to a dedicated, closely watched identity "
        "(Privileged Identity Management for people)."
    ),
    "NHI103": (
        "Remove Application Administrator, Cloud Application Administrator and "
        "Application.ReadWrite.All from the principal (Application.ReadWrite.OwnedBy, on its own "
        "applications, where it must manage credentials), and Managed Identity Contributor on "
        "user-assigned identities; enable the app instance property lock on multi-tenant "
        "applications."
    ),
    "NHI104": (
        "Remove the owner-changing rights (applications/owners/update, servicePrincipals/"
        "owners/update) from the principal, and review who owns privileged applications and "
        "service principals (`az ad app owner list --id APP_ID`)."
    ),
    "NHI106": (
        "Remove Microsoft.Compute/virtualMachines/runCommand/action, Microsoft.Web/sites/"
        "publish/Action and Automation runbook rights on compute whose managed identity holds "
        "more than the principal, or give that compute an identity with only what it runs."
    ),
}
