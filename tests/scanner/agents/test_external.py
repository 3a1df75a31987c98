"""An agent that runs as a GitHub Actions workflow (issue #20): the external identity's keys are
checked like every other's, the schema agrees, and the identities whose keyless trusts admit
the workflow's token are the agent's."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from nhiscan.errors import PolicyFileError
from nhiscan.scanner.agents.claims import claim
from nhiscan.scanner.agents.model import ExternalRef, RefKind
from nhiscan.scanner.agents.schema import agents_schema
from nhiscan.scanner.federation import (
    GITHUB_ISSUER,
    Admission,
    ClaimTest,
    FederatedTrust,
    Match,
    Platform,
)
from nhiscan.scanner.model import Provider
from tests.factories import ACCOUNT, estate, parse_agents, role, vocabularies

RELEASE = role("github-release")
PREVIEW = role("github-preview")
VALIDATOR = jsonschema.Draft202012Validator(agents_schema(vocabularies()))


def agent_with(identity: str) -> str:
    return (
        "agents:\n  - name: releaser\n    owner: team\n"
        f"    identities:\n      - {identity}\n    steps: []\n"
    )


MAIN = (
    "{external: github, repository: acme-lending/agents-platform, "
    "workflow: .github/workflows/release.yml, ref: refs/heads/main}"
)


def test_an_external_identity_is_read_with_its_line() -> None:
    (agent,) = parse_agents(agent_with(MAIN), file="agents.yaml")
    (ref,) = agent.identities
    assert ref.kind is RefKind.EXTERNAL and ref.where.line == 5
    assert ref.external == ExternalRef(
        platform="github",
        repository="acme-lending/agents-platform",
        workflow=".github/workflows/release.yml",
        ref="refs/heads/main",
    )
    assert "external github acme-lending/agents-platform" in ref.describe()
    assert VALIDATOR.is_valid(yaml.safe_load(agent_with(MAIN)))


BAD = [
    ("{external: gitlab, repository: a/b, ref: refs/heads/main}", "`external` is github"),
    ("{external: github, ref: refs/heads/main}", "names its `repository`"),
    ("{external: github, repository: acme/*, ref: refs/heads/main}", "without wildcards"),
    ("{external: github, repository: a/b, ref: main}", "a full ref"),
    ("{external: github, repository: a/b, ref: refs/heads/main, workflow: ci.yml}",
     "a path in .github/workflows/"),
    ("{external: github, repository: a/b}", "`event: pull_request`"),
    ("{external: github, repository: a/b, event: push}", "`event: pull_request`"),
    ("{external: github, repository: a/b, ref: refs/heads/main, branch: x}",
     "unknown key 'branch'"),
    ("{external: github, repository: a/b, ref: refs/heads/main, provider: aws}",
     "unknown key 'provider'"),
]  # fmt: skip


def assert_refused(identity: str, message: str) -> None:
    """The loader refuses the identity at its line (5) with ``message``; the schema too."""
    text = agent_with(identity)
    with pytest.raises(PolicyFileError) as raised:
        parse_agents(text, file="agents.yaml")
    said = str(raised.value)
    assert "agents.yaml:5: " in said and message in said, said
    assert not VALIDATOR.is_valid(yaml.safe_load(text))


@pytest.mark.parametrize(("identity", "message"), BAD)
def test_a_bad_external_identity_is_refused_at_its_line_and_by_the_schema(
    identity: str, message: str
) -> None:
    assert_refused(identity, message)


def trust(target: str, subject: str, match: Match = Match.EQUALS) -> FederatedTrust:
    tests = (
        ClaimTest(claim="sub", match=match, values=(subject,)),
        ClaimTest(claim="aud", match=Match.EQUALS, values=("sts.amazonaws.com",)),
    )
    return FederatedTrust(
        provider=Provider.AWS, target=target, account=ACCOUNT, issuer=GITHUB_ISSUER,
        platform=Platform.GITHUB_ACTIONS, admissions=(Admission(tests=tests),),
        source=f"{target}#trust",
    )  # fmt: skip


TRUSTS = (
    trust(RELEASE.id, "repo:acme-lending/agents-platform:ref:refs/heads/main"),
    trust(PREVIEW.id, "repo:acme-lending/*", Match.LIKE),
    trust(role("elsewhere").id, "repo:acme-lending/agents-platform:ref:refs/heads/mai"),
)


def test_the_identities_whose_trusts_admit_the_workflow_are_the_agents() -> None:
    agents = parse_agents(agent_with(MAIN), file="agents.yaml")
    claims = claim(agents, estate(RELEASE, PREVIEW), TRUSTS)
    # The audience is the trust's own (a workflow may ask for any); one character off is out.
    assert claims.identities["releaser"] == tuple(sorted((RELEASE.id, PREVIEW.id)))
    assert claims.unmatched["releaser"] == () and claims.unchecked["releaser"] == ()


def test_a_pull_request_run_is_admitted_only_by_the_wildcard_trust() -> None:
    pr = "{external: github, repository: acme-lending/agents-platform, event: pull_request}"
    claims = claim(parse_agents(agent_with(pr), file="a.yaml"), estate(RELEASE, PREVIEW), TRUSTS)
    assert claims.identities["releaser"] == (PREVIEW.id,)


def test_admitted_by_no_trust_is_unmatched_and_with_no_trust_read_unchecked() -> None:
    other = "{external: github, repository: other/repo, ref: refs/heads/main}"
    agents = parse_agents(agent_with(other), file="a.yaml")
    assert len(claim(agents, estate(RELEASE), TRUSTS).unmatched["releaser"]) == 1
    unread = claim(agents, estate(RELEASE))
    assert unread.unmatched["releaser"] == () and len(unread.unchecked["releaser"]) == 1


def test_the_gap_analysis_compares_the_agents_needs_with_the_admitted_roles_grants() -> None:
    from dataclasses import replace
    from typing import cast

    from nhiscan.scanner.agents.model import AgentFile
    from nhiscan.scanner.gaps.analysis import analyze_agents
    from nhiscan.scanner.provider import ProviderAnalysis, ProviderSet
    from tests.factories import allow, managed_policy, providers, reach_graph
    from tests.rules.test_federation_repos import Trusting

    policy = managed_policy("release-reads", allow("s3:GetObject", "arn:aws:s3:::releases/*"))
    release = replace(RELEASE, policies=(policy.id,))
    e = estate(release, policy)
    found = providers(e)
    analyses = {"aws": cast(ProviderAnalysis, Trusting(found.analyses["aws"], TRUSTS[:1]))}
    text = agent_with(MAIN).replace("steps: []", "steps:\n      - read: s3://releases/*")
    agents = AgentFile(agents=parse_agents(text, file="a.yaml"), sources=("a.yaml",),
                       source_hash="t")  # fmt: skip
    analysis = analyze_agents(agents, e, reach_graph(e),
                              ProviderSet(providers=found.providers, analyses=analyses),
                              default_max_key_age=90)  # fmt: skip
    (result,) = analysis.results
    assert result.identities == (RELEASE.id,)
    assert result.gap is not None
    assert [g.identity for g in result.gap.identities] == [RELEASE.id]
    # The role's grant covers the objects; the listing the read verb also needs is missing.
    assert {(m.action, m.resource) for m in result.gap.missing} == {
        ("s3:ListBucket", "arn:aws:s3:::releases")
    }
