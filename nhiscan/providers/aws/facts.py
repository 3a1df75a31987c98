"""AWS's tables for the neutral core (``ProviderFacts``). Every table is defined here: the
neutral rules, the blast radius and the agent scores read them through
``ctx.providers.facts("aws")``, and the AWS rules import them, so each has one source."""

from __future__ import annotations

from nhiscan.providers.aws.privesc.methods import METHODS, missing_words
from nhiscan.providers.aws.remediation import REMEDIATIONS
from nhiscan.scanner.facts import MethodInfo, ProviderFacts
from nhiscan.scanner.model import ResourceKind

# Blast radius (scanner/blast.py): the resources that hold data, the secrets, and reading one.
DATA_STORES = frozenset(
    {ResourceKind.S3_BUCKET.value, ResourceKind.KMS_KEY.value, ResourceKind.SECRET.value}
)
SECRET = ResourceKind.SECRET.value
READ_SECRET = "secretsmanager:getsecretvalue"

# Data stores and secrets: an agent's excess grant on these services scores x3 (gaps/score.py).
SENSITIVE_SERVICES = frozenset(
    {
        "s3",
        "dynamodb",
        "rds",
        "rds-data",
        "redshift",
        "redshift-data",
        "secretsmanager",
        "ssm",
        "kms",
        "glacier",
        "backup",
        "elasticfilesystem",
        "es",
        "aoss",
        "neptune-db",
        "cassandra",
        "timestream",
        "athena",
        "glue",
        "lakeformation",
    }
)

# How a title names each kind of IAM identity: "user alice", "role deploy".
KIND_WORDS = {"iam-user": "user", "iam-role": "role"}

# A machine's long-lived secret: an access key (a console password is a person's login).
ACCESS_KEY = "access-key"
CREDENTIAL_WORDS = {ACCESS_KEY: "access key"}

# The API calls that report a key's last use; a gap in one means "last used" is unknown.
KEY_LAST_USED_OPERATIONS = frozenset({"iam:GetAccessKeyLastUsed", "iam:GenerateCredentialReport"})

# The API calls that report a role's last use; a gap in one means "last used" is unknown.
ROLE_LAST_USED_OPERATIONS = frozenset({"iam:GetRole", "iam:GetAccountAuthorizationDetails"})

# The git detectors whose match is an access key id (public), not a secret.
KEY_ID_DETECTORS = frozenset({"AWS Access Key ID", "AWS Access Key"})

LEAKED_KEY_REMEDIATION = (
    "Treat it as an incident: deactivate and delete the key now (aws iam "
    "update-access-key --status Inactive, then delete-access-key), issue a new one "
    "through a secrets manager or replace it with a role, and review the identity's "
    "activity (CloudTrail) since the commit date."
)

# What the escalation rules say of each method, in the table's order.
ESCALATION_METHODS = {
    method.name: MethodInfo(
        description=method.description, reference=method.reference, missing=missing_words(method)
    )
    for method in METHODS
}

FACTS = ProviderFacts(
    kind_words=KIND_WORDS,
    data_store_kinds=DATA_STORES,
    secret_kinds=frozenset({SECRET}),
    secret_read_actions=frozenset({READ_SECRET}),
    sensitive_services=SENSITIVE_SERVICES,
    last_used_operations={
        "credential": KEY_LAST_USED_OPERATIONS,
        "identity": ROLE_LAST_USED_OPERATIONS,
    },
    credential_id_detectors=KEY_ID_DETECTORS,
    identity_list_operations=frozenset({"iam:GetAccountAuthorizationDetails"}),
    long_lived_credentials=frozenset({ACCESS_KEY}),
    credential_words=CREDENTIAL_WORDS,
    leaked_credential_remediation=LEAKED_KEY_REMEDIATION,
    escalation_methods=ESCALATION_METHODS,
    remediations=REMEDIATIONS,
    escalation_evidence=("permissions_boundary",),  # the boundary caps what it may do
    catalog_name="AWS action catalogue",
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
    federation_fix=(
        '"Condition": {{"StringEquals": {{"{issuer}:sub": "{subject}", '
        '"{issuer}:aud": "{audience}"}}}}'
    ),
    federation_audience="sts.amazonaws.com",
)
