"""Which service accounts Google manages (service agents: the cloud owns, runs and acts as
them) and which are Google-created defaults the customer owns. One pure table, shared with the
connectors so offline and live agree; the first row is the issue's pattern."""

from __future__ import annotations

import re

# (pattern, what it is). Provider-managed: only Google acts as these.
SERVICE_AGENTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^service-\d+@gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com$"),
     "Google-managed service agent"),
    (re.compile(r"^service-\d+@[a-z0-9-]+\.iam\.gserviceaccount\.com$"),
     "Google-managed service agent"),
    (re.compile(r"^\d+@cloudservices\.gserviceaccount\.com$"), "Google APIs service agent"),
)  # fmt: skip
# Customer-owned defaults Google creates (flagged by rules, never provider-managed).
DEFAULT_ACCOUNTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\d+-compute@developer\.gserviceaccount\.com$"), "Compute Engine default"),
    (re.compile(r"^[a-z][a-z0-9-]+@appspot\.gserviceaccount\.com$"), "App Engine default"),
    (re.compile(r"^\d+@cloudbuild\.gserviceaccount\.com$"), "legacy Cloud Build account"),
)


def _match(table: tuple[tuple[re.Pattern[str], str], ...], email: str) -> str | None:
    return next((what for pattern, what in table if pattern.match(email)), None)


def service_agent(email: str) -> str | None:
    """What the account is when Google manages it, else None."""
    return _match(SERVICE_AGENTS, email)


def default_account(email: str) -> str | None:
    """Which Google-created default the account is, else None."""
    return _match(DEFAULT_ACCOUNTS, email)
