"""AwsProvider answers through the protocol exactly as the code it delegates to."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nhiscan.providers.aws.facts import FACTS
from nhiscan.providers.aws.humans import classify
from nhiscan.providers.aws.ids import ArnIds
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.providers.aws.privesc import find_escalations
from nhiscan.providers.aws.provider import PROVIDER, AwsAnalysis
from nhiscan.queries.reach import service_of
from nhiscan.rules import secrets as secret_rules
from nhiscan.scanner.model import IdentityKind, Provider, Record
from tests import factories as f

SAML_TRUST = f.document(
    {"Effect": "Allow", "Principal": {"Federated": "x"}, "Action": "sts:AssumeRoleWithSAML"}
)


def analysis(*records: Record) -> AwsAnalysis:
    found = PROVIDER.analyse(f.estate(*records))
    assert isinstance(found, AwsAnalysis)
    return found


def test_one_authorizer_per_estate_answers_like_a_fresh_one() -> None:
    pol = f.managed_policy("admin", f.allow("*"))
    app = f.user("app", policies=(pol.id,))
    estate = f.estate(app, pol)
    aws = PROVIDER.analyse(estate)
    assert isinstance(aws.authorizer, EstateAuthorizer)
    assert aws.authorizer is aws.authorizer
    fresh = EstateAuthorizer(estate)
    assert aws.authorizer.is_admin(app.id).decision is fresh.is_admin(app.id).decision


def test_admin_of_is_the_principals_own_account_with_the_is_admin_answer() -> None:
    pol = f.managed_policy("admin", f.allow("*"))
    app = f.user("app", policies=(pol.id,), account="111111111111")
    plain = f.user("plain", account="222222222222")
    aws = analysis(app, plain, pol)
    for principal, account in ((app, "111111111111"), (plain, "222222222222")):
        [(scope, answer)] = aws.authorizer.admin_of(principal.id)
        assert scope == account
        assert answer == aws.authorizer.is_admin(principal.id)
    assert [a.decision.possible for _, a in aws.authorizer.admin_of(app.id)] == [True]
    assert [a.decision.possible for _, a in aws.authorizer.admin_of(plain.id)] == [False]


def test_the_classifier_reads_the_trust_document_of_the_role() -> None:
    people = f.role("people", tags={})
    trust = f.trust_policy(people, SAML_TRUST)
    verdict = PROVIDER.classifier.classify(people, (), {trust.id: trust})
    assert verdict == classify(people, (), trust.document)
    assert verdict is not None and verdict.is_human is True
    assert f.estate(people, trust).identities[people.id].is_human is True


def test_the_classifier_has_no_evidence_on_other_kinds() -> None:
    sa = f.identity(
        kind=IdentityKind.SERVICE_ACCOUNT, provider=Provider.GCP, id="sa@p", account="p"
    )
    assert PROVIDER.classifier.classify(sa, (), {}) is None


def test_other_clouds_identities_are_not_answered_for() -> None:
    sa = f.identity(provider=Provider.GCP, id="sa@p.iam.gserviceaccount.com", account="p")
    aws = analysis(sa)
    assert aws.admin_scope(sa.id) is None
    assert aws.gap_support(sa) == "gcp identities are not analysed by the AWS provider"
    assert aws.gap_support(f.user("app")) is None


def test_scopes_are_the_accounts_without_parents() -> None:
    aws = analysis(f.user("a", account="111111111111"), f.role("r", account="222222222222"))
    assert [(s.id, s.kind, s.parent) for s in aws.scopes()] == [
        ("111111111111", "account", None),
        ("222222222222", "account", None),
    ]
    assert aws.admin_scope(f.user("a", account="111111111111").id) == "111111111111"


def test_escalations_are_the_engines_for_the_principals_asked() -> None:
    pol = f.managed_policy("p", f.allow("iam:PutUserPolicy", "*"))
    app, other = f.user("app", policies=(pol.id,)), f.user("other", policies=(pol.id,))
    estate = f.estate(app, other, pol)
    aws = PROVIDER.analyse(estate)
    expected = [
        e for e in find_escalations(estate, EstateAuthorizer(estate)) if e.principal == app.id
    ]
    assert expected and list(aws.escalations([app.id])) == expected
    assert list(aws.escalations([])) == []


def test_held_and_assumable_are_todays_drift_and_lifecycle_facts() -> None:
    app = f.user("app", policies=("p1",), member_of=("g1",), permissions_boundary="b1")
    aws = analysis(app)
    assert aws.held(app) == {"policy p1", "group g1", "boundary b1"}
    assert aws.assumable(f.role("r")) and not aws.assumable(app)
    assert not aws.assumable(replace(f.role("r"), trust_policy=None))


@pytest.mark.parametrize(
    ("value", "broad"),
    [
        ("arn:aws:s3:::b/k/x", False),
        ("arn:aws:iam::123456789012:role/a/b", False),
        ("*", True),
        ("arn:aws:s3:::*", True),
        ("arn:aws:dynamodb:*:*:*", True),
        ("x", False),
    ],
)
def test_arn_ids_answer_as_the_core_does_today(value: str, broad: bool) -> None:
    ids = ArnIds()
    assert ids.service_of(value) == service_of(value)
    assert ids.is_broad(value) is broad  # the agent score's breadth (x2)
    assert ids.owns(value) == value.startswith("arn:")


def test_arn_ids_containers_scopes_and_labels() -> None:
    ids = ArnIds()
    assert ids.container_of("arn:aws:s3:::b/k/x") == "arn:aws:s3:::b"
    assert ids.container_of("arn:aws:iam::1:role/r") is None
    assert ids.scope_of("arn:aws:iam::123456789012:role/r") == "123456789012"
    assert ids.short("arn:aws:iam::123456789012:role/a/b") == "b"


def test_facts_agree_with_the_tables_the_rules_still_read() -> None:
    assert FACTS.credential_id_detectors == {"AWS Access Key ID", "AWS Access Key"}
    # NHI201's findings on AWS keys say what its rule text says.
    assert FACTS.leaked_credential_remediation == (
        secret_rules.LeakedLiveCredential.meta.remediation
    )
    assert FACTS.long_lived_credentials == {"access-key"}
    assert FACTS.kind_words["iam-role"] == "role"
    assert FACTS.secret_read_actions == {"secretsmanager:getsecretvalue"}
    assert "s3-bucket" in FACTS.data_store_kinds


def test_agent_vocabulary_renders_the_gap_documents() -> None:
    vocab = PROVIDER.agents
    assert vocab is not None and vocab.defaults_key == "aws" and "s3" in vocab.schemes
    trust = vocab.render_trust(["arn:aws:iam::1:role/a"], [])
    assert trust is not None and trust["Statement"][0]["Action"] == "sts:AssumeRole"
    assert vocab.compute_services()["lambda-function"] == "lambda.amazonaws.com"
