"""Resource schemes: what ``s3://``, ``dynamodb://``, ... name, and the ARNs of their parts.

A scheme has one or more *parts*, each an ARN template: an S3 reference has the bucket and the
objects (reading objects needs ``s3:GetObject`` on the objects and ``s3:ListBucket`` on the
bucket), a log group has the group and its streams. ``{region}`` and ``{account}`` come from
an ARN reference, else the agent's defaults, else they stay ``*`` (any region) and the
identity's own account (see ``compiler.py``). Later providers add their schemes here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from nhiscan.scanner.model import Provider


@dataclass(frozen=True, slots=True, kw_only=True)
class Scheme:
    name: str  # "s3"
    provider: Provider
    service: str  # the ARN's service field
    noun: str  # "bucket", for messages
    parts: Mapping[str, str]  # part name -> ARN template
    arn_resource: str  # regex reading an ARN's resource field into name (and path)
    regional: bool = True
    slashes: bool = False  # whether a name may hold "/" (parameters, roles, aliases)
    leading_slash: bool = False  # names keep a leading "/" (log groups: /aws/lambda/x)
    # Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
    name_suffix: str = ""
    # KMS keys named by alias: the key is "key/*" under a condition on its aliases.
    alias_prefix: str | None = None
    alias_condition: str | None = None
    examples: tuple[str, ...] = field(default=())  # references, for the docs and meta-tests

    def name_of_arn(self, resource: str) -> tuple[str, str | None]:
        match = re.fullmatch(self.arn_resource, resource)
        if match is None:  # scheme_of_arn only returns schemes whose pattern matches
            raise ValueError(f"{resource!r} is not a {self.noun} ARN resource")
        groups = match.groupdict()
        return groups["name"], groups.get("path")


AWS = Provider.AWS

SCHEMES: Mapping[str, Scheme] = {
    s.name: s
    for s in (
        Scheme(
            name="s3",
            provider=AWS,
            service="s3",
            noun="bucket",
            parts={
                "bucket": "arn:{partition}:s3:::{name}",
                "objects": "arn:{partition}:s3:::{name}/{path}",
            },
            arn_resource=r"(?P<name>[^/]+)(?:/(?P<path>.*))?",
            regional=False,
            examples=("s3://construction-docs/*", "s3://certs", "arn:aws:s3:::certs/2026/*"),
        ),
        Scheme(
            name="dynamodb",
            provider=AWS,
            service="dynamodb",
            noun="table",
            parts={"table": "arn:{partition}:dynamodb:{region}:{account}:table/{name}"},
            arn_resource=r"table/(?P<name>[^/]+)",
            examples=("dynamodb://loan-reviews",),
        ),
        Scheme(
            name="sns",
            provider=AWS,
            service="sns",
            noun="topic",
            parts={"topic": "arn:{partition}:sns:{region}:{account}:{name}"},
            arn_resource=r"(?P<name>[^:/]+)",
            examples=("sns://review-notifications",),
        ),
        Scheme(
            name="sqs",
            provider=AWS,
            service="sqs",
            noun="queue",
            parts={"queue": "arn:{partition}:sqs:{region}:{account}:{name}"},
            arn_resource=r"(?P<name>[^:/]+)",
            examples=("sqs://intake",),
        ),
        Scheme(
            name="kms",
            provider=AWS,
            service="kms",
            noun="key",
            parts={"key": "arn:{partition}:kms:{region}:{account}:key/{name}"},
            arn_resource=r"key/(?P<name>[^/]+)",
            slashes=True,
            alias_prefix="alias/",
            alias_condition="kms:ResourceAliases",
            examples=("kms://alias/docs", "kms://1234abcd-12ab-34cd-56ef-1234567890ab"),
        ),
        Scheme(
            name="lambda",
            provider=AWS,
            service="lambda",
            noun="function",
            parts={"function": "arn:{partition}:lambda:{region}:{account}:function:{name}"},
            arn_resource=r"function:(?P<name>[^:]+)",
            examples=("lambda://score-draw",),
        ),
        Scheme(
            name="secretsmanager",
            provider=AWS,
            service="secretsmanager",
            noun="secret",
            parts={"secret": "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}"},
            arn_resource=r"secret:(?P<name>.+)",
            slashes=True,
            name_suffix="-??????",
            examples=("secretsmanager://credit-bureau-api",),
        ),
        Scheme(
            name="ssm",
            provider=AWS,
            service="ssm",
            noun="parameter",
            parts={"parameter": "arn:{partition}:ssm:{region}:{account}:parameter/{name}"},
            arn_resource=r"parameter/(?P<name>.+)",
            slashes=True,
            examples=("ssm://lending/scoring/threshold",),
        ),
        Scheme(
            name="logs",
            provider=AWS,
            service="logs",
            noun="log group",
            parts={
                "group": "arn:{partition}:logs:{region}:{account}:log-group:{name}",
                "streams": "arn:{partition}:logs:{region}:{account}:log-group:{name}:log-stream:*",
            },
            arn_resource=r"log-group:(?P<name>[^:]+)(?::\*)?",
            slashes=True,
            leading_slash=True,
            examples=("logs:///aws/agents/loan-review",),
        ),
        Scheme(
            name="bedrock",
            provider=AWS,
            service="bedrock",
            noun="foundation model",
            parts={"model": "arn:{partition}:bedrock:{region}::foundation-model/{name}"},
            arn_resource=r"foundation-model/(?P<name>[^/]+)",
            examples=("bedrock://anthropic.claude-3-5-sonnet-20240620-v1:0",),
        ),
        Scheme(
            name="states",
            provider=AWS,
            service="states",
            noun="state machine",
            parts={"machine": "arn:{partition}:states:{region}:{account}:stateMachine:{name}"},
            arn_resource=r"stateMachine:(?P<name>[^:]+)",
            examples=("states://loan-approval",),
        ),
        Scheme(
            name="events",
            provider=AWS,
            service="events",
            noun="event bus",
            parts={"bus": "arn:{partition}:events:{region}:{account}:event-bus/{name}"},
            arn_resource=r"event-bus/(?P<name>[^/]+)",
            examples=("events://default",),
        ),
        Scheme(
            name="kinesis",
            provider=AWS,
            service="kinesis",
            noun="stream",
            parts={"stream": "arn:{partition}:kinesis:{region}:{account}:stream/{name}"},
            arn_resource=r"stream/(?P<name>[^/]+)",
            examples=("kinesis://clickstream",),
        ),
        Scheme(
            name="iam",
            provider=AWS,
            service="iam",
            noun="role",
            parts={"role": "arn:{partition}:iam::{account}:{name}"},
            arn_resource=r"(?P<name>role/.+)",
            regional=False,
            slashes=True,
            examples=("iam://role/agents/etl-writer",),
        ),
    )
}


def scheme_of_arn(service: str, resource: str) -> Scheme | None:
    """The scheme whose ARNs look like ``arn:…:<service>:…:<resource>``, if any."""
    for scheme in SCHEMES.values():
        if scheme.service == service and re.fullmatch(scheme.arn_resource, resource):
            return scheme
    return None
