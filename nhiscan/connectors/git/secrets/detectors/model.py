"""A detector's shape, the names other code refers to, and the file-rule signature."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nhiscan.connectors.git.secrets.match import RANK_NHISCAN, Match
from nhiscan.scanner.model import Provider


@dataclass(frozen=True, slots=True, kw_only=True)
class Detector:
    name: str  # the type shown in reports and keyed in baselines: "AWS Access Key ID"
    provider: Provider | None  # whose credential it is, when a cloud's
    pattern: re.Pattern[str]
    keywords: tuple[str, ...]  # lowercase; every match contains at least one
    rank: int  # specificity: when several detectors find one secret, the highest names it
    validate: Callable[[str], bool] | None = None  # a pure check of the secret (checksum, ...)


# These outrank detect-secrets' plugins (match.py), so that an AWS key id found by both is
# named by the more precise detector.
RANK = RANK_NHISCAN

# Names the file rules look for. They differ from detect-secrets' types on purpose, so a
# report says which engine found what.
AWS_KEY_ID = "AWS Access Key ID"
AWS_SECRET_KEY = "AWS Secret Access Key"
GCP_SA_KEY = "GCP Service Account Key"
AZURE_CLIENT_SECRET = "Azure Client Secret"
AZURE_STORAGE_KEY = "Azure Storage Connection String"
PRIVATE_KEY = "PEM Private Key"


FileRule = Callable[[list[Match], Sequence[str]], list[Match]]

# An Azure storage connection string; the key is the secret, the account its hint.
_AZURE_STORAGE = re.compile(
    r"(?i:AccountName)=(?P<account>(?!devstoreaccount1;)[a-z0-9]{3,24});"
    r"(?:[A-Za-z]+=[^;\s\"'`]*;){0,4}"
    r"(?i:AccountKey)=(?P<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])"
)
