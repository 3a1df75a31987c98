"""The judge (``scanner/federation_judge.py``) decides what a keyless trust admits from its
tests alone: twins one character apart land on different sides, negations, several tests
(all must hold) and several admissions (any may) are honoured, conditions it could not read
make a "may", and the sentence says who in words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nhiscan.providers.issuers import platform_of
from nhiscan.scanner.federation import Admission, FederatedTrust, Match, Platform
from nhiscan.scanner.federation_judge import Wildcard, judge, principal_of
from tests.rules.federation_fixtures import AUD, equals, github_trust, like

ROLE = "arn:aws:iam::123456789012:role/deploy"


def _github(*tests: object, **kw: object) -> FederatedTrust:
    return github_trust(ROLE, *tests, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("subject", "wildcard", "pull_requests"),
    [
        ("repo:acme*", Wildcard.OWNER, True),  # acme-evil is anyone's to register
        ("repo:acme/*", Wildcard.REPOSITORY, True),  # one character: only acme's repositories
        ("repo:acme?/*", Wildcard.OWNER, True),
        ("repo:????/*", Wildcard.OWNER, True),  # every other four-letter owner
        ("repo:acme/app*", Wildcard.REPOSITORY, True),  # acme/app-2, only acme can create it
        ("repo:acme/app:*", Wildcard.CONTEXT, True),
        ("repo:acme/app:ref:*", Wildcard.CONTEXT, False),
        ("repo:acme/app:ref:refs/heads/*", Wildcard.CONTEXT, False),
        ("repo:acme/app:ref:refs/heads/main", Wildcard.NONE, False),
        ("repo:acme/app:environment:prod", Wildcard.NONE, False),
        ("repo:acme/app:pull_request", Wildcard.NONE, True),
        ("repo:acme/app:pull_reques?", Wildcard.NONE, True),
        ("repo:acme/app:pull_request?", Wildcard.NONE, False),  # one more character: never
    ],
)
def test_github_subjects(subject: str, wildcard: Wildcard, pull_requests: bool) -> None:
    found = judge(_github(like("sub", subject), AUD))
    assert (found.wildcard, found.pull_requests) == (wildcard, pull_requests)


def test_no_subject_test_admits_every_workflow_on_github() -> None:
    found = judge(_github(AUD))
    assert found.wildcard is Wildcard.ANY
    assert found.words == (
        "any workflow in any repository on GitHub, on any branch, including pull requests"
    )


def test_the_sentence_names_the_owner_and_what_else_gets_in() -> None:
    found = judge(_github(like("sub", "repo:acme/*"), AUD))
    assert found.words == (
        "any workflow in any repository of acme, on any branch, including pull requests"
    )
    assert found.owners == ("acme",)
    wild = judge(_github(like("sub", "repo:acme*"), AUD))
    assert wild.verdicts[0].example == "repo:acmex/x:ref:refs/heads/x"
    assert "which anyone may register" in wild.words
    exact = judge(_github(equals("sub", "repo:acme/app:ref:refs/heads/main"), AUD))
    assert exact.words == "any workflow in acme/app, on branch main"
    assert exact.repositories == ("acme/app",) and exact.contexts == ("branch main",)


def test_a_negated_test_or_the_event_name_keeps_pull_requests_out() -> None:
    no_prs = like("sub", "repo:*:pull_request", match=Match.NOT_LIKE)
    assert judge(_github(like("sub", "repo:acme/*"), no_prs, AUD)).pull_requests is False
    pushes = equals("event_name", "push")
    assert judge(_github(like("sub", "repo:acme/*"), pushes, AUD)).pull_requests is False


def test_every_test_must_hold_and_any_admission_may() -> None:
    owner = equals("repository_owner", "acme")
    # the subject's glob would admit acme-evil; the owner claim does not
    assert judge(_github(like("sub", "repo:acme*"), owner, AUD)).wildcard is not Wildcard.OWNER
    narrow = Admission(tests=(equals("sub", "repo:acme/app:ref:refs/heads/main"), AUD))
    wide = Admission(tests=(like("sub", "repo:acme*"), AUD))
    both = judge(_github(admissions=(narrow, wide)))
    assert both.wildcard is Wildcard.OWNER
    assert [v.wildcard for v in both.verdicts] == [Wildcard.NONE, Wildcard.OWNER]
    assert " or " in both.words


def test_the_owner_alone_admits_any_repository_of_it() -> None:
    found = judge(_github(equals("repository_owner", "acme"), AUD))
    assert found.wildcard is Wildcard.REPOSITORY


def test_names_compare_without_case_and_ignore_case_is_honoured() -> None:
    upper = like("sub", "repo:ACME/*", ignore_case=True)
    assert judge(_github(upper, AUD)).wildcard is Wildcard.REPOSITORY
    prefix = like("sub", "repo:ACME*", ignore_case=True)
    assert judge(_github(prefix, AUD)).wildcard is Wildcard.OWNER


def test_undecided_conditions_make_a_may() -> None:
    found = judge(_github(like("sub", "repo:acme/app:*"), AUD, undecided=("ForAnyValue:Foo",)))
    assert found.pull_requests is None
    assert found.verdicts[0].maybe
    assert found.words.endswith(
        "(may admit, under conditions nhiscan could not read: ForAnyValue:Foo)"
    )


def test_the_audience_is_pinned_by_a_test_or_by_the_registration() -> None:
    subject = equals("sub", "repo:acme/app:ref:refs/heads/main")
    shared = ("sts.amazonaws.com", "sigstore")
    assert judge(_github(subject, AUD, audiences=shared)).audience_pinned is True
    assert judge(_github(subject, audiences=shared)).audience_pinned is False
    assert judge(_github(subject, audiences=("sts.amazonaws.com",))).audience_pinned is True
    assert judge(_github(subject, audiences=None)).audience_pinned is None
    anything = like("aud", "*")
    assert judge(_github(subject, anything, audiences=shared)).audience_pinned is False
    other = equals("aud", "sigstore")
    found = judge(_github(subject, other, audiences=("sts.amazonaws.com",)))
    assert found.audience_pinned is True  # the registration refuses sigstore tokens itself
    assert judge(_github(subject, other, audiences=shared)).audiences == ("sigstore",)


def _on(platform: Platform, issuer: str, *tests: object) -> FederatedTrust:
    return replace(_github(*tests), platform=platform, issuer=issuer)


def test_gitlab_terraform_and_kubernetes_grammars() -> None:
    gitlab = _on(Platform.GITLAB_CI, "https://gitlab.com", like("sub", "project_path:acme/*"))
    found = judge(gitlab)
    assert (found.wildcard, found.pull_requests) == (Wildcard.REPOSITORY, True)
    assert found.words.endswith("including merge requests")
    protected = equals("ref_protected", "true")
    gitlab = _on(Platform.GITLAB_CI, "gitlab.com", like("sub", "project_path:acme/*"), protected)
    assert judge(gitlab).pull_requests is False
    apply = "organization:acme:project:*:workspace:prod:run_phase:apply"
    tfc = judge(_on(Platform.TERRAFORM_CLOUD, "app.terraform.io", like("sub", apply)))
    assert (tfc.wildcard, tfc.pull_requests) == (Wildcard.NONE, False)
    plans = apply.replace("apply", "*")
    assert judge(
        _on(Platform.TERRAFORM_CLOUD, "app.terraform.io", like("sub", plans))
    ).pull_requests
    eks = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    namespace = judge(_on(Platform.KUBERNETES, eks, like("sub", "system:serviceaccount:ci:*")))
    assert namespace.wildcard is Wildcard.REPOSITORY
    assert namespace.words == "any service account of namespace ci"
    prefix = judge(_on(Platform.KUBERNETES, eks, like("sub", "system:serviceaccount:ci*")))
    assert prefix.wildcard is Wildcard.OWNER
    one = judge(_on(Platform.KUBERNETES, eks, equals("sub", "system:serviceaccount:ci:runner")))
    assert one.wildcard is Wildcard.NONE


def test_issuers_without_a_grammar() -> None:
    cognito = judge(_on(Platform.COGNITO, "cognito-identity.amazonaws.com"))
    assert cognito.wildcard is Wildcard.ANY
    assert "any Cognito identity pool" in cognito.words
    pool = equals("aud", "us-east-1:0000")
    assert judge(_on(Platform.COGNITO, "cognito-identity.amazonaws.com", pool)).wildcard is (
        Wildcard.NONE
    )
    other = judge(_on(Platform.OIDC, "https://idp.example.com", like("sub", "team-*")))
    assert other.wildcard is Wildcard.PATTERN
    pods = judge(_on(Platform.EKS_POD_IDENTITY, "pods.eks.amazonaws.com"))
    assert pods.wildcard is Wildcard.NONE
    okta = "arn:aws:iam::123456789012:saml-provider/okta"
    saml = judge(_on(Platform.SAML, okta, equals("aud", "https://signin.aws.amazon.com/saml")))
    assert (saml.wildcard, saml.audience_pinned) == (Wildcard.NONE, True)
    assert saml.words == f"any user the identity provider {okta} maps to this identity"


def test_the_external_principal_is_named_by_issuer_and_tests() -> None:
    trust = _github(like("sub", "repo:acme/*"), AUD)
    assert principal_of(trust, trust.admissions[0]) == (
        "external:token.actions.githubusercontent.com:repo:acme/*"
    )
    bare = _github(AUD)
    assert principal_of(bare, bare.admissions[0]) == (
        "external:token.actions.githubusercontent.com:any"
    )
    assert judge(bare).to_json()["wildcard"] == "any"


def test_an_unnamed_issuer_is_read_by_its_subjects_shape() -> None:
    """A self-managed cluster's issuer is no known service (``providers/issuers.py`` names
    the public ones and the clouds' cluster issuers); unnamed, its ``system:serviceaccount:``
    subjects still read as Kubernetes."""
    cluster = "https://oidc.example.net/id/ABC"
    assert platform_of(cluster) is Platform.OIDC
    assert platform_of("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC") is Platform.KUBERNETES
    found = judge(_on(Platform.OIDC, cluster, like("sub", "system:serviceaccount:ci:*")))
    assert found.wildcard is Wildcard.REPOSITORY
    assert found.words == "any service account of namespace ci"


def test_a_trust_naming_the_repository_claim_alone_names_it_in_words() -> None:
    """A GCP pool binding names ``attribute.repository`` (the ``repository`` claim), not the
    subject: the sentence names the repository (it said "the named subjects"), and every
    event of it gets in, pull requests included."""
    found = judge(_github(equals("repository", "acme/app"), AUD))
    assert found.repositories == ("acme/app",)
    assert found.pull_requests is True
    assert found.words == "any workflow in acme/app, on any branch, including pull requests"
    owner_only = judge(_github(equals("repository_owner", "acme"), AUD))
    assert owner_only.wildcard is Wildcard.REPOSITORY
    assert owner_only.words.startswith("any workflow in any repository of acme")
