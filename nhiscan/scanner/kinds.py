"""The open kinds of the records (``model.py``): which cloud, which kind of identity,
credential, policy and resource, and how severe a finding is. The clouds' kinds are open
(``OpenStrEnum``): a value a newer nhiscan or a plug-in provider writes decodes as a
pseudo-member, so the core never has to list every cloud's kinds."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class OpenStrEnum(StrEnum):
    """A ``StrEnum`` that also accepts values it does not list: a new cloud's provider name or
    kinds. ``Kind("toy-bot")`` returns a pseudo-member created once and cached, so ``is``
    comparisons hold and the codec round-trips it; iterating the class still yields the listed
    members only (schemas and error messages list those). Empty strings and non-strings are
    still refused. Whether a listed provider's record may use an unlisted kind is the snapshot
    check's decision (``scanner/snapshot_check.py``), not the enum's."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str) or not value:
            return None
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        # setdefault: two threads meeting the same new value still share one member.
        found: Self = cls._value2member_map_.setdefault(value, pseudo)  # type: ignore[assignment]
        return found

    @property
    def listed(self) -> bool:
        """Whether this is one of the members the class lists (not a pseudo-member)."""
        return type(self)._member_map_.get(self._name_) is self


class Provider(OpenStrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"
    GIT = "git"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: info=0 ... critical=4."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class IdentityKind(OpenStrEnum):
    IAM_USER = "iam-user"
    IAM_ROLE = "iam-role"
    SERVICE_ACCOUNT = "service-account"
    SERVICE_PRINCIPAL = "service-principal"
    MANAGED_IDENTITY = "managed-identity"
    WORKLOAD_IDENTITY = "workload-identity"  # a federated principal acting as an identity
    # An Entra application with no service principal in the scanned tenant: its credentials
    # sign in only where it has one (docs/dev/azure-records.md).
    ENTRA_APPLICATION = "entra-application"


class CredentialKind(OpenStrEnum):
    ACCESS_KEY = "access-key"
    PASSWORD = "password"  # an AWS login profile: a console password
    SA_KEY = "sa-key"
    CLIENT_SECRET = "client-secret"
    CERTIFICATE = "certificate"
    SA_SYSTEM_KEY = "sa-system-key"  # a key the cloud holds and rotates, not the customer

    @property
    def is_login(self) -> bool:
        """A person's sign-in secret (a console password), not a machine's credential."""
        return self is CredentialKind.PASSWORD


class CredentialStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    EXPIRED = "expired"


class PolicyKind(OpenStrEnum):
    AWS_MANAGED = "aws-managed"
    CUSTOMER_MANAGED = "customer-managed"
    INLINE = "inline"
    TRUST = "trust"  # a role's assume-role policy
    RESOURCE = "resource"  # a bucket, key or secret policy
    SCP = "scp"
    # IAM identity providers (issue #20), each document as IAM's API returned it: who may
    # federate into the account's roles, and for OIDC the audiences (client ids) it accepts.
    AWS_OIDC_PROVIDER = "aws-oidc-provider"  # GetOpenIDConnectProvider's answer, with its Arn
    AWS_SAML_PROVIDER = "aws-saml-provider"  # the provider's ListSAMLProviders entry
    IAM_ALLOW = "iam-allow"  # an allow policy (bindings of roles to members) on a resource
    IAM_DENY = "iam-deny"  # a deny policy attached to a resource
    CUSTOM_ROLE = "custom-role"  # a role the customer defined (its permissions)
    # GCP workload identity federation (issue #20): each resource as the IAM API returns it.
    GCP_WORKLOAD_POOL = "gcp-workload-identity-pool"  # a pool: whose principals bindings name
    GCP_WORKLOAD_PROVIDER = "gcp-workload-identity-provider"  # an issuer a pool trusts
    # Azure and Entra ID (docs/dev/azure-records.md): each document kept as the API returned it.
    AZURE_ROLE_DEFINITION = "azure-role-definition"  # an ARM role definition (its permissions)
    AZURE_ROLE_ASSIGNMENT = "azure-role-assignment"  # one ARM role assignment at one scope
    AZURE_DENY_ASSIGNMENT = "azure-deny-assignment"  # one ARM deny assignment at one scope
    ENTRA_DIRECTORY_ROLES = "entra-directory-roles"  # a principal's active directory roles
    ENTRA_ROLE_ELIGIBILITIES = "entra-role-eligibilities"  # its eligible (PIM) directory roles
    ENTRA_APP_ROLE_ASSIGNMENTS = "entra-app-role-assignments"  # app roles granted to an SP
    ENTRA_OWNERS = "entra-owners"  # the owners of an application or service principal
    ENTRA_FEDERATED_CREDENTIALS = "entra-federated-credentials"  # who may sign in as an app
    ENTRA_ROLE_DEFINITION = "entra-role-definition"  # a directory role's allowed actions


class ResourceKind(OpenStrEnum):
    S3_BUCKET = "s3-bucket"
    KMS_KEY = "kms-key"
    SECRET = "secret"
    LAMBDA_FUNCTION = "lambda-function"
    EC2_INSTANCE = "ec2-instance"
    INSTANCE_PROFILE = "instance-profile"
    # Cloud-prefixed where another cloud already uses the bare word ("secret", "kms-key").
    GCP_ORGANIZATION = "gcp-organization"
    GCP_FOLDER = "gcp-folder"
    GCP_PROJECT = "gcp-project"
    GCS_BUCKET = "gcs-bucket"
    BIGQUERY_DATASET = "bigquery-dataset"
    BIGQUERY_TABLE = "bigquery-table"
    PUBSUB_TOPIC = "pubsub-topic"
    PUBSUB_SUBSCRIPTION = "pubsub-subscription"
    SECRETMANAGER_SECRET = "gcp-secret"
    KMS_CRYPTO_KEY = "gcp-kms-key"
    COMPUTE_INSTANCE = "compute-instance"
    CLOUD_FUNCTION = "cloud-function"
    CLOUD_RUN_SERVICE = "cloud-run-service"
    # Azure and Entra ID (docs/dev/azure-records.md): ids are lower-cased ARM ids or GUIDs.
    AZURE_MANAGEMENT_GROUP = "azure-management-group"
    AZURE_SUBSCRIPTION = "azure-subscription"
    AZURE_RESOURCE_GROUP = "azure-resource-group"
    AZURE_USER_ASSIGNED_IDENTITY = "azure-user-assigned-identity"
    ENTRA_APPLICATION = "entra-application"  # an app registration: runs_as its service principal
    AZURE_VM = "azure-vm"  # Microsoft.Compute/virtualMachines
    AZURE_VM_SCALE_SET = "azure-vm-scale-set"  # Microsoft.Compute/virtualMachineScaleSets
    AZURE_WEB_APP = "azure-web-app"  # Microsoft.Web/sites: App Service and Functions
    AZURE_CONTAINER_APP = "azure-container-app"  # Microsoft.App/containerApps
    AZURE_AKS_CLUSTER = "azure-aks-cluster"  # Microsoft.ContainerService/managedClusters
    AZURE_AUTOMATION_ACCOUNT = "azure-automation-account"  # Microsoft.Automation
    AZURE_LOGIC_APP = "azure-logic-app"  # Microsoft.Logic/workflows
    AZURE_RESOURCE = "azure-resource"  # another ARM resource that carries a managed identity
