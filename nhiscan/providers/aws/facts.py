"""AWS's tables for the neutral core (``ProviderFacts``). Until the rules and reports read them
from here (#13 P6), the tables still live where they are used; this value gathers them, so the
facts have one source and a test checks they agree."""

from __future__ import annotations

from nhiscan.providers.aws.rules.roles import ROLE_LAST_USED_OPERATIONS
from nhiscan.rules.common import KIND_WORDS
from nhiscan.rules.keys import KEY_LAST_USED_OPERATIONS
from nhiscan.scanner.facts import ProviderFacts
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

# The git detectors whose match is an access key id (public), not a secret.
KEY_ID_DETECTORS = frozenset({"AWS Access Key ID", "AWS Access Key"})

FACTS = ProviderFacts(
    kind_words={kind.value: word for kind, word in KIND_WORDS.items()},
    data_store_kinds=DATA_STORES,
    secret_kinds=frozenset({SECRET}),
    secret_read_actions=frozenset({READ_SECRET}),
    sensitive_services=SENSITIVE_SERVICES,
    last_used_operations={
        "credential": KEY_LAST_USED_OPERATIONS,
        "identity": ROLE_LAST_USED_OPERATIONS,
    },
    credential_id_detectors=KEY_ID_DETECTORS,
)
