from __future__ import annotations

from typing import Any

import pytest

from nhiscan.providers.aws.humans import classify
from nhiscan.scanner.humans import name_signal
from nhiscan.scanner.model import CredentialStatus, IdentityKind
from tests.factories import (
    access_key,
    assume_role_statement,
    days_ago,
    document,
    estate,
    identity,
    role,
    service_linked_role,
    trust_policy,
    user,
)

GITHUB_OIDC = "token.actions.githubusercontent.com"

# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "signal"),
    [
        ("svc-deploy", False),
        ("ci-bot", False),
        ("ReportingAgent", False),
        ("CIBot", False),  # acronym then word
        ("ETLJob", False),
        ("S3Uploader", False),
        ("GitHubActions", False),
        ("terraform", False),
        ("ci-bot@example.com", False),
        ("jane.doe", True),
        ("Jane.Doe", True),
        ("john_smith", True),
        ("jdoe@example.com", True),
        ("jane.doe@corp.example.co.uk", True),
        ("jdoe", None),
        ("admin", None),
        ("x", None),
        ("JaneDoe", None),
        ("servicedesk", None),  # "service" only counts as a whole token
    ],
)
def test_name_signal(name: str, signal: bool | None) -> None:
    assert name_signal(name) is signal


# --- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "verdict"),
    [
        ({"Human": "true"}, True),
        ({"is_human": "No"}, False),
        ({"NHI": "true"}, False),
        ({"nhi": "false"}, True),
        ({"identity-type": "Employee"}, True),
        ({"Type": "service"}, False),
        ({"principal_type": " AI-Agent "}, False),
    ],
)
def test_kind_tags_decide_first(tags: dict[str, str], verdict: bool) -> None:
    # The name and login point the other way; the tag wins.
    subject = user("jane.doe" if not verdict else "svc-deploy", tags=tags, console_access=False)
    result = classify(subject)
    assert result.is_human is verdict
    assert result.reason.startswith("tag ")


def test_unrelated_or_unknown_tags_are_ignored() -> None:
    subject = user("svc-deploy", tags={"team": "human-resources", "type": "gpu"})
    assert classify(subject).is_human is False
    assert classify(subject).reason == "name looks like a service"


# --- users -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "reason_part"),
    [
        ({"console_access": True}, "console password"),
        ({"mfa_devices": 1}, "MFA device"),
        ({"password_last_used": days_ago(3)}, "signed in to the console"),
    ],
)
def test_person_logins_make_a_user_human(overrides: dict[str, Any], reason_part: str) -> None:
    result = classify(user("build", **overrides))
    assert result.is_human is True
    assert reason_part in result.reason


def test_logins_outweigh_a_machine_name() -> None:
    assert classify(user("svc-deploy", console_access=True, mfa_devices=1)).is_human is True


def test_zero_mfa_devices_is_no_sign() -> None:
    assert classify(user("jdoe", mfa_devices=0, console_access=False)).is_human is None


def test_keys_and_no_console_make_an_unnamed_user_a_machine() -> None:
    subject = user("jdoe", console_access=False)
    result = classify(subject, [access_key(subject)])
    assert result.is_human is False
    assert result.reason == "access keys and no console password"


def test_inactive_keys_are_no_sign() -> None:
    subject = user("jdoe", console_access=False)
    inactive = access_key(subject, status=CredentialStatus.INACTIVE)
    result = classify(subject, [inactive])
    assert result.is_human is None
    assert "no console password" in result.reason


def test_uncollected_console_is_unknown_not_a_guess() -> None:
    subject = user("jdoe", console_access=None)
    result = classify(subject, [access_key(subject)])
    assert result.is_human is None
    assert "not collected" in result.reason


# --- roles -----------------------------------------------------------------------------------


def test_sso_roles_are_people() -> None:
    by_name = role("AWSReservedSSO_AdministratorAccess_0123456789abcdef")
    by_path = role("Admin", path="/aws-reserved/sso.amazonaws.com/eu-west-1/")
    assert classify(by_name).is_human is True
    assert classify(by_path).is_human is True
    assert "SSO" in classify(by_name).reason


def test_saml_trust_means_people() -> None:
    subject = role("okta-admins")
    statement = assume_role_statement(
        {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"},
        Action=["sts:AssumeRoleWithSAML", "sts:TagSession"],
    )
    result = classify(subject, trust_document={"Statement": statement})
    assert result.is_human is True
    assert "SAML" in result.reason


def test_denied_saml_or_oidc_trust_is_not_people() -> None:
    subject = role("github-deploy")
    trust = document(
        assume_role_statement(
            {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{GITHUB_OIDC}"},
            Action="sts:AssumeRoleWithWebIdentity",
        ),
        assume_role_statement({"Federated": "x"}, Action="sts:AssumeRoleWithSAML", Effect="Deny"),
    )
    assert classify(subject, trust_document=trust).is_human is False


def test_service_linked_role_is_a_machine() -> None:
    result = classify(service_linked_role())
    assert result.is_human is False
    assert "service-linked" in result.reason


def test_plain_role_is_a_machine() -> None:
    assert classify(role("app")).is_human is False


def test_workload_kinds_are_machines() -> None:
    sa = identity(kind=IdentityKind.SERVICE_ACCOUNT, id="app@p.iam.gserviceaccount.com")
    assert classify(sa).is_human is False


# --- through the estate ----------------------------------------------------------------------


def test_estate_fills_in_verdicts_and_keeps_connector_ones() -> None:
    saml = role("okta-admins")
    trust = trust_policy(
        saml,
        document(assume_role_statement({"Federated": "p"}, Action="sts:AssumeRoleWithSAML")),
    )
    told = user("svc-deploy", is_human=True, human_reason="directory says so")
    e = estate(saml, trust, told, user("ci-bot"))
    assert e.identities[saml.id].is_human is True
    assert e.identities[told.id].human_reason == "directory says so"
    ci = e.identities["arn:aws:iam::123456789012:user/ci-bot"]
    assert (ci.is_human, ci.human_reason) == (False, "name looks like a service")
