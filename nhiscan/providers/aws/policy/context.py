"""The request context: what the snapshot tells about a request's condition keys.

Known from the snapshot (the keys and when each is present: "AWS global condition context
keys", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
and the table of https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-aws-condition-keys.html):

- who asks: the principal's account, ARN, tags, type, name and unique id;
  ``aws:PrincipalOrgID`` / ``aws:PrincipalOrgPaths`` when its account's organization was
  collected ("included in the request context only if the principal is a member of an
  organization": absent for an account recorded in none);
- when: ``aws:CurrentTime`` and ``aws:EpochTime`` are any moment from the snapshot's collection
  time on; ``aws:TokenIssueTime`` is "present only in requests that are signed using temporary
  security credentials": absent for an IAM user (its long-term access keys), a moment from the
  collection time on for a role (the new session an escalation opens);
- ``aws:MultiFactorAuthPresent`` (and ``aws:MultiFactorAuthAge``) likewise only with temporary
  credentials: absent for an IAM user's access keys, unless the snapshot records an MFA device
  for it (a person may then sign in with MFA: UNKNOWN); UNKNOWN for a role session;
- what the caller sets in its own request, as it likes (``Chosen``): ``aws:SecureTransport``,
  ``aws:RequestedRegion`` (but IAM actions are always requested in us-east-1: IAM has a single
  endpoint there), ``aws:RequestTag/*`` and ``aws:TagKeys``;
- the resource's account, tags and organization.

Every other key -- the caller's IP address, ``aws:SourceArn``, ``sts:ExternalId``,
``s3:prefix``, any service-specific key -- is UNKNOWN: conditions on it cannot be decided, and
the evaluation names it.

Keys are looked up in lower case (condition keys compare without regard to case, tag keys in
``aws:PrincipalTag/<key>`` included).

Known simplifications: a role's principal tags are the role's tags (session tags passed with
sts:TagSession, which override them, are not modelled); an account whose organization was not
collected (an account export) has an UNKNOWN ``aws:PrincipalOrgID``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from nhiscan.providers.aws.policy.matching import UNKNOWN, Chosen, KeyValue, Partial, Since


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
    # Whether the account's organization was collected: then no org_id means "in none".
    org_known: bool = False
    has_boundary: bool = False
    # The snapshot's collection time: requests are made from then on (None: unknown).
    now: datetime | None = None
    mfa_devices: int | None = None  # MFA devices recorded for a user (None: not collected)


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


def _org(value: str | None, p: PrincipalFacts) -> KeyValue:
    """The organization keys: known, absent when the account is known to be in none."""
    return _one(value, absent=p.org_known and p.org_id is None)


def _time(p: PrincipalFacts, *, epoch: bool = False) -> KeyValue:
    return UNKNOWN if p.now is None else Since(p.now, epoch=epoch)


def _token_time(p: PrincipalFacts) -> KeyValue:
    """Absent with a user's long-term keys; a new role session's issue time otherwise."""
    return None if p.kind is PrincipalKind.USER else _time(p)


def _mfa(p: PrincipalFacts) -> KeyValue:
    """Absent with a user's long-term keys, unless it has an MFA device (then it may sign in
    with MFA); unknown for a role session (it depends on how the session was opened)."""
    if p.kind is PrincipalKind.USER and not p.mfa_devices:
        return None
    return UNKNOWN


_PRINCIPAL_TYPES = {PrincipalKind.USER: "User", PrincipalKind.ROLE: "AssumedRole"}
_ANY_TEXT = Chosen(may_omit=True)

# Keys known for IAM users and role sessions.
IDENTITY_KEYS: Mapping[str, Callable[[PrincipalFacts], KeyValue]] = {
    "aws:principalaccount": lambda p: _one(p.account),
    "aws:principalarn": lambda p: _one(p.arn),
    "aws:principaltype": lambda p: (_PRINCIPAL_TYPES[p.kind],),
    "aws:username": lambda p: (p.name,) if p.kind is PrincipalKind.USER else None,
    "aws:userid": _user_id,
    "aws:principalorgid": lambda p: _org(p.org_id, p),
    "aws:principalorgpaths": lambda p: _org(p.org_path, p),
    "aws:principalisawsservice": lambda p: ("false",),
    "aws:principalservicename": lambda p: None,
    "aws:principalservicenameslist": lambda p: None,
    "aws:currenttime": _time,
    "aws:epochtime": lambda p: _time(p, epoch=True),
    "aws:tokenissuetime": _token_time,
    "aws:multifactorauthpresent": _mfa,
    "aws:multifactorauthage": _mfa,
    "aws:securetransport": lambda p: Chosen(choices=("true", "false")),
    "aws:requestedregion": lambda p: Chosen(),
    "aws:tagkeys": lambda p: _ANY_TEXT,
}
REQUEST_TAG = "aws:requesttag/"
REQUESTED_REGION = "aws:requestedregion"


def _iam_region(p: PrincipalFacts) -> KeyValue:
    """IAM has one endpoint: "IAM calls are always made to the us-east-1 Region" (the
    aws:RequestedRegion entry of the global condition keys page), in the aws partition."""
    if p.arn is not None and p.arn.startswith("arn:aws:"):
        return ("us-east-1",)
    return UNKNOWN


# Keys known when an AWS service is the principal (trust of a service role).
SERVICE_KEYS: Mapping[str, Callable[[PrincipalFacts], KeyValue]] = {
    "aws:principalservicename": lambda p: (p.name,),
    "aws:principalisawsservice": lambda p: ("true",),
    "aws:principaltype": lambda p: ("AWSService",),
    "aws:username": lambda p: None,
    "aws:currenttime": _time,
    "aws:epochtime": lambda p: _time(p, epoch=True),
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
    action: str = ""  # lower case; "" when the question is about no one action (admin)

    def value(self, key: str) -> KeyValue:
        """The value of a lower-case condition key."""
        if self.given is not None and key in self.given:
            return self.given[key]
        p = self.principal
        if key == REQUESTED_REGION and self.action.startswith("iam:"):
            return _iam_region(p)
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
        if key.startswith(REQUEST_TAG) and p.kind is not PrincipalKind.SERVICE:
            return _ANY_TEXT
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
