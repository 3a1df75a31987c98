"""Workload identity pools and providers in the project walk (issue #20): listed through IAM
v1 (``projects.locations.workloadIdentityPools.list`` and ``.providers.list``) over HTTP in the
documented JSON, kept whole as policies, and read by the GCP analysis into the trust a
service account's binding gives a pool's principals; a refused listing is a gap, not "no
pools"."""

from __future__ import annotations

from nhiscan.providers.gcp.analysis import GcpAnalysis
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.scanner.federation import ClaimTest, Match, Platform
from nhiscan.scanner.model import GapReason, Policy, PolicyKind
from tests import factories as f

from .conftest import DEPLOY, NUMBER, POOL_PROVIDERS, POOLS, PROJECT, SA, Api, error
from .test_walk import api, gaps, of, walk

__all__ = ["api"]

POOL = f"projects/{NUMBER}/locations/global/workloadIdentityPools/github"
GITHUB_PROVIDER = f"{POOL}/providers/acme-lending"
GITLAB_PROVIDER = f"{POOL}/providers/gitlab-old"


def test_pools_and_providers_are_policies_kept_as_the_api_returned_them(api: Api) -> None:
    records = walk(api)
    assert gaps(records) == {}
    policies = of(records, Policy)
    pool = policies[POOL]
    assert (pool.kind, pool.account, pool.name) == (
        PolicyKind.GCP_WORKLOAD_POOL,
        PROJECT,
        "GitHub Actions",
    )
    github = policies[GITHUB_PROVIDER]
    assert (github.kind, github.account, github.attached_to) == (
        PolicyKind.GCP_WORKLOAD_PROVIDER,
        PROJECT,
        (POOL,),
    )
    assert github.document["attributeCondition"] == "assertion.repository_owner == 'acme-lending'"
    assert policies[GITLAB_PROVIDER].document["disabled"] is True
    assert api.seen[[s.path for s in api.seen].index(POOLS)].args["pageSize"] == "100"


def test_a_walked_binding_of_a_pool_set_becomes_a_trust_into_the_account(api: Api) -> None:
    api.ok("POST", f"{SA}/{DEPLOY}:getIamPolicy", "iam/sa-policy-deploy-federated")
    records = walk(api)
    analysis = GcpAnalysis(f.estate(*records), default_catalog())
    (trust,) = analysis.federated_trusts()
    assert (trust.target, trust.issuer, trust.platform, trust.registration) == (
        DEPLOY,
        "https://token.actions.githubusercontent.com",
        Platform.GITHUB_ACTIONS,
        GITHUB_PROVIDER,
    )  # fmt: skip  (the disabled GitLab provider exchanges no token)
    (admission,) = trust.admissions
    assert admission.tests == (
        ClaimTest(claim="repository", match=Match.EQUALS,
                  values=("acme-lending/agents-platform",)),
        ClaimTest(claim="repository_owner", match=Match.EQUALS, values=("acme-lending",)),
    )  # fmt: skip
    registrations = {r.id: r.disabled for r in analysis.registrations()}
    assert registrations == {GITHUB_PROVIDER: False, GITLAB_PROVIDER: True}


def test_a_refused_pool_listing_is_a_gap_naming_the_method(api: Api) -> None:
    api.on("GET", POOLS, (403, error("permission-denied", "iam.googleapis.com")))
    records = walk(api)
    gap = gaps(records)[(PROJECT, "iam.projects.locations.workloadIdentityPools.list")]
    assert gap.reason is GapReason.ACCESS_DENIED
    assert not [p for p in of(records, Policy).values() if p.kind is PolicyKind.GCP_WORKLOAD_POOL]


def test_a_refused_provider_listing_keeps_the_pool_and_is_a_gap(api: Api) -> None:
    api.on("GET", POOL_PROVIDERS, (403, error("permission-denied", "iam.googleapis.com")))
    records = walk(api)
    gap = gaps(records)[(PROJECT, "iam.projects.locations.workloadIdentityPools.providers.list")]
    assert gap.reason is GapReason.ACCESS_DENIED
    assert POOL in of(records, Policy) and GITHUB_PROVIDER not in of(records, Policy)


def test_a_binding_to_a_pool_whose_providers_were_refused_is_undecided(api: Api) -> None:
    api.on("GET", POOL_PROVIDERS, (403, error("permission-denied", "iam.googleapis.com")))
    api.ok("POST", f"{SA}/{DEPLOY}:getIamPolicy", "iam/sa-policy-deploy-federated")
    analysis = GcpAnalysis(f.estate(*walk(api)), default_catalog())
    (trust,) = analysis.federated_trusts()
    assert (trust.target, trust.registration) == (DEPLOY, None)
    assert trust.admits({"repository": "anyone/anything"}) is None  # maybe: not "no"
