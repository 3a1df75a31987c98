from __future__ import annotations

import pytest

from nhiscan.providers.gcp.catalog import DATASET_DATE, default_catalog, predefined_roles
from nhiscan.providers.gcp.roles import RoleBook
from nhiscan.scanner.facts import AccessLevel
from tests.providers.gcp import factories as g


def test_the_bundled_catalogue_loads_every_predefined_role() -> None:
    roles = predefined_roles()
    assert len(roles) == 2461
    assert len(roles["roles/owner"]) == 13568
    assert "iam.serviceAccounts.getAccessToken" in roles["roles/iam.serviceAccountTokenCreator"]
    catalog = default_catalog()
    assert len(catalog.permissions) == 13790
    assert (catalog.updated_at, catalog.example) == (DATASET_DATE, "storage.objects.get")
    assert catalog.known(catalog.example) and not catalog.known("storage.objects.steal")


@pytest.mark.parametrize(
    ("permission", "level"),
    [
        ("storage.objects.list", AccessLevel.LIST),
        ("cloudasset.assets.searchAllIamPolicies", AccessLevel.LIST),
        ("compute.serviceAttachments.listTagBindings", AccessLevel.LIST),
        ("storage.objects.get", AccessLevel.READ),
        ("secretmanager.versions.access", AccessLevel.READ),
        ("storage.buckets.getIamPolicy", AccessLevel.READ),
        ("resourcemanager.projects.setIamPolicy", AccessLevel.PERMISSIONS_MANAGEMENT),
        ("resourcemanager.tagValueBindings.create", AccessLevel.WRITE),
        ("storage.buckets.createTagBinding", AccessLevel.TAGGING),
        ("iam.serviceAccountKeys.create", AccessLevel.WRITE),
    ],
)
def test_access_level_from_the_verb(permission: str, level: AccessLevel) -> None:
    info = default_catalog().info(permission)
    assert info is not None and info.access_level is level
    assert info.service == permission.split(".", 1)[0]


def test_every_set_iam_policy_is_permissions_management() -> None:
    catalog = default_catalog()
    setters = [p for p in catalog.permissions if p.endswith(".setIamPolicy")]
    assert len(setters) > 100
    for permission in setters:
        info = catalog.info(permission)
        assert info is not None and info.access_level is AccessLevel.PERMISSIONS_MANAGEMENT


def test_expand_and_actions_for_resource() -> None:
    catalog = default_catalog()
    objects = catalog.expand("storage.objects.*")
    assert "storage.objects.get" in objects and "storage.buckets.get" not in objects
    assert catalog.expand("*") == catalog.permissions
    assert catalog.expand("storage.objects.get") == {"storage.objects.get"}
    bucket = catalog.actions_for_resource("//storage.googleapis.com/projects/_/buckets/b")
    assert {"storage.objects.get", "storage.buckets.get"} <= bucket
    assert "compute.instances.create" not in bucket
    assert catalog.actions_for_resource(g.crm(g.PROJECT)) == catalog.permissions


def test_custom_roles_come_from_the_snapshot_and_a_deleted_one_grants_nothing() -> None:
    live = g.custom_role("projects/acme-prod/roles/deployer", "run.services.create")
    gone = g.custom_role("projects/acme-prod/roles/old", "storage.objects.get", deleted=True)
    book = RoleBook(default_catalog(), [live, gone])
    assert book.permissions("projects/acme-prod/roles/deployer") == {"run.services.create"}
    assert book.permissions("projects/acme-prod/roles/old") == frozenset()
    assert book.permissions("roles/viewer")
    assert book.permissions("projects/acme-prod/roles/unknown") is None
