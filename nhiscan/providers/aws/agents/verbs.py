"""The verb-by-scheme table: the smallest set of actions that makes each verb work on each kind
of resource, and on which part of it. Every pair is here, either with its actions or as an
explicit error saying what to write instead; a meta-test checks every action is catalogued and
acts on the ARN of its part (tests/scanner/agents/test_verbs.py).

Choices worth knowing:
- read on S3 is ``s3:GetObject`` on the objects and ``s3:ListBucket`` on the bucket (listing is
  how a workflow finds the objects it reads), not every Read action.
- read on DynamoDB is the item reads a workflow uses (GetItem, BatchGetItem, Query, Scan) and
  DescribeTable, which the SDKs' higher-level clients call; no stream or backup access.
- consume on SQS receives, deletes (acknowledges) and extends visibility: one message cycle.
- decrypt/encrypt on a key named by alias is granted on ``key/*`` under ``kms:ResourceAliases``
  (AWS's documented way to scope key use by alias).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nhiscan.providers.aws.agents.schemes import SCHEMES
from nhiscan.scanner.agents.vocabulary import Verb


@dataclass(frozen=True, slots=True, kw_only=True)
class Access:
    """What a verb needs: actions on parts of the resource ({"objects": ("s3:GetObject",)})."""

    on: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsupported:
    reason: str  # what to write instead


Entry = Access | Unsupported


def _no(reason: str) -> Unsupported:
    return Unsupported(reason=reason)


_MESSAGES_ONLY = "say publish (send) or consume (receive) for a {noun}"

TABLE: Mapping[tuple[Verb, str], Entry] = {
    # --- S3 ------------------------------------------------------------------------------
    (Verb.READ, "s3"): Access(on={"objects": ("s3:GetObject",), "bucket": ("s3:ListBucket",)}),
    (Verb.LIST, "s3"): Access(on={"bucket": ("s3:ListBucket",)}),
    (Verb.WRITE, "s3"): Access(on={"objects": ("s3:PutObject",)}),
    (Verb.DELETE, "s3"): Access(on={"objects": ("s3:DeleteObject",)}),
    (Verb.PUBLISH, "s3"): _no("to put objects in a bucket say write"),
    (Verb.CONSUME, "s3"): _no("to read objects say read"),
    (Verb.DECRYPT, "s3"): _no("name the KMS key: decrypt: kms://alias/…"),
    (Verb.ENCRYPT, "s3"): _no("name the KMS key: encrypt: kms://alias/…"),
    (Verb.INVOKE, "s3"): _no("a bucket cannot be invoked: say read or write"),
    (Verb.GET_SECRET, "s3"): _no("get-secret is for secretsmanager:// and ssm://: say read"),
    (Verb.ASSUME, "s3"): _no("only roles (iam://role/…) can be assumed"),
    # --- DynamoDB --------------------------------------------------------------------------
    (Verb.READ, "dynamodb"): Access(
        on={
            "table": (
                "dynamodb:GetItem",
                "dynamodb:BatchGetItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:DescribeTable",
            )
        }
    ),
    (Verb.LIST, "dynamodb"): _no(
        "to read a table's items say read (listing tables is account-wide: use actions:)"
    ),
    (Verb.WRITE, "dynamodb"): Access(
        on={"table": ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem")}
    ),
    (Verb.DELETE, "dynamodb"): Access(on={"table": ("dynamodb:DeleteItem",)}),
    (Verb.PUBLISH, "dynamodb"): _no("to put items in a table say write"),
    (Verb.CONSUME, "dynamodb"): _no("to read items say read"),
    (Verb.DECRYPT, "dynamodb"): _no("name the KMS key: decrypt: kms://alias/…"),
    (Verb.ENCRYPT, "dynamodb"): _no("name the KMS key: encrypt: kms://alias/…"),
    (Verb.INVOKE, "dynamodb"): _no("a table cannot be invoked: say read or write"),
    (Verb.GET_SECRET, "dynamodb"): _no("get-secret is for secretsmanager:// and ssm://: say read"),
    (Verb.ASSUME, "dynamodb"): _no("only roles (iam://role/…) can be assumed"),
    # --- SNS -------------------------------------------------------------------------------
    (Verb.PUBLISH, "sns"): Access(on={"topic": ("sns:Publish",)}),
    (Verb.WRITE, "sns"): _no("to send to a topic say publish"),
    (Verb.READ, "sns"): _no(
        "a topic's messages go to its subscribers: consume the subscribed queue (sqs://…)"
    ),
    (Verb.LIST, "sns"): _no("say publish to send to a topic"),
    (Verb.DELETE, "sns"): _no("deleting a topic is administration: use actions:"),
    (Verb.CONSUME, "sns"): _no(
        "a topic's messages go to its subscribers: consume the subscribed queue (sqs://…)"
    ),
    (Verb.DECRYPT, "sns"): _no("name the KMS key: decrypt: kms://alias/…"),
    (Verb.ENCRYPT, "sns"): _no("name the KMS key: encrypt: kms://alias/…"),
    (Verb.INVOKE, "sns"): _no("to send to a topic say publish"),
    (Verb.GET_SECRET, "sns"): _no("get-secret is for secretsmanager:// and ssm://"),
    (Verb.ASSUME, "sns"): _no("only roles (iam://role/…) can be assumed"),
    # --- SQS -------------------------------------------------------------------------------
    (Verb.PUBLISH, "sqs"): Access(on={"queue": ("sqs:SendMessage",)}),
    (Verb.CONSUME, "sqs"): Access(
        on={"queue": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility")}
    ),
    (Verb.READ, "sqs"): _no(_MESSAGES_ONLY),
    (Verb.WRITE, "sqs"): _no(_MESSAGES_ONLY),
    (Verb.LIST, "sqs"): _no(_MESSAGES_ONLY),
    (Verb.DELETE, "sqs"): _no("consume receives and deletes messages: say consume"),
    (Verb.DECRYPT, "sqs"): _no("name the KMS key: decrypt: kms://alias/…"),
    (Verb.ENCRYPT, "sqs"): _no("name the KMS key: encrypt: kms://alias/…"),
    (Verb.INVOKE, "sqs"): _no(_MESSAGES_ONLY),
    (Verb.GET_SECRET, "sqs"): _no("get-secret is for secretsmanager:// and ssm://"),
    (Verb.ASSUME, "sqs"): _no("only roles (iam://role/…) can be assumed"),
    # --- KMS -------------------------------------------------------------------------------
    (Verb.DECRYPT, "kms"): Access(on={"key": ("kms:Decrypt",)}),
    (Verb.ENCRYPT, "kms"): Access(on={"key": ("kms:Encrypt", "kms:GenerateDataKey")}),
    (Verb.READ, "kms"): _no("a key is used, not read: say decrypt or encrypt"),
    (Verb.WRITE, "kms"): _no("a key is used, not written: say encrypt"),
    (Verb.LIST, "kms"): _no("a key is used, not listed: say decrypt or encrypt"),
    (Verb.DELETE, "kms"): _no("scheduling key deletion is administration: use actions:"),
    (Verb.PUBLISH, "kms"): _no("a key is used: say decrypt or encrypt"),
    (Verb.CONSUME, "kms"): _no("a key is used: say decrypt or encrypt"),
    (Verb.INVOKE, "kms"): _no("a key is used: say decrypt or encrypt"),
    (Verb.GET_SECRET, "kms"): _no("a key is used: say decrypt"),
    (Verb.ASSUME, "kms"): _no("only roles (iam://role/…) can be assumed"),
    # --- Lambda ----------------------------------------------------------------------------
    (Verb.INVOKE, "lambda"): Access(on={"function": ("lambda:InvokeFunction",)}),
    **{
        (verb, "lambda"): _no("a function is invoked: say invoke")
        for verb in Verb
        if verb not in (Verb.INVOKE, Verb.ASSUME)
    },
    (Verb.ASSUME, "lambda"): _no("only roles (iam://role/…) can be assumed"),
    # --- Secrets Manager -------------------------------------------------------------------
    (Verb.READ, "secretsmanager"): Access(on={"secret": ("secretsmanager:GetSecretValue",)}),
    (Verb.GET_SECRET, "secretsmanager"): Access(on={"secret": ("secretsmanager:GetSecretValue",)}),
    (Verb.WRITE, "secretsmanager"): Access(on={"secret": ("secretsmanager:PutSecretValue",)}),
    (Verb.LIST, "secretsmanager"): _no(
        "listing secrets is account-wide: use actions: [secretsmanager:ListSecrets]"
    ),
    (Verb.DELETE, "secretsmanager"): _no("deleting a secret is administration: use actions:"),
    (Verb.PUBLISH, "secretsmanager"): _no("to store a secret's value say write"),
    (Verb.CONSUME, "secretsmanager"): _no("to read a secret's value say get-secret"),
    (Verb.DECRYPT, "secretsmanager"): _no(
        "get-secret decrypts with the secret's key; name a customer key with decrypt: kms://…"
    ),
    (Verb.ENCRYPT, "secretsmanager"): _no("to store a secret's value say write"),
    (Verb.INVOKE, "secretsmanager"): _no("to read a secret's value say get-secret"),
    (Verb.ASSUME, "secretsmanager"): _no("only roles (iam://role/…) can be assumed"),
    # --- SSM Parameter Store ---------------------------------------------------------------
    (Verb.READ, "ssm"): Access(on={"parameter": ("ssm:GetParameter", "ssm:GetParameters")}),
    (Verb.GET_SECRET, "ssm"): Access(on={"parameter": ("ssm:GetParameter", "ssm:GetParameters")}),
    (Verb.WRITE, "ssm"): Access(on={"parameter": ("ssm:PutParameter",)}),
    (Verb.DELETE, "ssm"): Access(on={"parameter": ("ssm:DeleteParameter",)}),
    (Verb.LIST, "ssm"): Access(on={"parameter": ("ssm:GetParametersByPath",)}),
    (Verb.PUBLISH, "ssm"): _no("to store a parameter say write"),
    (Verb.CONSUME, "ssm"): _no("to read a parameter say read"),
    (Verb.DECRYPT, "ssm"): _no("a SecureString needs its key too: add decrypt: kms://…"),
    (Verb.ENCRYPT, "ssm"): _no("to store a parameter say write"),
    (Verb.INVOKE, "ssm"): _no("to read a parameter say read"),
    (Verb.ASSUME, "ssm"): _no("only roles (iam://role/…) can be assumed"),
    # --- CloudWatch Logs -------------------------------------------------------------------
    (Verb.WRITE, "logs"): Access(on={"streams": ("logs:CreateLogStream", "logs:PutLogEvents")}),
    (Verb.READ, "logs"): Access(
        on={"group": ("logs:FilterLogEvents",), "streams": ("logs:GetLogEvents",)}
    ),
    (Verb.LIST, "logs"): _no("to read a log group's events say read"),
    (Verb.DELETE, "logs"): _no("deleting logs is administration: use actions:"),
    (Verb.PUBLISH, "logs"): _no("to send log events say write"),
    (Verb.CONSUME, "logs"): _no("to read log events say read"),
    (Verb.DECRYPT, "logs"): _no("name the KMS key: decrypt: kms://alias/…"),
    (Verb.ENCRYPT, "logs"): _no("name the KMS key: encrypt: kms://alias/…"),
    (Verb.INVOKE, "logs"): _no("to send log events say write"),
    (Verb.GET_SECRET, "logs"): _no("get-secret is for secretsmanager:// and ssm://"),
    (Verb.ASSUME, "logs"): _no("only roles (iam://role/…) can be assumed"),
    # --- Bedrock foundation models ---------------------------------------------------------
    (Verb.INVOKE, "bedrock"): Access(
        on={"model": ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")}
    ),
    **{
        (verb, "bedrock"): _no("a model is invoked: say invoke")
        for verb in Verb
        if verb not in (Verb.INVOKE, Verb.ASSUME)
    },
    (Verb.ASSUME, "bedrock"): _no("only roles (iam://role/…) can be assumed"),
    # --- Step Functions --------------------------------------------------------------------
    (Verb.INVOKE, "states"): Access(on={"machine": ("states:StartExecution",)}),
    **{
        (verb, "states"): _no("a state machine is started: say invoke")
        for verb in Verb
        if verb not in (Verb.INVOKE, Verb.ASSUME)
    },
    (Verb.ASSUME, "states"): _no("only roles (iam://role/…) can be assumed"),
    # --- EventBridge -----------------------------------------------------------------------
    (Verb.PUBLISH, "events"): Access(on={"bus": ("events:PutEvents",)}),
    **{
        (verb, "events"): _no("events are put on a bus: say publish")
        for verb in Verb
        if verb not in (Verb.PUBLISH, Verb.ASSUME)
    },
    (Verb.ASSUME, "events"): _no("only roles (iam://role/…) can be assumed"),
    # --- Kinesis ---------------------------------------------------------------------------
    (Verb.PUBLISH, "kinesis"): Access(on={"stream": ("kinesis:PutRecord", "kinesis:PutRecords")}),
    (Verb.CONSUME, "kinesis"): Access(
        on={
            "stream": (
                "kinesis:DescribeStream",
                "kinesis:ListShards",
                "kinesis:GetShardIterator",
                "kinesis:GetRecords",
            )
        }
    ),
    (Verb.READ, "kinesis"): _no(_MESSAGES_ONLY),
    (Verb.WRITE, "kinesis"): _no(_MESSAGES_ONLY),
    (Verb.LIST, "kinesis"): _no(_MESSAGES_ONLY),
    (Verb.DELETE, "kinesis"): _no("deleting a stream is administration: use actions:"),
    (Verb.DECRYPT, "kinesis"): _no("name the KMS key: decrypt: kms://alias/…"),
    (Verb.ENCRYPT, "kinesis"): _no("name the KMS key: encrypt: kms://alias/…"),
    (Verb.INVOKE, "kinesis"): _no(_MESSAGES_ONLY),
    (Verb.GET_SECRET, "kinesis"): _no("get-secret is for secretsmanager:// and ssm://"),
    (Verb.ASSUME, "kinesis"): _no("only roles (iam://role/…) can be assumed"),
    # --- IAM roles -------------------------------------------------------------------------
    (Verb.ASSUME, "iam"): Access(on={"role": ("sts:AssumeRole",)}),
    **{
        (verb, "iam"): _no("a role is assumed: say assume (changing IAM is administration)")
        for verb in Verb
        if verb is not Verb.ASSUME
    },
}


def entry(verb: Verb, scheme: str) -> Entry:
    """The table's answer; a pair missing from the table is an explicit error too."""
    found = TABLE.get((verb, scheme))
    if found is None:
        return Unsupported(reason=f"nhiscan has no mapping for {verb} on {scheme}://")
    if isinstance(found, Unsupported) and "{noun}" in found.reason:
        return Unsupported(reason=found.reason.format(noun=SCHEMES[scheme].noun))
    return found
