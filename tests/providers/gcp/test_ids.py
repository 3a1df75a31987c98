from __future__ import annotations

import pytest

from nhiscan.providers.gcp.facts import FACTS
from nhiscan.providers.gcp.ids import GcpIds
from nhiscan.scanner.model import CredentialKind

IDS = GcpIds()
SA = "deploy@acme-prod.iam.gserviceaccount.com"
OBJECT = "//storage.googleapis.com/projects/_/buckets/b/objects/o.txt"


@pytest.mark.parametrize(
    ("value", "owns", "scope"),
    [
        (SA, True, "acme-prod"),
        ("123-compute@developer.gserviceaccount.com", True, None),
        (f"//iam.googleapis.com/projects/acme-prod/serviceAccounts/{SA}", True, "acme-prod"),
        ("//bigquery.googleapis.com/projects/data-1/datasets/d", True, "data-1"),
        ("//cloudresourcemanager.googleapis.com/folders/82001", True, "folders/82001"),
        ("projects/acme-prod", True, "acme-prod"),
        ("organizations/93422", True, "organizations/93422"),
        (OBJECT, True, None),
        ("arn:aws:iam::123456789012:role/x", False, None),
    ],
)
def test_owns_and_scope_of(value: str, owns: bool, scope: str | None) -> None:
    assert IDS.owns(value) is owns
    assert IDS.scope_of(value) == scope


def test_service_container_short_and_broad() -> None:
    assert IDS.service_of(OBJECT) == "storage"
    assert IDS.container_of(OBJECT) == "//storage.googleapis.com/projects/_/buckets/b"
    assert IDS.container_of("//storage.googleapis.com/projects/_/buckets/b") is None
    assert (IDS.short(SA), IDS.short(OBJECT)) == ("deploy", "o.txt")
    assert IDS.is_broad("*") and IDS.is_broad("projects/acme-prod")
    assert IDS.is_broad("//cloudresourcemanager.googleapis.com/organizations/1")
    assert not IDS.is_broad(OBJECT)


def test_facts_judge_user_managed_keys_only() -> None:
    assert FACTS.long_lived_credentials == {CredentialKind.SA_KEY.value}
    assert FACTS.credential_words["sa-key"] == "service account key"
    assert FACTS.credential_id_detectors == {"GCP Service Account Key"}
    assert "iam.projects.serviceAccounts.list" in FACTS.identity_list_operations
