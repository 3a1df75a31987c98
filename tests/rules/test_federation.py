"""NHI600-NHI604 over hand-built keyless trusts: severity from what the identity reaches,
twins one character apart, the evidence a person acts on (the judgement's words and the exact
condition to add), and the cases each rule leaves to another."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from nhiscan.rules.federation import (
    FederationAdmitsPullRequests,
    FederationAudienceNotPinned,
    KeysBesideFederatedTrust,
    OrphanFederationRegistration,
    WildcardFederationTrust,
)
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import FederatedTrust, Registration
from nhiscan.scanner.model import Finding, IdentityKind, Severity
from tests.factories import (
    ACCOUNT,
    access_key,
    allow,
    context,
    estate,
    managed_policy,
    resource,
    role,
)
from tests.rules.federation_fixtures import (
    AUD,
    equals,
    federating,
    github_registration,
    github_trust,
    like,
)


def _run(
    rule: Any, e: Estate, trusts: list[FederatedTrust], found: tuple[Registration, ...] = ()
) -> list[Finding]:
    with federating(trusts, found):
        return list(rule.evaluate(e, context(graph_of=e)))


def _granted(name: str, *statements: dict[str, Any]) -> tuple[Any, ...]:
    policy = managed_policy(f"{name}-policy", *statements)
    return replace(role(name), policies=(policy.id,)), policy


def test_a_wildcard_trust_on_an_admin_role_is_critical_with_the_path_from_outside() -> None:
    deploy, policy = _granted("preview-deploy", allow("*"))
    e = estate(deploy, policy)
    (finding,) = _run(
        WildcardFederationTrust(), e, [github_trust(deploy.id, like("sub", "repo:acme/*"), AUD)]
    )
    assert finding.severity is Severity.CRITICAL
    assert finding.title == (
        "Role preview-deploy admits any workflow in any repository of acme, on any branch, "
        f"including pull requests (and it reaches administrator of account {ACCOUNT})."
    )
    assert finding.path[0]["from"] == "external:token.actions.githubusercontent.com:repo:acme/*"
    assert [hop["edge"] for hop in finding.path] == ["can_act_as", "is_admin"]
    evidence = finding.evidence
    assert evidence["patterns"] == ["repo:acme/*"]
    assert evidence["wildcard"] == "repository"
    assert evidence["statements"] == [{"policy_id": f"{deploy.id}#trust", "index": 0, "sid": None}]
    assert evidence["fix"] == (
        '"Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": '
        '"repo:acme/REPOSITORY:ref:refs/heads/main", '
        '"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}'
    )


def test_a_wildcard_trust_reaching_a_data_store_is_critical_and_a_narrow_role_high() -> None:
    bucket = resource("loans")
    reader, policy = _granted("reader", allow("s3:GetObject", f"{bucket.id}/*"))
    e = estate(reader, policy, bucket)
    trust = github_trust(reader.id, like("sub", "repo:acme*"), AUD)
    (finding,) = _run(WildcardFederationTrust(), e, [trust])
    assert finding.severity is Severity.CRITICAL
    assert finding.evidence["reaches"] == [f"data store {bucket.id}"]
    assert finding.evidence["example"] == "repo:acmex/x:ref:refs/heads/x"
    plain = role("plain")
    (finding,) = _run(WildcardFederationTrust(), estate(plain), [github_trust(plain.id, AUD)])
    assert finding.severity is Severity.HIGH
    assert finding.evidence["wildcard"] == "any"


def test_nhi600_twins_one_character_apart() -> None:
    target = role("twin")
    e = estate(target)
    wide = github_trust(target.id, like("sub", "repo:acme/app*"), AUD)  # acme/app-anything
    narrow = github_trust(target.id, like("sub", "repo:acme/app:*"), AUD)  # acme/app only
    assert _run(WildcardFederationTrust(), e, [wide])
    assert _run(WildcardFederationTrust(), e, [narrow]) == []


def test_nhi601_twins_and_a_may() -> None:
    target = role("prs")
    e = estate(target)
    rule = FederationAdmitsPullRequests()
    prs = github_trust(target.id, like("sub", "repo:acme/app:pull_reques?"), AUD)
    (finding,) = _run(rule, e, [prs])
    assert finding.severity is Severity.HIGH
    assert (
        finding.title
        == "Role prs admits pull request runs: any workflow in acme/app, including pull requests."
    )
    never = github_trust(target.id, like("sub", "repo:acme/app:pull_request?"), AUD)
    assert _run(rule, e, [never]) == []
    maybe = github_trust(target.id, like("sub", "repo:acme/app:*"), AUD, undecided=("Bool: x",))
    (finding,) = _run(rule, e, [maybe])
    assert finding.severity is Severity.MEDIUM and finding.evidence["certain"] is False


def test_nhi602_names_the_audiences_accepted() -> None:
    target = role("aud")
    subject = equals("sub", "repo:acme/app:ref:refs/heads/main")
    trust = github_trust(target.id, subject, audiences=("sts.amazonaws.com", "sigstore"))
    (finding,) = _run(FederationAudienceNotPinned(), estate(target), [trust])
    assert finding.evidence["accepted_audiences"] == ["*"]
    assert finding.evidence["registration_audiences"] == ["sts.amazonaws.com", "sigstore"]
    assert "not only sts.amazonaws.com" in finding.title
    unknown = github_trust(target.id, subject, audiences=None)
    assert _run(FederationAudienceNotPinned(), estate(target), [unknown]) == []


def test_nhi603_joins_registrations_by_id_or_by_issuer_and_skips_disabled_ones() -> None:
    target = role("joined")
    registration = github_registration()
    rule = OrphanFederationRegistration()
    (finding,) = _run(rule, estate(target), [], (registration,))
    assert finding.subject == registration.id and finding.severity is Severity.LOW
    by_issuer = replace(github_trust(target.id, AUD), registration=None)
    assert _run(rule, estate(target), [by_issuer], (registration,)) == []
    other_account = replace(by_issuer, account="999999999999")
    assert _run(rule, estate(target), [other_account], (registration,))
    assert _run(rule, estate(target), [], (replace(registration, disabled=True),)) == []


def test_nhi604_reports_keys_beside_a_trust_but_not_an_applications() -> None:
    target = role("keyed")
    key = access_key(target.id, id="AKIAKEYBESIDE0000001")
    trust = github_trust(target.id, equals("sub", "repo:acme/app:ref:refs/heads/main"), AUD)
    (finding,) = _run(KeysBesideFederatedTrust(), estate(target, key), [trust])
    assert finding.evidence["active_keys"] == ["AKIAKEYBESIDE0000001"]
    assert finding.title.endswith("still has an active access key AKIAKEYBESIDE0000001.")
    app = replace(target, kind=IdentityKind.SERVICE_PRINCIPAL)
    assert _run(KeysBesideFederatedTrust(), estate(app, key), [trust]) == []
    assert ACCOUNT in target.id
