"""Plain-English steps through the whole loader and compiler: each sentence of the corpus is
either compiled to exactly the needs expected (action, resource) or refused with the file, the
line and the expected words. (test_english.py checks the grammar itself phrase by phrase.)"""

from __future__ import annotations

import pytest

from nhiscan.errors import PolicyFileError
from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.scanner.agents.compiler import compile_agent
from tests.factories import parse_agents

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def _table(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def _topic(name: str) -> str:
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"


def _s3_read(bucket: str, objects: str = "*") -> set[tuple[str, str]]:
    return {
        ("s3:GetObject", f"arn:aws:s3:::{bucket}/{objects}"),
        ("s3:ListBucket", f"arn:aws:s3:::{bucket}"),
    }


TABLE_READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
              "dynamodb:DescribeTable")  # fmt: skip
TABLE_WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem")


def _table_read(name: str) -> set[tuple[str, str]]:
    return {(a, _table(name)) for a in TABLE_READ}


def _table_write(name: str) -> set[tuple[str, str]]:
    return {(a, _table(name)) for a in TABLE_WRITE}


SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:credit-bureau-api-??????"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:score-draw"
PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/lending/threshold"
DECISIONS = f"arn:aws:sqs:{REGION}:{ACCOUNT}:decisions"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:draws"
CONSUME = {(a, QUEUE) for a in ("sqs:ReceiveMessage", "sqs:DeleteMessage",
                                "sqs:ChangeMessageVisibility")}  # fmt: skip

# (sentence, the needs it compiles to, or (a substring of the error, a word it must name))
CORPUS: list[tuple[str, set[tuple[str, str]] | tuple[str, str]]] = [
    (
        "Extract coverage amounts from insurance certificates in s3://certs and compare them "
        "with the minimums in dynamodb://lending-policy",
        _s3_read("certs") | _table_read("lending-policy"),
    ),
    ("Read the draw requests in s3://draws/2026/*", _s3_read("draws", "2026/*")),
    ("Store the decision in dynamodb://loan-reviews", _table_write("loan-reviews")),
    (
        "Summarise the reports in s3://reports and write the summary to s3://summaries/*",
        _s3_read("reports") | {("s3:PutObject", "arn:aws:s3:::summaries/*")},
    ),
    ("Notify sns://reviews when a draw is rejected", {("sns:Publish", _topic("reviews"))}),
    ("Send each decision to sqs://decisions", {("sqs:SendMessage", DECISIONS)}),
    ("Receive the draw requests from sqs://draws", CONSUME),
    ("Retrieve the API key from secretsmanager://credit-bureau-api",
     {("secretsmanager:GetSecretValue", SECRET)}),
    (f"Decrypt the documents with kms://{KEY_ID}", {("kms:Decrypt", KEY)}),
    ("Invoke lambda://score-draw for every request", {("lambda:InvokeFunction", FUNCTION)}),
    ("Copy s3://inbox/* to s3://archive/*",
     _s3_read("inbox") | {("s3:PutObject", "arn:aws:s3:::archive/*")}),
    ("Move the files from s3://inbox/* to s3://done/*",
     _s3_read("inbox")
     | {("s3:DeleteObject", "arn:aws:s3:::inbox/*"), ("s3:PutObject", "arn:aws:s3:::done/*")}),
    ("Read and update dynamodb://limits", _table_read("limits") | _table_write("limits")),
    ("Delete the old entries from dynamodb://sessions",
     {("dynamodb:DeleteItem", _table("sessions"))}),
    ("Look up the threshold in ssm://lending/threshold",
     {("ssm:GetParameter", PARAMETER), ("ssm:GetParameters", PARAMETER)}),
    ("List the objects in s3://uploads", {("s3:ListBucket", "arn:aws:s3:::uploads")}),
    ("Assume iam://role/writer", {("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/writer")}),
    # refused, with the words the reader could not place
    ("Manage the files in s3://docs", ("'manage' does not say which access", "manage")),
    ("Never write to s3://docs", ("negation", "never")),
    ("Summarise the quarter for the board", ("names no resource", "")),
    ("Read sns://alerts", ("read on sns://alerts", "sns://alerts")),
    ("Publish the report to s3://reports", ("to put objects in a bucket say write", "s3://")),
    ("Process the queue sqs://draws", ("'process'", "process")),
    ("Sync s3://a with s3://b", ("'sync'", "sync")),
    ("Read the rows of ftp://legacy/rows", ("unknown resource scheme 'ftp'", "ftp")),
]  # fmt: skip


def _file(sentence: str) -> str:
    return (
        f'defaults:\n  aws: {{account: "{ACCOUNT}", region: {REGION}}}\n'
        "agents:\n  - name: a\n    owner: t\n    identities: [x]\n    steps:\n"
        f"      - {sentence}\n"
    )


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 20
    assert sum(1 for _, expected in CORPUS if isinstance(expected, tuple)) >= 5


@pytest.mark.parametrize(("sentence", "expected"), CORPUS, ids=[c[0][:40] for c in CORPUS])
def test_each_sentence_compiles_to_its_needs_or_is_refused_with_its_words(
    sentence: str, expected: set[tuple[str, str]] | tuple[str, str]
) -> None:
    if isinstance(expected, tuple):
        says, word = expected
        with pytest.raises(PolicyFileError) as raised:
            parse_agents(_file(sentence), file="agents.yaml")
        message = str(raised.value)
        assert "agents.yaml:8: " in message, message
        assert says in message and word in message, message
        return
    (agent,) = parse_agents(_file(sentence), file="agents.yaml")
    plan = compile_agent(agent, default_catalog(), default_max_key_age=90)
    assert {(n.action, n.resource) for n in plan.needs} == expected
