"""GCP keyless trusts (issue #20): workload identity pool providers and the bindings that let
their principals impersonate a service account or hold roles themselves, read field by field
into FederatedTrusts; the attribute condition's CEL subset with twins one character apart."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from nhiscan.providers.gcp.analysis import GcpAnalysis
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.providers.gcp.federation_cel import Alternative, read_condition
from nhiscan.scanner.federation import (
    Admission,
    ClaimTest,
    FederatedTrust,
    Match,
    Platform,
    Registration,
)
from nhiscan.scanner.model import Policy, PolicyKind, Provider
from tests.providers.gcp import factories as g

GITHUB = "https://token.actions.githubusercontent.com"
POOL = f"projects/{g.NUMBER}/locations/global/workloadIdentityPools/github"
PROVIDER = f"{POOL}/providers/actions"
URI = f"iam.googleapis.com/{POOL}"
MAPPING = {
    "google.subject": "assertion.sub",
    "attribute.repository": "assertion.repository",
    "attribute.repository_owner": "assertion.repository_owner",
    "attribute.ref": "assertion.ref",
}
DEPLOY = g.sa("deploy")
WIU = "roles/iam.workloadIdentityUser"


def pool(name: str = POOL, **data: Any) -> Policy:
    document = {"name": name, "state": "ACTIVE", **data}
    return Policy(provider=Provider.GCP, id=name, name=name.rsplit("/", 1)[-1],
                  kind=PolicyKind.GCP_WORKLOAD_POOL, account=g.PROJECT,
                  document=document)  # fmt: skip


def provider(
    name: str = PROVIDER, *, condition: str | None = None, mapping: dict[str, str] | None = None,
    audiences: list[str] | None = None, **data: Any,
) -> Policy:  # fmt: skip
    document: dict[str, Any] = {
        "name": name, "state": "ACTIVE", "attributeMapping": mapping or MAPPING,
        "oidc": {"issuerUri": GITHUB, **({"allowedAudiences": audiences} if audiences else {})},
        **data,
    }  # fmt: skip
    if condition is not None:
        document["attributeCondition"] = condition
    return Policy(provider=Provider.GCP, id=name, name=name.rsplit("/", 1)[-1],
                  kind=PolicyKind.GCP_WORKLOAD_PROVIDER, account=g.PROJECT, document=document,
                  attached_to=(name.partition("/providers/")[0],))  # fmt: skip


def on_deploy(*members: str, role: str = WIU) -> Policy:
    return g.allow(g.sa_name(DEPLOY), g.binding(role, *members), account=g.PROJECT)


def analysis(*records: Any) -> GcpAnalysis:
    return GcpAnalysis(g.estate(g.project(), DEPLOY, *records), default_catalog())


def trusts(*records: Any) -> list[FederatedTrust]:
    return list(analysis(*records).federated_trusts())


def sub(*values: str, match: Match = Match.EQUALS) -> ClaimTest:
    return ClaimTest(claim="sub", match=match, values=values)


def test_a_subject_member_impersonating_a_service_account_reads_as_sub_equals() -> None:
    member = f"principal://{URI}/subject/repo:acme-lending/agents-platform:ref:refs/heads/main"
    binding = on_deploy(member)
    (trust,) = trusts(pool(), provider(), binding)
    assert trust == FederatedTrust(
        provider=Provider.GCP, target=DEPLOY.id, account=g.PROJECT, issuer=GITHUB,
        platform=Platform.GITHUB_ACTIONS,
        admissions=(Admission(
            tests=(sub("repo:acme-lending/agents-platform:ref:refs/heads/main"),),
            statement=trust.admissions[0].statement,
        ),),
        source=binding.id, registration=PROVIDER,
        # no allowedAudiences: the provider's own full resource name (one audience; Google
        # also takes its https: spelling)
        audiences=(f"//{URI}/providers/actions",),
        via="iam.serviceAccounts.getAccessToken",
    )  # fmt: skip
    statement = trust.admissions[0].statement
    assert statement is not None and (statement.policy_id, statement.sid) == (binding.id, WIU)
    assert trust.admits({"sub": "repo:acme-lending/agents-platform:ref:refs/heads/main"})
    assert not trust.admits({"sub": "repo:acme-lending/agents-platform:pull_request"})


def test_the_whole_pool_with_no_condition_admits_every_token_of_the_issuer() -> None:
    (trust,) = trusts(pool(), provider(), on_deploy(f"principalSet://{URI}/*"))
    assert trust.admissions == (Admission(statement=trust.admissions[0].statement),)
    assert trust.admits({"sub": "repo:someone-else/anything:pull_request"}) is True


@pytest.mark.parametrize(
    ("owner", "admitted"),
    [("acme-lending", False), ("acme-lendin", True)],  # one character: another owner's repo
)
def test_an_attribute_set_on_the_repository_twins(owner: str, admitted: bool) -> None:
    member = f"principalSet://{URI}/attribute.repository/{owner}/agents-platform"
    (trust,) = trusts(pool(), provider(), on_deploy(member))
    assert trust.admissions[0].tests == (
        ClaimTest(claim="repository", match=Match.EQUALS, values=(f"{owner}/agents-platform",)),
    )
    outsider = {"repository": "acme-lendin/agents-platform", "sub": "x"}
    assert trust.admits(outsider) is admitted


def test_allowed_audiences_are_the_registrations_own_and_disabled_providers_are_marked() -> None:
    found = analysis(
        pool(), provider(audiences=["https://github.com/acme-lending"]),
        provider(f"{POOL}/providers/old", disabled=True),
        provider(f"{POOL}/providers/gone", state="DELETED"),
        on_deploy(f"principalSet://{URI}/*"),
    )  # fmt: skip
    assert sorted(found.registrations(), key=lambda r: r.id) == [
        Registration(provider=Provider.GCP, id=PROVIDER, account=g.PROJECT, issuer=GITHUB,
                     platform=Platform.GITHUB_ACTIONS,
                     audiences=("https://github.com/acme-lending",)),
        Registration(provider=Provider.GCP, id=f"{POOL}/providers/old", account=g.PROJECT,
                     issuer=GITHUB, platform=Platform.GITHUB_ACTIONS,
                     audiences=(f"//{URI}/providers/old",),
                     disabled=True),
    ]  # fmt: skip
    # a disabled provider exchanges no token: the trust goes through the enabled one only
    (trust,) = found.federated_trusts()
    assert (trust.registration, trust.audiences) == (PROVIDER, ("https://github.com/acme-lending",))


def test_an_aws_provider_without_a_mapping_reads_the_subject_as_the_caller_arn() -> None:
    document = {"name": PROVIDER, "state": "ACTIVE", "aws": {"accountId": "123456789012"}}
    aws = replace(provider(), document=document)
    arn = "arn:aws:sts::123456789012:assumed-role/ci/session"
    (trust,) = trusts(pool(), aws, on_deploy(f"principal://{URI}/subject/{arn}"))
    assert (trust.issuer, trust.audiences) == ("aws-account:123456789012", None)
    assert trust.admissions[0].tests == (ClaimTest(claim="arn", match=Match.EQUALS, values=(arn,)),)


def test_a_disabled_pool_admits_through_none_of_its_providers() -> None:
    found = analysis(pool(disabled=True), provider(), on_deploy(f"principalSet://{URI}/*"))
    assert list(found.federated_trusts()) == []
    assert [r.disabled for r in found.registrations()] == [True]


def test_a_binding_on_the_project_reaches_its_accounts_and_names_the_pool_by_project_id() -> None:
    by_id = f"principalSet://iam.googleapis.com/projects/{g.PROJECT}/locations/global/" \
            f"workloadIdentityPools/github/*"  # fmt: skip
    other = g.sa("batch")
    project_binding = g.allow(g.PROJECT, g.binding(WIU, by_id), account=g.PROJECT)
    found = trusts(pool(), provider(), other, project_binding)
    assert sorted(t.target for t in found) == sorted([DEPLOY.id, other.id])
    assert {t.source for t in found} == {project_binding.id}


def test_a_role_granted_to_pool_principals_directly_targets_the_principal() -> None:
    member = f"principalSet://{URI}/attribute.repository/acme-lending/agents-platform"
    bucket = g.bucket("models")
    grant = g.allow(bucket.id, g.binding("roles/storage.objectAdmin", member), account=g.PROJECT)
    (trust,) = trusts(pool(), provider(), bucket, grant)
    assert (trust.target, trust.account, trust.via) == (
        member,
        g.PROJECT,
        "sts.googleapis.com (federated token, direct resource access)",
    )
    assert trust.admissions[0].tests == (
        ClaimTest(claim="repository", match=Match.EQUALS, values=("acme-lending/agents-platform",)),
    )


def test_a_pool_whose_providers_were_not_collected_is_undecided_not_dropped() -> None:
    (trust,) = trusts(on_deploy(f"principalSet://{URI}/*"))
    assert trust.registration is None and trust.audiences is None
    # the pool, its project as the id the estate knows it by, stands in for the issuer
    assert trust.issuer == (
        f"//iam.googleapis.com/projects/{g.PROJECT}/locations/global/workloadIdentityPools/github"
    )
    (admission,) = trust.admissions
    assert admission.tests == () and "were not collected" in admission.undecided[0]
    assert trust.admits({"sub": "anything"}) is None


def test_the_provider_condition_and_the_member_are_both_required() -> None:
    member = f"principal://{URI}/subject/repo:acme-lending/agents-platform:pull_request"
    found = trusts(
        pool(), provider(condition="assertion.repository_owner == 'acme-lending'"),
        on_deploy(member),
    )  # fmt: skip
    (admission,) = found[0].admissions
    assert admission.tests == (
        sub("repo:acme-lending/agents-platform:pull_request"),
        ClaimTest(claim="repository_owner", match=Match.EQUALS, values=("acme-lending",)),
    )


def test_a_subject_mapped_by_an_expression_is_undecided_with_the_mapping_shown() -> None:
    mapping = {"google.subject": "assertion.sub.extract('repo:{repo}:')"}
    (trust,) = trusts(pool(), provider(mapping=mapping), on_deploy(f"principal://{URI}/subject/x"))
    (admission,) = trust.admissions
    assert admission.tests == ()
    assert admission.undecided == (
        "google.subject == 'x' (google.subject = assertion.sub.extract('repo:{repo}:'))",
    )


def test_token_creator_on_an_account_is_the_impersonation_trust_only() -> None:
    creator = on_deploy(f"principalSet://{URI}/*", role="roles/iam.serviceAccountTokenCreator")
    (trust,) = trusts(pool(), provider(), creator)
    assert (trust.target, trust.via) == (DEPLOY.id, "iam.serviceAccounts.getAccessToken")


def test_token_creator_on_the_project_reaches_its_accounts_and_owner_is_direct() -> None:
    member = f"principalSet://{URI}/*"
    creator = g.allow(g.PROJECT, g.binding("roles/iam.serviceAccountTokenCreator", member),
                      account=g.PROJECT)  # fmt: skip
    assert [t.target for t in trusts(pool(), provider(), creator)] == [DEPLOY.id]
    # Owner holds no getAccessToken: the principals hold Owner themselves (what Owner then
    # reaches is the escalation engine's: setIamPolicy on the accounts)
    owner = g.allow(g.PROJECT, g.binding("roles/owner", member), account=g.PROJECT)
    assert [t.target for t in trusts(pool(), provider(), owner)] == [member]


def test_a_binding_of_a_role_that_cannot_mint_tokens_is_no_impersonation_trust() -> None:
    member = f"principalSet://{URI}/*"
    viewer = on_deploy(member, role="roles/iam.serviceAccountViewer")
    # the principals hold the viewer role themselves: a direct trust, not one into the account
    assert [(t.target, t.via) for t in trusts(pool(), provider(), viewer)] == [
        (member, "sts.googleapis.com (federated token, direct resource access)")
    ]


# The condition's CEL subset, read into alternatives of claim tests.


def like(claim: str, pattern: str) -> ClaimTest:
    return ClaimTest(claim=claim, match=Match.LIKE, values=(pattern,))


def eq(claim: str, *values: str) -> ClaimTest:
    return ClaimTest(claim=claim, match=Match.EQUALS, values=values)


def one(*tests: ClaimTest, undecided: tuple[str, ...] = ()) -> tuple[Alternative, ...]:
    return (Alternative(tests=tests, undecided=undecided),)


def unread(text: str) -> tuple[Alternative, ...]:
    return (Alternative(undecided=(text,)),)


NOT_MAIN = ClaimTest(claim="ref", match=Match.NOT_EQUALS, values=("refs/heads/main",))
NOT_PR = ClaimTest(claim="sub", match=Match.NOT_LIKE, values=("repo:acme/app:pull_request*",))
REGEX = "assertion.sub.matches('^repo:acme/.*$')"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("attribute.repository == 'acme/app'", one(eq("repository", "acme/app"))),
        ("'acme' == assertion.repository_owner", one(eq("repository_owner", "acme"))),
        ('assertion.ref != "refs/heads/main"', one(NOT_MAIN)),
        ("assertion.repository in ['acme/app', 'acme/web']",
         one(eq("repository", "acme/app", "acme/web"))),
        ("google.subject.startsWith('repo:acme/')", one(like("sub", "repo:acme/*"))),
        ("assertion.sub.endsWith(':ref:refs/heads/main')",
         one(like("sub", "*:ref:refs/heads/main"))),
        ("!assertion.sub.startsWith('repo:acme/app:pull_request')", one(NOT_PR)),
        ("assertion['repository_owner'] == 'acme' && assertion.ref == 'refs/heads/main'",
         one(eq("repository_owner", "acme"), eq("ref", "refs/heads/main"))),
        ("assertion.repository == 'acme/app' || assertion.repository == 'acme/web'",
         one(eq("repository", "acme/app")) + one(eq("repository", "acme/web"))),
        ("(assertion.ref == 'a' || assertion.ref == 'b') && assertion.repository_owner == 'acme'",
         one(eq("ref", "a"), eq("repository_owner", "acme"))
         + one(eq("ref", "b"), eq("repository_owner", "acme"))),
        (f"assertion.repository_owner == 'acme' && {REGEX}",
         one(eq("repository_owner", "acme"), undecided=(REGEX,))),
        ("'admins' in google.groups", unread("'admins' in google.groups")),
        ("attribute.team == 'core'", unread("attribute.team == 'core'")),  # not mapped
        ("assertion.sub.startsWith('repo:*')", unread("assertion.sub.startsWith('repo:*')")),
        ("assertion.sub == 'a' && (", unread("assertion.sub == 'a' && (")),
        (None, (Alternative(),)),
    ],
)  # fmt: skip
def test_condition_shapes(condition: str | None, expected: tuple[Alternative, ...]) -> None:
    assert read_condition(condition, MAPPING) == expected


@pytest.mark.parametrize(
    ("prefix", "admitted"),
    [("repo:acme-lending/", False), ("repo:acme-lending", True)],  # the slash keeps owners apart
)
def test_a_starts_with_condition_twins(prefix: str, admitted: bool) -> None:
    condition = f"assertion.sub.startsWith('{prefix}')"
    (trust,) = trusts(pool(), provider(condition=condition), on_deploy(f"principalSet://{URI}/*"))
    assert trust.admits({"sub": "repo:acme-lending-evil/x:ref:refs/heads/main"}) is admitted
    assert trust.admits({"sub": "repo:acme-lending/x:ref:refs/heads/main"}) is True


def test_an_or_condition_gives_an_admission_per_alternative_with_the_member_in_each() -> None:
    condition = "assertion.ref == 'refs/heads/main' || assertion.ref == 'refs/heads/release'"
    member = f"principalSet://{URI}/attribute.repository_owner/acme-lending"
    (trust,) = trusts(pool(), provider(condition=condition), on_deploy(member))
    assert [a.tests for a in trust.admissions] == [
        (eq("repository_owner", "acme-lending"), eq("ref", "refs/heads/main")),
        (eq("repository_owner", "acme-lending"), eq("ref", "refs/heads/release")),
    ]
    assert trust.admits({"repository_owner": "acme-lending", "ref": "refs/heads/release"})
    assert not trust.admits({"repository_owner": "acme-lending", "ref": "refs/pull/1/merge"})


GKE_POOL = f"projects/{g.NUMBER}/locations/global/workloadIdentityPools/{g.PROJECT}.svc.id.goog"


@pytest.mark.parametrize(
    "member",
    [
        f"principal://iam.googleapis.com/{GKE_POOL}/subject/ns/payments/sa/deployer",
        f"serviceAccount:{g.PROJECT}.svc.id.goog[payments/deployer]",  # the older spelling
    ],
)
def test_a_gke_kubernetes_service_account_impersonating_an_account(member: str) -> None:
    (trust,) = trusts(on_deploy(member))
    assert (trust.target, trust.platform, trust.registration, trust.audiences) == (
        DEPLOY.id,
        Platform.KUBERNETES,
        None,
        None,
    )
    assert trust.issuer == f"https://container.googleapis.com/v1/projects/{g.PROJECT}"
    assert trust.admissions[0].tests == (
        ClaimTest(claim="sub", match=Match.EQUALS,
                  values=("system:serviceaccount:payments:deployer",)),
    )  # fmt: skip
    assert trust.admits({"sub": "system:serviceaccount:payments:deployer"}) is True
    assert trust.admits({"sub": "system:serviceaccount:payments:deployers"}) is False


def test_a_gke_namespace_set_admits_every_account_of_the_namespace() -> None:
    (trust,) = trusts(on_deploy(f"principalSet://iam.googleapis.com/{GKE_POOL}/namespace/ci"))
    assert trust.admits({"sub": "system:serviceaccount:ci:anything"}) is True
    assert trust.admits({"sub": "system:serviceaccount:cid:anything"}) is False


def test_a_binding_condition_is_kept_undecided_on_each_admission() -> None:
    expiry = "request.time < timestamp('2027-01-01T00:00:00Z')"
    bound = g.binding(WIU, f"principalSet://{URI}/*", condition=expiry)
    binding = g.allow(g.sa_name(DEPLOY), bound, account=g.PROJECT)
    (trust,) = trusts(pool(), provider(), binding)
    assert [a.undecided for a in trust.admissions] == [(f"binding condition: {expiry}",)]
    assert trust.admits({"sub": "x"}) is None
