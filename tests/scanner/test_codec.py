"""Fields marked ``OMIT_DEFAULT`` cost records that leave them at their default nothing: the
codec writes them only when set, and reads them back either way."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from nhiscan.reports.schema import record_schema
from nhiscan.scanner.codec import decode, encode
from nhiscan.scanner.model import (
    OMIT_DEFAULT,
    RECORD,
    Account,
    Credential,
    CredentialKind,
    CredentialStatus,
    GapReason,
    Identity,
    IdentityKind,
    Provider,
    Resource,
    omitted_when_default,
)
from tests import factories as f

# The keys an AWS record was written with before the fields for other clouds came: unchanged.
IDENTITY_KEYS = [
    "provider", "id", "name", "kind", "account", "native_id", "path", "description", "created",
    "last_used", "last_used_region", "tags", "owner", "is_human", "human_reason", "policies",
    "member_of", "permissions_boundary", "trust_policy", "console_access", "password_last_used",
    "mfa_devices", "max_session_seconds", "service_linked", "instance_profiles",
]  # fmt: skip
CREDENTIAL_KEYS = [
    "provider", "id", "identity", "kind", "account", "status", "created", "last_used",
    "last_used_service", "last_used_region", "expires", "fingerprint",
]  # fmt: skip
ACCOUNT_KEYS = ["provider", "id", "name", "org_id", "parents", "is_management"]


@dataclass(**RECORD)  # type: ignore[call-overload]
class Sample:
    id: str
    note: str | None = field(default=None, metadata=OMIT_DEFAULT)
    labels: tuple[str, ...] = field(default=(), metadata=OMIT_DEFAULT)
    count: int = 0


def test_marked_fields_at_their_default_are_left_out() -> None:
    assert encode(Sample(id="a")) == {"id": "a", "count": 0}
    assert decode(Sample, {"id": "a", "count": 0}) == Sample(id="a")


def test_marked_fields_that_are_set_are_written_and_read_back() -> None:
    sample = Sample(id="a", note="n", labels=("x", "y"), count=2)
    assert encode(sample) == {"id": "a", "note": "n", "labels": ["x", "y"], "count": 2}
    assert decode(Sample, encode(sample)) == sample


def test_aws_records_encode_exactly_the_keys_they_had() -> None:
    owner = f.user()
    assert list(encode(owner)) == IDENTITY_KEYS
    assert list(encode(f.role())) == IDENTITY_KEYS
    assert list(encode(f.access_key(owner))) == CREDENTIAL_KEYS
    assert list(encode(f.org_account())) == ACCOUNT_KEYS
    assert list(encode(f.account())) == ACCOUNT_KEYS


def test_the_new_fields_are_the_marked_ones() -> None:
    assert omitted_when_default(Identity) == {
        "disabled", "subtype", "home_account", "resource", "audience"
    }  # fmt: skip
    assert omitted_when_default(Credential) == {"status_reason", "origin", "holder"}
    assert omitted_when_default(Resource) == {"also_runs_as"}
    assert omitted_when_default(Account) == {"native_id"}
    assert omitted_when_default(Sample) == {"note", "labels"}


def test_a_gcp_service_account_round_trips_with_its_fields() -> None:
    sa = Identity(
        provider=Provider.GCP,
        id="deployer@acme-prod.iam.gserviceaccount.com",
        name="deployer",
        kind=IdentityKind.SERVICE_ACCOUNT,
        account="acme-prod",
        native_id="104729817236410298374",
        disabled=True,
    )
    encoded = encode(sa)
    assert encoded["disabled"] is True
    assert decode(Identity, encoded) == sa
    assert decode(Identity, {k: v for k, v in encoded.items() if k != "disabled"}).disabled is None


def test_a_gcp_key_and_project_round_trip_with_their_fields() -> None:
    key = Credential(
        provider=Provider.GCP,
        id="3b8c" * 10,
        identity="deployer@acme-prod.iam.gserviceaccount.com",
        kind=CredentialKind.SA_SYSTEM_KEY,
        account="acme-prod",
        status=CredentialStatus.INACTIVE,
        status_reason="exposed",
        origin="google-provided",
    )
    project = Account(provider=Provider.GCP, id="acme-prod", native_id="415104041262")
    assert list(encode(key))[-2:] == ["status_reason", "origin"]
    assert encode(project)["native_id"] == "415104041262"
    assert decode(Credential, encode(key)) == key
    assert decode(Account, encode(project)) == project


@pytest.mark.parametrize("cls", [Identity, Credential, Account])
def test_the_report_schema_requires_only_the_fields_always_written(cls: type) -> None:
    schema = record_schema(cls)
    assert set(schema["properties"]) - set(schema["required"]) == omitted_when_default(cls)


def test_a_disabled_api_is_its_own_gap_reason() -> None:
    assert GapReason("api-disabled") is GapReason.API_DISABLED


def test_a_named_tuple_field_round_trips_and_a_wrong_length_names_the_field() -> None:
    """An escalation's steps are NamedTuples (``Step``): written as lists, read back."""
    from nhiscan.scanner.authz import Decision, Evaluation, StatementRef
    from nhiscan.scanner.codec import DecodeError
    from nhiscan.scanner.escalation import Escalation, Family, Step

    granted = Evaluation(decision=Decision.CONDITIONAL,
                         allowed_by=(StatementRef(policy_id="p", index=2, sid="S"),))  # fmt: skip
    escalation = Escalation.of(principal="u", method="iam:PassRole", family=Family.PASSROLE_COMPUTE,
                               target="r", steps=(Step("iam:PassRole", "r", granted),))  # fmt: skip
    encoded = encode(escalation)
    assert encoded["steps"][0][:2] == ["iam:PassRole", "r"]
    assert decode(Escalation, encoded) == escalation
    encoded["steps"][0] = ["iam:PassRole", "r"]
    with pytest.raises(DecodeError, match=r"steps\[0\]: expected 3 values"):
        decode(Escalation, encoded)
