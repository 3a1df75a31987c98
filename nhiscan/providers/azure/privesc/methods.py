"""Azure and Entra ID escalation methods as data (issue #15 item 4; the facts, with their
sources, in docs/dev/azure-plan.md section 5). Each method names the actions it needs, on what,
and where it leads. Directory actions are the entra-docs permissions reference's
(``directory_roles.ESCALATION_FACTS``); the authorizer answers them from directory roles,
Microsoft Graph application permissions and ownership. ARM actions are checked against the
bundled built-in role catalogue. The meta-test checks every action is known and every method
has a positive and a negative fixture.

False edges kept out (plan 5.2-5.4): no credential or owner method targets a managed
identity's service principal (Entra refuses them); an application of another tenant has no
object here (only its service principal is a target, and only potentially: its publisher's
app instance property lock cannot be read from this tenant); Microsoft's first-party service
principals are no target; a role scoped to an administrative unit reaches no application or
service principal (the authorizer); Microsoft Graph's app roles are granted only by a role with
company-wide consent (Privileged Role, Global Administrator: ``directory_roles.
grants_graph_app_roles``), never by Application or Cloud Application Administrator, Directory
Writers, Hybrid Identity or User Administrator. A tenant's custom directory roles take part by
their allowed resource actions (``directory_definitions``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nhiscan.scanner.escalation import Family
from nhiscan.scanner.model import ResourceKind

REFERENCE = (
    "https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference"
)
ARM_REFERENCE = "https://learn.microsoft.com/azure/role-based-access-control/permissions/compute"
APP_CREDENTIALS = "microsoft.directory/applications/credentials/update"
SP_CREDENTIALS = "microsoft.directory/servicePrincipals/credentials/update"
APP_OWNERS = "microsoft.directory/applications/owners/update"
SP_OWNERS = "microsoft.directory/servicePrincipals/owners/update"
APP_ROLE_ASSIGNMENT = "microsoft.directory/servicePrincipals/appRoleAssignedTo/update"
ROLE_ASSIGNMENT = "microsoft.directory/roleAssignments/allProperties/allTasks"
ROLE_ASSIGNMENTS_WRITE = "Microsoft.Authorization/roleAssignments/write"
ELEVATE_ACCESS = "Microsoft.Authorization/elevateAccess/action"
LOCKED = (
    "the publisher's app instance property lock (readable only in the application's home "
    "tenant): Entra refuses the credential if it is on"
)


class On(StrEnum):
    APPLICATION = "application"  # each application of this tenant with a service principal here
    SERVICE_PRINCIPAL = "service-principal"  # each SP but managed identities and Microsoft's
    GRAPH = "graph"  # Microsoft Graph's service principal (whose app roles are granted)
    TENANT = "tenant"  # the directory itself (``/``)
    SCOPE = "scope"  # each ARM scope: management group, subscription, resource group
    COMPUTE = "compute"  # each existing resource of the method's kinds running as an identity


class Target(StrEnum):
    SP = "sp"  # the service principal (of the application)
    ADMIN = "admin"  # admin of the tenant's directory, or of the ARM scope
    RUNS_AS = "runs-as"  # every identity the resource runs as


@dataclass(frozen=True, slots=True)
class Need:
    action: str
    on: On


@dataclass(frozen=True, slots=True, kw_only=True)
class AzureMethod:
    name: str
    family: Family
    needs: tuple[Need, ...]
    target: Target
    description: str
    reference: str = REFERENCE
    kinds: tuple[ResourceKind, ...] = ()  # On.COMPUTE: the resource kinds


F = Family
K = ResourceKind
METHODS: tuple[AzureMethod, ...] = (
    AzureMethod(
        name="add-application-credential",
        family=F.CREDENTIAL_CREATION,
        needs=(Need(APP_CREDENTIALS, On.APPLICATION),),
        target=Target.SP,
        description="add a client secret, certificate or federated credential to the "
        "application and sign in as its service principal",
    ),
    AzureMethod(
        name="add-service-principal-credential",
        family=F.CREDENTIAL_CREATION,
        needs=(Need(SP_CREDENTIALS, On.SERVICE_PRINCIPAL),),
        target=Target.SP,
        description="add a client secret or certificate to the service principal itself "
        "and sign in as it",
    ),
    AzureMethod(
        name="add-application-owner",
        family=F.TRUST_MODIFICATION,
        needs=(Need(APP_OWNERS, On.APPLICATION),),
        target=Target.SP,
        description="make itself an owner of the application, then add a credential",
    ),
    AzureMethod(
        name="add-service-principal-owner",
        family=F.TRUST_MODIFICATION,
        needs=(Need(SP_OWNERS, On.SERVICE_PRINCIPAL),),
        target=Target.SP,
        description="make itself an owner of the service principal, then add a credential",
    ),
    AzureMethod(
        name="grant-graph-app-role",
        family=F.POLICY_MODIFICATION,
        needs=(Need(APP_ROLE_ASSIGNMENT, On.GRAPH),),
        target=Target.ADMIN,
        description="grant itself Microsoft Graph's RoleManagement.ReadWrite.Directory, "
        "then assign itself Global Administrator",
    ),
    AzureMethod(
        name="assign-directory-role",
        family=F.POLICY_MODIFICATION,
        needs=(Need(ROLE_ASSIGNMENT, On.TENANT),),
        target=Target.ADMIN,
        description="assign itself Global Administrator",
    ),
    AzureMethod(
        name="assign-azure-role",
        family=F.POLICY_MODIFICATION,
        needs=(Need(ROLE_ASSIGNMENTS_WRITE, On.SCOPE),),
        target=Target.ADMIN,
        description="assign itself Owner at the scope (a role assignment write it holds "
        "only under a condition nhiscan cannot decide)",
        reference="https://learn.microsoft.com/azure/role-based-access-control/"
        "role-assignments-steps",
    ),
    AzureMethod(
        name="vm-run-command",
        family=F.EXISTING_COMPUTE,
        needs=(Need("Microsoft.Compute/virtualMachines/runCommand/action", On.COMPUTE),),
        target=Target.RUNS_AS,
        kinds=(K.AZURE_VM,),
        reference=ARM_REFERENCE,
        description="run a command on the virtual machine and take a token of its "
        "managed identities from the instance metadata endpoint",
    ),
    AzureMethod(
        name="app-service-deploy",
        family=F.EXISTING_COMPUTE,
        needs=(Need("Microsoft.Web/sites/publish/Action", On.COMPUTE),),
        target=Target.RUNS_AS,
        kinds=(K.AZURE_WEB_APP,),
        reference="https://learn.microsoft.com/azure/role-based-access-control/"
        "permissions/web-and-mobile",
        description="deploy code to the App Service or Functions app and act as its "
        "managed identities",
    ),
    AzureMethod(
        name="automation-runbook",
        family=F.EXISTING_COMPUTE,
        needs=(
            Need("Microsoft.Automation/automationAccounts/runbooks/write", On.COMPUTE),
            Need("Microsoft.Automation/automationAccounts/jobs/write", On.COMPUTE),
        ),
        target=Target.RUNS_AS,
        kinds=(K.AZURE_AUTOMATION_ACCOUNT,),
        reference="https://learn.microsoft.com/azure/role-based-access-control/"
        "permissions/management-and-governance",
        description="write and start a runbook that runs as the Automation account's "
        "managed identities",
    ),
    AzureMethod(
        name="managed-identity-federated-credential",
        family=F.CREDENTIAL_CREATION,
        needs=(
            Need(
                "Microsoft.ManagedIdentity/userAssignedIdentities/"
                "federatedIdentityCredentials/write",
                On.COMPUTE,
            ),
        ),
        target=Target.RUNS_AS,
        kinds=(K.AZURE_USER_ASSIGNED_IDENTITY,),
        reference="https://learn.microsoft.com/entra/workload-id/"
        "workload-identity-federation-create-trust-user-assigned-managed-identity",
        description="add a federated credential to the user-assigned identity trusting "
        "an issuer it controls, and sign in as it",
    ),
)

BY_NAME = {m.name: m for m in METHODS}

# One problem, one finding: a method that reaches the same target from the same grants as
# another says nothing new. Application Administrator (or Application.ReadWrite.All, or a
# custom role with both actions) lets its holder add a credential to an application *and* to
# its service principal, both of which sign in as that one service principal: the application's
# method is reported, the service principal's is kept only where it differs (a foreign
# application's service principal, an owner of the service principal alone). A PIM-eligible
# Privileged Role Administrator can assign Global Administrator directly; its app role grant to
# itself is the same eligibility by a longer way. method -> the method that subsumes it.
SUBSUMED_BY: dict[str, str] = {
    "add-service-principal-credential": "add-application-credential",
    "add-service-principal-owner": "add-application-owner",
    "grant-graph-app-role": "assign-directory-role",
}
