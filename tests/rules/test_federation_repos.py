"""NHI605: a keyless trust admits a GitHub repository its owner does not have. Judged only for
the owners [federation] declares complete; trusts are hand-built (the providers read their own
into the same records) and handed to the rule through the providers' analyses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, cast

import pytest

from nhiscan.app.config import settings_from_dict
from nhiscan.errors import ConfigError
from nhiscan.rules.base import RuleContext
from nhiscan.rules.federation_repos import (
    TrustedRepositoryMissing,
    not_judged,
    trusted_repositories,
)
from nhiscan.rules.thresholds import FederationSettings
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import (
    GITHUB_ISSUER,
    Admission,
    ClaimTest,
    FederatedTrust,
    Match,
    Platform,
)
from nhiscan.scanner.model import Finding, Provider, Repository, WorkflowCredential
from nhiscan.scanner.provider import ProviderAnalysis, ProviderSet
from tests.factories import ACCOUNT, NOW, context, estate, providers, role

DEPLOY = role("deploy")


class Trusting:
    """A provider's real analysis that also answers the given keyless trusts."""

    def __init__(self, inner: ProviderAnalysis, trusts: tuple[FederatedTrust, ...]) -> None:
        self._inner = inner
        self._trusts = trusts

    def federated_trusts(self) -> Iterator[FederatedTrust]:
        return iter(self._trusts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@dataclass(frozen=True)
class WithTrusts:
    """A rule fixture: an estate, the trusts its provider answers, and [federation]."""

    estate: Estate
    trusts: tuple[FederatedTrust, ...]
    federation: FederationSettings

    def context(self) -> RuleContext:
        found = providers(self.estate)
        trusting = cast(ProviderAnalysis, Trusting(found.analyses["aws"], self.trusts))
        analyses = {**found.analyses, "aws": trusting}
        answered = ProviderSet(providers=found.providers, analyses=analyses)
        return replace(context(now=NOW), providers=answered, federation=self.federation)


def github_trust(*subjects: str, claim: str = "sub", negated: bool = False) -> FederatedTrust:
    match = Match.NOT_LIKE if negated else Match.LIKE
    return FederatedTrust(
        provider=Provider.AWS,
        target=DEPLOY.id,
        account=ACCOUNT,
        issuer=GITHUB_ISSUER,
        platform=Platform.GITHUB_ACTIONS,
        admissions=(Admission(tests=(ClaimTest(claim=claim, match=match, values=subjects),)),),
        source=f"{DEPLOY.id}#trust",
    )


LISTED = FederationSettings(github_repositories=("acme/app", "acme/api"))


def fixture(
    trust: FederatedTrust, federation: FederationSettings = LISTED, *extra: Any
) -> WithTrusts:
    return WithTrusts(estate(DEPLOY, *extra), (trust,), federation)


def run(found: WithTrusts) -> list[Finding]:
    return list(TrustedRepositoryMissing().evaluate(found.estate, found.context()))


def test_a_trust_of_a_repository_the_owner_lacks_is_reported_with_the_likely_one() -> None:
    (finding,) = run(fixture(github_trust("repo:acme/ap:ref:refs/heads/main")))
    assert finding.rule_id == "NHI605" and finding.subject == DEPLOY.id
    assert finding.evidence["repository"] == "acme/ap"
    assert finding.evidence["similar"] == ["acme/app", "acme/api"]  # closest first
    assert "(its closest: acme/app)." in finding.title
    assert finding.title.startswith("Role deploy trusts")


@pytest.mark.parametrize(
    "subject", ["repo:acme/app:ref:refs/heads/main", "repo:ACME/App:pull_request", "repo:acme/*"]
)
def test_a_trust_of_an_existing_repository_or_a_wildcard_is_not(subject: str) -> None:
    assert run(fixture(github_trust(subject))) == []


def test_twins_one_character_apart() -> None:
    assert run(fixture(github_trust("repo:acme/api:environment:prod"))) == []
    assert len(run(fixture(github_trust("repo:acme/apii:environment:prod")))) == 1


def test_other_claims_name_repositories_too_and_negated_tests_do_not() -> None:
    assert trusted_repositories(github_trust("acme/gone", claim="repository")) == ("acme/gone",)
    ref = github_trust(
        "acme/gone/.github/workflows/x.yml@refs/heads/main", claim="job_workflow_ref"
    )
    assert trusted_repositories(ref) == ("acme/gone",)
    assert trusted_repositories(github_trust("repo:acme/gone:*", negated=True)) == ()
    assert trusted_repositories(github_trust("repo:acme/g?ne:*")) == ()


def test_an_owner_not_declared_complete_is_not_judged() -> None:
    assert run(fixture(github_trust("repo:other/app:*"))) == []
    assert run(fixture(github_trust("repo:acme/ap:*"), FederationSettings())) == []


def test_an_owner_declared_complete_by_its_scanned_repositories() -> None:
    scanned = Repository(id="/src/app", mode="worktree", slug="acme/app")
    owners = FederationSettings(github_owners=("acme",))
    assert run(fixture(github_trust("repo:acme/app:*"), owners, scanned)) == []
    (finding,) = run(fixture(github_trust("repo:acme/ap:*"), owners, scanned))
    assert finding.evidence["owner_repositories"] == 1


def test_the_finding_names_the_workflows_that_request_the_identity() -> None:
    step = WorkflowCredential(
        id="r#.github/workflows/d.yml#d#0", repository="r", slug="acme/app",
        path=".github/workflows/d.yml", line=9, job="d", step=0,
        action="aws-actions/configure-aws-credentials@v4", cloud=Provider.AWS, target=DEPLOY.id,
    )  # fmt: skip
    (finding,) = run(fixture(github_trust("repo:acme/ap:*"), LISTED, step))
    (named,) = finding.evidence["workflows"]
    assert named["file"] == ".github/workflows/d.yml:9" and named["repository"] == "acme/app"


def test_federation_settings_are_read_from_nhiscan_toml() -> None:
    found = settings_from_dict(
        {"federation": {"github_repositories": ["acme/app"], "github_owners": ["acme"]}},
        source="nhiscan.toml",
    )
    assert found.federation == FederationSettings(
        github_repositories=("acme/app",), github_owners=("acme",)
    )
    with pytest.raises(ConfigError, match="unknown key 'github_repos'"):
        settings_from_dict({"federation": {"github_repos": []}}, source="nhiscan.toml")


def test_repositories_of_owners_not_declared_complete_are_listed_as_not_judged() -> None:
    """No NHI605 finding is not "the repository exists": the report lists what it could not
    judge (owners [federation] does not declare complete), each repository once."""
    trusts = (
        github_trust("repo:acme/ap:*", "repo:other/tool:pull_request"),
        github_trust("repo:Other/Tool:ref:refs/heads/main", "repo:zeta/*"),
    )
    assert not_judged(estate(DEPLOY), LISTED, trusts) == ("other/tool",)
    assert not_judged(estate(DEPLOY), FederationSettings(), trusts) == ("acme/ap", "other/tool")
