"""Azure keyless trusts (issue #20): an application's or managed identity's federated identity
credentials read field by field into FederatedTrusts, subjects exact and flexible expressions
as LIKE, with twins one character apart."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from nhiscan.errors import ConnectorError
from nhiscan.providers.azure.analysis import AzureAnalysis
from nhiscan.providers.azure.catalog import default_catalog
from nhiscan.providers.azure.federation import admission
from nhiscan.scanner.federation import (
    Admission,
    ClaimTest,
    FederatedTrust,
    Match,
    Platform,
)
from nhiscan.scanner.model import IdentityKind, Policy, PolicyKind, Provider
from tests import factories as f
from tests.connectors.azure import export as ex
from tests.providers.azure.rules import fixtures as fx

GITHUB = "https://token.actions.githubusercontent.com"
EXCHANGE = "api://AzureADTokenExchange"


def credentials(on: str, *entries: dict[str, Any]) -> Policy:
    return Policy(provider=Provider.AZURE, id=f"{on}#federated-credentials", name="fics",
                  kind=PolicyKind.ENTRA_FEDERATED_CREDENTIALS, account=fx.TENANT,
                  document={"value": list(entries)}, attached_to=(on,))  # fmt: skip


def fic(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": fx.guid("c0", 0x200 + n), "name": f"fic-{n}", "issuer": GITHUB,
            "audiences": [EXCHANGE], **fields}  # fmt: skip


def analysis(*records: Any) -> AzureAnalysis:
    return AzureAnalysis(fx.estate(fx.tenant(), *records), default_catalog())


def trusts(*entries: dict[str, Any], joined: bool = True) -> list[FederatedTrust]:
    policy = credentials(fx.guid("c0", 2), *entries)
    principal = fx.sp("c0", "deployer")
    if joined:  # what the connectors write: the credentials are the principal's trust policy
        principal = replace(principal, trust_policy=policy.id)
    return list(analysis(principal, fx.app("c0", "deployer"), policy).federated_trusts())


def test_an_application_credential_is_a_trust_into_its_service_principal() -> None:
    subject = "repo:acme-lending/agents-platform:environment:production"
    (trust,) = trusts(fic(0, subject=subject))
    assert trust == FederatedTrust(
        provider=Provider.AZURE, target=fx.guid("c0", 1), account=fx.TENANT, issuer=GITHUB,
        platform=Platform.GITHUB_ACTIONS,
        admissions=(Admission(tests=(ClaimTest(claim="sub", match=Match.EQUALS,
                                               values=(subject,)),)),),
        source=f"{fx.guid('c0', 2)}#federated-credentials", registration=fx.guid("c0", 0x200),
        audiences=(EXCHANGE,), via="federated-identity-credential",
    )  # fmt: skip


def test_credentials_found_through_the_application_when_the_trust_policy_was_not_joined() -> None:
    assert [t.target for t in trusts(fic(0, subject="x"), joined=False)] == [fx.guid("c0", 1)]


def test_each_credential_is_its_own_trust() -> None:
    found = trusts(fic(0, subject="repo:a/b:ref:refs/heads/main"), fic(1, subject="system:x"))
    assert [t.registration for t in found] == [fx.guid("c0", 0x200), fx.guid("c0", 0x201)]


@pytest.mark.parametrize(
    ("subject", "admitted"),
    [
        ("repo:acme-lending/agents-platform:ref:refs/heads/main", True),
        ("repo:acme-lending/agents-platform:ref:refs/heads/mai", False),  # exact, no prefix
        ("Repo:acme-lending/agents-platform:ref:refs/heads/main", False),  # case counts
    ],
)
def test_the_subject_is_compared_exactly(subject: str, admitted: bool) -> None:
    (trust,) = trusts(fic(0, subject=subject))
    token = {"sub": "repo:acme-lending/agents-platform:ref:refs/heads/main"}
    assert trust.admits(token) is admitted


def flexible(value: str) -> dict[str, Any]:
    return {"subject": None, "claimsMatchingExpression": {"value": value, "languageVersion": 1}}


@pytest.mark.parametrize(
    ("pattern", "admitted"),
    [("repo:acme-lending/*", False), ("repo:acme-lending*", True)],  # the slash keeps owners apart
)
def test_a_flexible_expression_twins(pattern: str, admitted: bool) -> None:
    (trust,) = trusts(fic(0, **flexible(f"claims['sub'] matches '{pattern}'")))
    assert trust.admissions[0].tests == (ClaimTest(claim="sub", match=Match.LIKE,
                                                   values=(pattern,)),)  # fmt: skip
    assert trust.admits({"sub": "repo:acme-lending-evil/x:pull_request"}) is admitted
    assert trust.admits({"sub": "repo:acme-lending/x:pull_request"}) is True


def test_flexible_terms_joined_by_and_and_an_unknown_term_kept_undecided() -> None:
    text = (
        "claims['sub'] matches 'repo:acme/*' and claims['job_workflow_ref'] eq "
        "'acme/ci/.github/workflows/deploy.yml@refs/heads/main' and claims['x'] contains 'y'"
    )
    assert admission(flexible(text)) == Admission(
        tests=(
            ClaimTest(claim="sub", match=Match.LIKE, values=("repo:acme/*",)),
            ClaimTest(claim="job_workflow_ref", match=Match.EQUALS,
                      values=("acme/ci/.github/workflows/deploy.yml@refs/heads/main",)),
        ),
        undecided=("claims['x'] contains 'y'",),
    )  # fmt: skip


def test_a_managed_identity_credential_targets_the_identity() -> None:
    identity = fx.sp("m0", "uami-deploy", kind=IdentityKind.MANAGED_IDENTITY)
    arm_id = (f"/subscriptions/{fx.SUBSCRIPTION}/resourcegroups/rg/providers/"
              "microsoft.managedidentity/userassignedidentities/uami-deploy")  # fmt: skip
    issuer = "https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/"
    policy = credentials(arm_id, fic(0, issuer=issuer, subject="system:serviceaccount:ns:sa"))
    found = analysis(replace(identity, trust_policy=policy.id), policy)
    (trust,) = found.federated_trusts()
    assert (trust.target, trust.issuer, trust.platform) == (identity.id, issuer, Platform.OIDC)
    assert list(found.registrations()) == []


def test_an_exported_flexible_credential_is_read_and_becomes_a_like_trust(tmp_path: Path) -> None:
    """Through the export reader: a Graph credential with a null subject and an expression (the
    flexible form) is kept, not refused as malformed; one with neither is refused."""
    folder = ex.copy(tmp_path)
    path = folder / "federated-credentials" / f"{ex.PAY_CLIENT}.json"
    entry = {
        "id": fx.guid("c9", 1),
        "name": "any-branch",
        "issuer": GITHUB,
        "audiences": [EXCHANGE],
        **flexible("claims['sub'] matches 'repo:contoso/*'"),
    }
    ex.dump(path, [entry])  # fmt: skip
    records = ex.read(folder)
    found = AzureAnalysis(f.estate(*records), default_catalog())
    (trust,) = found.federated_trusts()
    assert (trust.target, trust.registration) == (ex.SP_PAY, fx.guid("c9", 1))
    assert trust.admissions[0].tests == (
        ClaimTest(claim="sub", match=Match.LIKE, values=("repo:contoso/*",)),
    )
    ex.dump(path, [{k: v for k, v in entry.items() if k != "claimsMatchingExpression"}])
    with pytest.raises(ConnectorError, match="subject"):
        ex.read(folder)
