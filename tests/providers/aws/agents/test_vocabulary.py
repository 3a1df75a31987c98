"""AWS's agent vocabulary answers the core's questions as the AWS code always did: its
``aws:`` section, its ids, the scope of an identity ARN, and the documents it renders."""

from __future__ import annotations

from nhiscan.providers.aws.agents.defaults import AwsDefaults
from nhiscan.providers.aws.agents.render import identity_policy
from nhiscan.providers.aws.agents.vocabulary import AwsAgentVocabulary
from nhiscan.providers.aws.provider import PROVIDER
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider

VOCABULARY = AwsAgentVocabulary()


def test_the_provider_offers_its_vocabulary() -> None:
    assert isinstance(PROVIDER.agents, AwsAgentVocabulary)
    assert VOCABULARY.defaults_key == "aws" and VOCABULARY.provider is Provider.AWS
    assert {"s3", "kms", "iam"} <= VOCABULARY.schemes


def test_ids_references_and_scopes() -> None:
    assert VOCABULARY.owns_reference("arn:aws:s3:::b") and not VOCABULARY.owns_reference("s3://b")
    assert VOCABULARY.owns_identity("arn:aws:iam::123456789012:role/r")
    assert not VOCABULARY.owns_identity("sa@p.iam.gserviceaccount.com")
    assert VOCABULARY.scope_of_identity("arn:aws:iam::123456789012:role/r") == "123456789012"
    assert VOCABULARY.scope_of_identity("arn:aws:s3:::bucket") is None


def test_defaults_compile_references_and_check_verbs() -> None:
    defaults = AwsDefaults(account="123456789012", region="eu-west-1")
    assert defaults.owns("sns://t") and defaults.owns("arn:aws:sns:eu-west-1:1:t")
    assert not defaults.owns("gs://b")
    (need,) = defaults.needs(Verb.PUBLISH, "sns://t")
    assert (need.action, need.resource) == ("sns:Publish", "arn:aws:sns:eu-west-1:123456789012:t")
    assert VOCABULARY.check(Verb.PUBLISH, "sns://t") is None
    assert "consume" in (VOCABULARY.check(Verb.READ, "sns://t") or "")


def test_an_implicit_account_is_bound_and_rendered_per_identity() -> None:
    need = Need(
        provider=Provider.AWS,
        action="sns:Publish",
        resource="arn:aws:sns:*:*:t",
        steps=(1,),
        account_implicit=True,
    )
    assert VOCABULARY.bind_scope(need, "111122223333") == "arn:aws:sns:*:111122223333:t"
    assert VOCABULARY.render_least_privilege([need], "111122223333") == identity_policy(
        [need], "111122223333"
    )
    assert VOCABULARY.compute_services() == {
        "lambda-function": "lambda.amazonaws.com",
        "ec2-instance": "ec2.amazonaws.com",
    }
