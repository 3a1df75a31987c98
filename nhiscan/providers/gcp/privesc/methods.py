"""GCP escalation methods as data (the idea from Rhino Security Labs' GCP privilege escalation
write-ups and their GCP-IAM-Privilege-Escalation repository; the table is ours). Each method
names the permissions it needs, on what, and where it leads. The meta-test checks every
permission is in the catalogue and every method has a positive and a negative fixture."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nhiscan.scanner.escalation import Family
from nhiscan.scanner.model import ResourceKind

REFERENCE = "https://rhinosecuritylabs.com/gcp/privilege-escalation-google-cloud-platform-part-1/"
ACT_AS = "iam.serviceAccounts.actAs"


class On(StrEnum):
    TARGET_SA = "target-sa"  # each service account of the estate but the principal
    SCOPE = "scope"  # the project, folder or organization
    CUSTOM_ROLE_HELD = "custom-role-held"  # each custom role bound to the principal
    EXISTING_RESOURCE = "existing-resource"  # compute running as a service account
    NEW_RESOURCE = "new-resource"  # what the principal would create, in the target's project


class Target(StrEnum):
    SA = "sa"  # the target service account
    ADMIN = "admin"  # admin of the scope (or of the custom role's scope)
    RUNS_AS = "runs-as"  # the identity the existing resource runs as
    BUILD_AGENT = "build-agent"  # PROJECT_NUMBER@cloudbuild.gserviceaccount.com
    APIS_AGENT = "apis-agent"  # PROJECT_NUMBER@cloudservices.gserviceaccount.com


@dataclass(frozen=True, slots=True)
class Need:
    permission: str
    on: On


@dataclass(frozen=True, slots=True, kw_only=True)
class GcpMethod:
    name: str
    family: Family
    needs: tuple[Need, ...]
    target: Target
    description: str
    scope_kind: str | None = None  # Target.ADMIN on On.SCOPE: organization, folder, project
    kinds: tuple[ResourceKind, ...] = ()  # On.EXISTING_RESOURCE: the compute kinds


def _sa(*permissions: str) -> tuple[Need, ...]:
    return tuple(Need(p, On.TARGET_SA if p == ACT_AS else On.NEW_RESOURCE) for p in permissions)


F = Family
METHODS: tuple[GcpMethod, ...] = (
    GcpMethod(name="iam.serviceAccountKeys.create", family=F.CREDENTIAL_CREATION,
              needs=(Need("iam.serviceAccountKeys.create", On.TARGET_SA),), target=Target.SA,
              description="create a key for the service account and sign in as it"),
    GcpMethod(name="iam.serviceAccounts.setIamPolicy", family=F.TRUST_MODIFICATION,
              needs=(Need("iam.serviceAccounts.setIamPolicy", On.TARGET_SA),), target=Target.SA,
              description="grant itself a token-creator role on the service account"),
    *(
        GcpMethod(name=f"resourcemanager.{plural}.setIamPolicy", family=F.POLICY_MODIFICATION,
                  needs=(Need(f"resourcemanager.{plural}.setIamPolicy", On.SCOPE),),
                  target=Target.ADMIN, scope_kind=kind,
                  description=f"bind itself roles/owner on the {kind}")
        for plural, kind in (("projects", "project"), ("folders", "folder"),
                             ("organizations", "organization"))
    ),
    GcpMethod(name="iam.roles.update", family=F.POLICY_MODIFICATION,
              needs=(Need("iam.roles.update", On.CUSTOM_ROLE_HELD),), target=Target.ADMIN,
              description="add permissions to a custom role it holds"),
    GcpMethod(name="compute.instances.create+actAs", family=F.PASSROLE_COMPUTE,
              needs=_sa(ACT_AS, "compute.instances.create", "compute.disks.create",
                        "compute.subnetworks.use"), target=Target.SA,
              description="start an instance running as the service account"),
    GcpMethod(name="cloudfunctions.functions.create+actAs", family=F.PASSROLE_COMPUTE,
              needs=_sa(ACT_AS, "cloudfunctions.functions.create",
                        "cloudfunctions.functions.sourceCodeSet"), target=Target.SA,
              description="deploy a function running as the service account"),
    GcpMethod(name="cloudfunctions.functions.update+actAs", family=F.PASSROLE_COMPUTE,
              needs=_sa(ACT_AS, "cloudfunctions.functions.update"), target=Target.SA,
              description="redeploy a function to run as the service account"),
    GcpMethod(name="run.services.create+actAs", family=F.PASSROLE_COMPUTE,
              needs=_sa(ACT_AS, "run.services.create"), target=Target.SA,
              description="deploy a Cloud Run service running as the service account"),
    GcpMethod(name="cloudbuild.builds.create", family=F.PASSROLE_COMPUTE,
              needs=(Need("cloudbuild.builds.create", On.NEW_RESOURCE),),
              target=Target.BUILD_AGENT,
              description="run a build as the project's Cloud Build service account"),
    GcpMethod(name="deploymentmanager.deployments.create", family=F.PASSROLE_COMPUTE,
              needs=(Need("deploymentmanager.deployments.create", On.NEW_RESOURCE),),
              target=Target.APIS_AGENT,
              description="deploy as the Google APIs service agent (Editor by default)"),
    GcpMethod(name="compute.instances.setMetadata", family=F.EXISTING_COMPUTE,
              needs=(Need("compute.instances.setMetadata", On.EXISTING_RESOURCE),),
              target=Target.RUNS_AS, kinds=(ResourceKind.COMPUTE_INSTANCE,),
              description="add an SSH key to an instance and act as its service account"),
    GcpMethod(name="cloudfunctions.functions.update", family=F.EXISTING_COMPUTE,
              needs=(Need("cloudfunctions.functions.update", On.EXISTING_RESOURCE),),
              target=Target.RUNS_AS, kinds=(ResourceKind.CLOUD_FUNCTION,),
              description="replace an existing function's code and act as its account"),
)  # fmt: skip
