"""``GcpIds``: GCP's stable ids read offline. Service accounts are e-mails
(``name@PROJECT.iam.gserviceaccount.com``; Google's defaults and agents use other domains);
resources are full resource names (``//storage.googleapis.com/projects/_/buckets/B``); scopes
are ``projects/ID`` (a project's scope id is its bare id), ``folders/N``, ``organizations/N``."""

from __future__ import annotations

import re

SA_DOMAIN = ".gserviceaccount.com"
SA_PROJECT = re.compile(r"^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$")
FULL_NAME = re.compile(r"^//([a-z0-9.-]+)\.googleapis\.com/(.+)$")
SCOPES = ("projects/", "folders/", "organizations/")
WORKLOAD = ("principal://", "principalSet://")
CRM = "//cloudresourcemanager.googleapis.com/"
CONTAINERS = (
    re.compile(r"^(//storage\.googleapis\.com/projects/[^/]+/buckets/[^/]+)/objects/.+$"),
    re.compile(r"^(//bigquery\.googleapis\.com/projects/[^/]+/datasets/[^/]+)/tables/.+$"),
)


def project_of_path(path: str) -> str | None:
    """The ``PROJECT`` of a relative name ``projects/PROJECT/...`` (``_`` and ``-`` say none)."""
    parts = path.split("/")
    if len(parts) >= 2 and parts[0] == "projects" and parts[1] not in ("_", "-"):
        return parts[1]
    return None


def sa_email(value: str) -> str | None:
    """The e-mail a service account's id or full resource name names, when it does."""
    if value.endswith(SA_DOMAIN) and "@" in value:
        return value.rsplit("/", 1)[-1]
    return None


def scope_name(value: str) -> str | None:
    """``projects/X``, ``folders/N`` or ``organizations/N`` for a scope given as a relative or
    a Resource Manager full name; None for anything else."""
    name = value.removeprefix(CRM)
    parts = name.split("/")
    if len(parts) == 2 and name.startswith(SCOPES) and parts[1]:
        return name
    return None


class GcpIds:
    def owns(self, value: str, /) -> bool:
        return (
            value.endswith(SA_DOMAIN)
            or FULL_NAME.match(value) is not None
            or value.startswith(SCOPES)
            or value.startswith(WORKLOAD)
        )

    def scope_of(self, value: str, /) -> str | None:
        """The project id (or the folder/organization id) the value belongs to."""
        found = SA_PROJECT.match(value.rsplit("/", 1)[-1])
        if found is not None:
            return found.group(1)
        scope = scope_name(value)
        if scope is not None:
            return scope.removeprefix("projects/") if scope.startswith("projects/") else scope
        full = FULL_NAME.match(value)
        return project_of_path(full.group(2) if full is not None else value)

    def service_of(self, value: str, /) -> str:
        full = FULL_NAME.match(value)
        if full is not None:
            return full.group(1)
        return "iam" if value.endswith(SA_DOMAIN) else "resourcemanager"

    def container_of(self, value: str, /) -> str | None:
        for pattern in CONTAINERS:
            found = pattern.match(value)
            if found is not None:
                return found.group(1)
        return None

    def short(self, value: str, /) -> str:
        if "@" in value:
            return value.rsplit("/", 1)[-1].split("@", 1)[0]
        return value.rstrip("/").rsplit("/", 1)[-1]

    def is_broad(self, value: str, /) -> bool:
        return value == "*" or scope_name(value) is not None
