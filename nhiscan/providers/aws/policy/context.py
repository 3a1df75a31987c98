"""The request context: what the snapshot tells about a request's condition keys.

Only keys whose value is fixed by who asks and what is asked for are known: the principal's
account, ARN, tags, type, name and unique id, its organization, and the resource's account,
tags and organization. Every other key -- the caller's IP address, MFA, time, request tags,
``sts:ExternalId``, ``s3:prefix``, any service-specific key -- is UNKNOWN: conditions on it
cannot be decided.

Keys are looked up in lower case (condition keys compare without regard to case, tag keys in
``aws:PrincipalTag/<key>`` included).

Known simplifications: a role's principal tags are the role's tags (session tags passed with
sts:TagSession, which override them, are not modelled); an account whose organization is not
recorded has an UNKNOWN ``aws:PrincipalOrgID`` (never "absent").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from nhiscan.providers.aws.policy.matching import UNKNOWN, KeyValue, Partial


class PrincipalKind(StrEnum):
    USER = "user"
    ROLE = "role"  # a session of the role: what makes requests
    SERVICE = "service"  # an AWS service principal ("lambda.amazonaws.com")


@dataclass(frozen=True, slots=True, kw_only=True)
class PrincipalFacts:
    kind: PrincipalKind
    arn: str | None  # user or role ARN (the role's, not a session's)
    account: str | None
    name: str  # user or role name (without path), or the service name
    unique_id: str | None = None  # AIDA… / AROA…
    tags: Mapping[str, str] = field(default_factory=dict)  # keys lower-cased
    org_id: str | None = None
    org_path: str | None = None  # "o-…/r-…/ou-…/" when the account's place is known
    has_boundary: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceFacts:
    arn: str  # "*" for actions that take no resource
    account: str | None = None
    tags: Mapping[str, str] | None = None  # keys lower-cased; None: unknown
    org_id: str | None = None
    org_path: str | None = None


def _one(value: str | None, *, absent: bool = False) -> KeyValue:
    """A known single value; a missing one is absent (``absent``) or unknown."""
    if value is not None:
        return (value,)
    return None if absent else UNKNOWN


def _user_id(p: PrincipalFacts) -> KeyValue:
    if p.unique_id is None:
        return UNKNOWN
    return (p.unique_id,) if p.kind is PrincipalKind.USER else Partial(f"{p.unique_id}:")


_PRINCIPAL_TYPES = {PrincipalKind.USER: "User", PrincipalKind.ROLE: "AssumedRole"}

# Keys known for IAM users and role sessions.
IDENTITY_KEYS: Mapping[str, Callable[[PrincipalFacts], KeyValue]] = {
    "aws:principalaccount": lambda p: _one(p.account),
    "aws:principalarn": lambda p: _one(p.arn),
    "aws:principaltype": lambda p: (_PRINCIPAL_TYPES[p.kind],),
    "aws:username": lambda p: (p.name,) if p.kind is PrincipalKind.USER else None,
    "aws:userid": _user_id,
    "aws:principalorgid": lambda p: _one(p.org_id),
    "aws:principalorgpaths": lambda p: _one(p.org_path),
    "aws:principalisawsservice": lambda p: ("false",),
    "aws:principalservicename": lambda p: None,
    "aws:principalservicenameslist": lambda p: None,
}

# Keys known when an AWS service is the principal (trust of a service role).
SERVICE_KEYS: Mapping[str, Callable[[PrincipalFacts], KeyValue]] = {
    "aws:principalservicename": lambda p: (p.name,),
    "aws:principalisawsservice": lambda p: ("true",),
    "aws:principaltype": lambda p: ("AWSService",),
    "aws:username": lambda p: None,
}

RESOURCE_KEYS: Mapping[str, Callable[[ResourceFacts], KeyValue]] = {
    "aws:resourceaccount": lambda r: _one(r.account),
    "aws:resourceorgid": lambda r: _one(r.org_id),
    "aws:resourceorgpaths": lambda r: _one(r.org_path),
}

PRINCIPAL_TAG = "aws:principaltag/"
RESOURCE_TAG_PREFIXES = ("aws:resourcetag/", "iam:resourcetag/")


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Answers ``value(key)`` for one principal asking about one resource."""

    principal: PrincipalFacts
    resource: ResourceFacts
    # Request-time values the caller knows (lower-case keys): {"iam:passedtoservice": (...)}.
    given: Mapping[str, KeyValue] | None = None

    def value(self, key: str) -> KeyValue:
        """The value of a lower-case condition key."""
        if self.given is not None and key in self.given:
            return self.given[key]
        p = self.principal
        table = SERVICE_KEYS if p.kind is PrincipalKind.SERVICE else IDENTITY_KEYS
        known = table.get(key)
        if known is not None:
            return known(p)
        resource_key = RESOURCE_KEYS.get(key)
        if resource_key is not None:
            return resource_key(self.resource)
        if key.startswith(PRINCIPAL_TAG) and p.kind is not PrincipalKind.SERVICE:
            tag = p.tags.get(key[len(PRINCIPAL_TAG) :])
            return None if tag is None else (tag,)
        for prefix in RESOURCE_TAG_PREFIXES:
            if key.startswith(prefix):
                return self._resource_tag(key[len(prefix) :])
        return UNKNOWN

    def _resource_tag(self, tag_key: str) -> KeyValue:
        tags = self.resource.tags
        if tags is None:
            return UNKNOWN
        tag = tags.get(tag_key)
        return None if tag is None else (tag,)


def lower_keys(tags: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in tags.items()}


def given_values(values: Mapping[str, str | Sequence[str] | None]) -> dict[str, KeyValue]:
    """Request-time values as the context holds them: keys lower-cased, one value or several,
    None for a key known to be absent."""
    out: dict[str, KeyValue] = {}
    for key, value in values.items():
        out[key.lower()] = (
            (value,) if isinstance(value, str) else None if value is None else tuple(value)
        )
    return out
