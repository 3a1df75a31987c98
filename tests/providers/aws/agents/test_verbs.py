"""Meta-tests over the verb-by-scheme table: every pair is either an action set that the
catalogue knows and that acts on the ARN of its part, or an explicit error saying what to write
instead."""

from __future__ import annotations

import pytest

from nhiscan.providers.aws.agents.defaults import AwsDefaults, phrase_needs
from nhiscan.providers.aws.agents.schemes import SCHEMES
from nhiscan.providers.aws.agents.uri import parse_reference
from nhiscan.providers.aws.agents.verbs import TABLE, Access, Unsupported, entry
from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.scanner.agents.language import BadReference
from nhiscan.scanner.agents.vocabulary import Verb

PAIRS = [(verb, scheme) for verb in Verb for scheme in sorted(SCHEMES)]
DEFAULTS = AwsDefaults(account="123456789012", region="eu-west-1")


def test_every_verb_and_scheme_pair_is_in_the_table() -> None:
    assert set(TABLE) == set(PAIRS)


@pytest.mark.parametrize(("verb", "scheme"), PAIRS, ids=lambda p: str(p))
def test_each_pair_compiles_to_catalogued_actions_on_their_part_or_says_what_to_do(
    verb: Verb, scheme: str
) -> None:
    found = entry(verb, scheme)
    if isinstance(found, Unsupported):
        assert found.reason.strip() and "{" not in found.reason
        return
    catalog = default_catalog()
    for example in SCHEMES[scheme].examples:
        ref = parse_reference(example)
        for need in phrase_needs(verb, ref, DEFAULTS):
            info = catalog.info(need.action)
            assert info is not None, f"{need.action} is not in the catalogue"
            assert info.name == need.action, "actions are written as the catalogue spells them"
            if "kms:ResourceAliases" in str(need.conditions):
                continue  # key/* under an alias condition: checked below
            sample = need.resource.replace("*", "x")
            acting = {a.lower() for a in catalog.actions_for_resource(sample)}
            assert need.action.lower() in acting, f"{need.action} does not act on {need.resource}"


def test_every_scheme_has_examples_that_parse_back_to_it() -> None:
    for name, scheme in SCHEMES.items():
        assert scheme.examples, name
        for example in scheme.examples:
            assert parse_reference(example).scheme.name == name


@pytest.mark.parametrize(
    ("verb", "reference", "expected"),
    [
        (
            Verb.READ,
            "s3://construction-docs/*",
            {
                ("s3:GetObject", "arn:aws:s3:::construction-docs/*"),
                ("s3:ListBucket", "arn:aws:s3:::construction-docs"),
            },
        ),
        (
            Verb.READ,
            "s3://certs",
            {("s3:GetObject", "arn:aws:s3:::certs/*"), ("s3:ListBucket", "arn:aws:s3:::certs")},
        ),
        (Verb.WRITE, "s3://out/reports/*", {("s3:PutObject", "arn:aws:s3:::out/reports/*")}),
        (
            Verb.WRITE,
            "dynamodb://loan-reviews",
            {
                (a, "arn:aws:dynamodb:eu-west-1:123456789012:table/loan-reviews")
                for a in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem")
            },
        ),
        (
            Verb.PUBLISH,
            "sns://review-notifications",
            {("sns:Publish", "arn:aws:sns:eu-west-1:123456789012:review-notifications")},
        ),
        (
            Verb.GET_SECRET,
            "secretsmanager://credit-bureau-api",
            {
                (
                    "secretsmanager:GetSecretValue",
                    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:credit-bureau-api-??????",
                )
            },
        ),
        (
            Verb.INVOKE,
            "lambda://score-draw",
            {
                (
                    "lambda:InvokeFunction",
                    "arn:aws:lambda:eu-west-1:123456789012:function:score-draw",
                )
            },
        ),
        (
            Verb.ASSUME,
            "iam://role/agents/etl",
            {("sts:AssumeRole", "arn:aws:iam::123456789012:role/agents/etl")},
        ),
        (
            Verb.WRITE,
            "logs:///aws/agents/x",
            {
                (a, "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/agents/x:log-stream:*")
                for a in ("logs:CreateLogStream", "logs:PutLogEvents")
            },
        ),
        (
            Verb.READ,
            "arn:aws:dynamodb:us-west-2:111122223333:table/rates",
            {
                (a, "arn:aws:dynamodb:us-west-2:111122223333:table/rates")
                for a in (
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "dynamodb:DescribeTable",
                )
            },
        ),
    ],
)
def test_the_smallest_action_sets(
    verb: Verb, reference: str, expected: set[tuple[str, str]]
) -> None:
    needs = phrase_needs(verb, parse_reference(reference), DEFAULTS)
    assert {(n.action, n.resource) for n in needs} == expected


def test_a_key_named_by_alias_is_any_key_carrying_the_alias() -> None:
    (need,) = phrase_needs(Verb.DECRYPT, parse_reference("kms://alias/docs"), DEFAULTS)
    assert need.action == "kms:Decrypt"
    assert need.resource == "arn:aws:kms:eu-west-1:123456789012:key/*"
    assert need.conditions == (
        ("ForAnyValue:StringEquals", "kms:ResourceAliases", ("alias/docs",)),
    )


def test_without_defaults_the_account_is_implicit_and_the_region_any() -> None:
    (need,) = phrase_needs(Verb.PUBLISH, parse_reference("sns://t"), AwsDefaults())
    assert need.resource == "arn:aws:sns:*:*:t"
    assert need.account_implicit
    (bucket, objects) = sorted(  # GetObject, ListBucket
        phrase_needs(Verb.READ, parse_reference("s3://b/*"), AwsDefaults()),
        key=lambda n: n.action,
    )
    assert not objects.account_implicit and not bucket.account_implicit  # S3 ARNs: no account


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ftp://host/x", "unknown resource scheme 'ftp'"),
        ("bucket-name", "not a resource reference"),
        ("s3://", "names no bucket"),
        ("sns://a/b", "has no '/'"),
        ("arn:aws:ec2:eu-west-1:123456789012:instance/i-1", "no verbs for this kind"),
        ("arn:nope", "is not an ARN"),
    ],
)
def test_bad_references_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(BadReference, match=message):
        parse_reference(text)


def test_an_unsupported_pair_is_an_explicit_error_with_advice() -> None:
    found = entry(Verb.READ, "sns")
    assert isinstance(found, Unsupported)
    assert "consume" in found.reason
    assert isinstance(entry(Verb.READ, "s3"), Access)
