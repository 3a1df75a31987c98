"""``GcpCatalog``: GCP's permission catalogue, read from the bundled predefined roles
(``data/gcp-predefined-roles.json.gz``: iann0036/iam-dataset, MIT, see ``data/NOTICE``). A
role maps to its ``includedPermissions``; the permissions are the union of every role's.
Loaded on first use, so importing the provider costs nothing."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

from nhiscan.scanner.facts import AccessLevel
from nhiscan.scanner.glob import glob_match, has_wildcard

DATA_FILE = "gcp-predefined-roles.json.gz"
DATASET_COMMIT = "2073fa52ac008a45477aa0b1b4580cd99135bf60"
DATASET_DATE = "2026-08-22"  # the dataset's commit date: what reports print

# The access level of a permission, from its verb (last segment), first match wins.
LEVEL_RULES: tuple[tuple[re.Pattern[str], AccessLevel], ...] = (
    (re.compile(r"^setIamPolicy$"), AccessLevel.PERMISSIONS_MANAGEMENT),
    (re.compile(r"^(list|search)"), AccessLevel.LIST),
    (re.compile(r"^(get|query|read)|^access$"), AccessLevel.READ),
    (re.compile(r"TagBinding"), AccessLevel.TAGGING),
)

# Full resource name prefix -> the permission prefixes that act on such a resource.
RESOURCE_PERMISSIONS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"^//storage\.googleapis\.com/.*/objects/"), ("storage.objects.",)),
    (
        re.compile(r"^//storage\.googleapis\.com/"),
        ("storage.buckets.", "storage.objects.", "storage.managedFolders."),
    ),
    (
        re.compile(r"^//iam\.googleapis\.com/.*/serviceAccounts/"),
        ("iam.serviceAccounts.", "iam.serviceAccountKeys."),
    ),
    (re.compile(r"^//secretmanager\.googleapis\.com/"), ("secretmanager.",)),
    (re.compile(r"^//cloudkms\.googleapis\.com/"), ("cloudkms.",)),
    (re.compile(r"^//bigquery\.googleapis\.com/.*/tables/"), ("bigquery.tables.",)),
    (re.compile(r"^//bigquery\.googleapis\.com/"), ("bigquery.datasets.", "bigquery.tables.")),
    (re.compile(r"^//pubsub\.googleapis\.com/.*/subscriptions/"), ("pubsub.subscriptions.",)),
    (re.compile(r"^//pubsub\.googleapis\.com/"), ("pubsub.topics.",)),
)
SCOPE_NAME = re.compile(
    r"^(//cloudresourcemanager\.googleapis\.com/)?(projects|folders|organizations)/[^/]+$"
)


@dataclass(frozen=True, slots=True)
class GcpPermission:
    name: str
    service: str
    access_level: AccessLevel


def access_level(permission: str) -> AccessLevel:
    """The access level of ``service.resource.verb`` from its verb (``LEVEL_RULES``)."""
    verb = permission.rsplit(".", 1)[-1]
    for pattern, level in LEVEL_RULES:
        if pattern.search(verb):
            return level
    return AccessLevel.WRITE


@cache
def predefined_roles() -> Mapping[str, frozenset[str]]:
    """Role name -> permissions of every bundled predefined role (read once per process)."""
    raw = resources.files("nhiscan.providers.gcp").joinpath("data", DATA_FILE).read_bytes()
    roles = json.loads(gzip.decompress(raw))
    return {r["name"]: frozenset(r.get("includedPermissions", ())) for r in roles}


class GcpCatalog:
    """The ``PermissionCatalog`` of GCP over a role table (the bundled one by default)."""

    version = DATASET_COMMIT
    updated_at = DATASET_DATE
    example = "storage.objects.get"

    def __init__(self, roles: Mapping[str, frozenset[str]] | None = None) -> None:
        self._given = roles

    def roles(self) -> Mapping[str, frozenset[str]]:
        return self._given if self._given is not None else predefined_roles()

    @cached_property
    def permissions(self) -> frozenset[str]:
        return frozenset().union(*self.roles().values())

    def expand(self, pattern: str, /) -> frozenset[str]:
        if pattern == "*":
            return self.permissions
        if not has_wildcard(pattern):
            return frozenset({pattern})
        return frozenset(p for p in self.permissions if glob_match(pattern, p))

    def info(self, action: str, /) -> GcpPermission | None:
        if action not in self.permissions:
            return None
        return GcpPermission(action, action.split(".", 1)[0], access_level(action))

    def known(self, action: str, /) -> bool:
        return action in self.permissions

    def actions_for_resource(self, resource: str, /) -> frozenset[str]:
        if resource == "*" or SCOPE_NAME.match(resource):
            return self.permissions  # a binding on a scope grants every service below it
        prefixes = next((p for rx, p in RESOURCE_PERMISSIONS if rx.match(resource)), None)
        if prefixes is None:
            service = resource.removeprefix("//").split(".", 1)[0]
            prefixes = (f"{service}.",)
        return frozenset(p for p in self.permissions if p.startswith(prefixes))


@cache
def default_catalog() -> GcpCatalog:
    return GcpCatalog()
