"""AWS resource references in agent files: ``scheme://name[/path]`` or a full ARN.

``s3://construction-docs/*`` is the objects of a bucket, ``s3://certs`` the bucket (and all its
objects), ``dynamodb://loan-reviews`` a table, ``kms://alias/docs`` a key by alias,
``iam://role/agents/etl`` a role, ``arn:aws:sns:eu-west-1:123456789012:alerts`` a topic by ARN.
Which schemes exist and what they mean is data (``schemes.py``); this module only reads the
shape and gives each part a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nhiscan.providers.aws.agents.schemes import SCHEMES, Scheme, scheme_of_arn
from nhiscan.scanner.agents.language import BadReference

_URI = re.compile(r"^(?P<scheme>[a-z][a-z0-9-]*)://(?P<rest>.*)$")
ARN_PREFIX = "arn:"
_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*|\*):"
    r"(?P<account>\d{12}|\*|):(?P<resource>.+)$"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceRef:
    text: str  # as written
    scheme: Scheme
    name: str  # bucket, table, topic, queue, key id or alias, function, secret, role path ...
    path: str | None = None  # s3: the object key pattern; None: the whole bucket
    region: str | None = None  # from an ARN; None: the agent's default
    account: str | None = None  # from an ARN; None: the agent's default (or its identity's)
    partition: str = "aws"


def parse_reference(text: str) -> ResourceRef:
    """Read one reference; raises BadReference naming the problem."""
    text = text.strip()
    if text.startswith(ARN_PREFIX):
        return _from_arn(text)
    match = _URI.match(text)
    if match is None:
        raise BadReference(
            f"{text!r} is not a resource reference: write scheme://name "
            f"(schemes: {', '.join(sorted(SCHEMES))}) or an ARN"
        )
    scheme = SCHEMES.get(match["scheme"])
    if scheme is None:
        raise BadReference(
            f"unknown resource scheme {match['scheme']!r} in {text!r} "
            f"(known: {', '.join(sorted(SCHEMES))})"
        )
    rest = match["rest"]
    if scheme.name == "s3":
        rest = rest.lstrip("/")
    else:
        rest = rest.rstrip("/") if scheme.leading_slash else rest.strip("/")
    if not rest:
        raise BadReference(f"{text!r} names no {scheme.noun}")
    name, path = rest, None
    if scheme.name == "s3":
        name, _, key = rest.partition("/")
        path = key or None
    elif "/" in rest and not scheme.slashes:
        raise BadReference(f"{text!r}: a {scheme.noun} name has no '/'")
    return ResourceRef(text=text, scheme=scheme, name=name, path=path)


def _from_arn(text: str) -> ResourceRef:
    match = _ARN.match(text)
    if match is None:
        raise BadReference(f"{text!r} is not an ARN (arn:partition:service:region:account:…)")
    scheme = scheme_of_arn(match["service"], match["resource"])
    if scheme is None:
        raise BadReference(
            f"{text!r}: nhiscan has no verbs for this kind of resource; "
            "use `actions:` with `resources:` for raw actions"
        )
    name, path = scheme.name_of_arn(match["resource"])
    return ResourceRef(
        text=text,
        scheme=scheme,
        name=name,
        path=path,
        region=match["region"] or None,
        account=match["account"] or None,
        partition=match["partition"],
    )
