"""Who made a CloudTrail call: the ``userIdentity`` element -> the identity nhiscan inventories.

Per type, as documented in
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html:

- ``IAMUser``: the user's ARN.
- ``AssumedRole``: the session issuer's ARN (``sessionContext.sessionIssuer.arn``: the role with
  its path, as the inventory has it); the session ARN
  (``arn:aws:sts::111122223333:assumed-role/Name/session``) has no path, so it is only a
  fallback when the issuer is missing. The session name is the ARN's last part;
  ``sessionContext.sourceIdentity`` is carried through role chaining
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
  A service-linked role's session (path ``/aws-service-role/``) is the service acting for
  itself.
- ``FederatedUser``: the IAM user that called GetFederationToken (the session issuer); the
  federated user's name is the session name.
- ``Root``: the account's root user; ``AWSAccount``: another account, not named further.
- ``AWSService``: a service acting for itself: not an identity's activity, counted apart.
- ``WebIdentityUser``, ``SAMLUser``: the external principal of an AssumeRoleWith* call.
- anything else (``IdentityCenterUser``, ``Unknown``): unattributed, counted by type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nhiscan.connectors.aws.cloudtrail_wire import UserIdentity


@dataclass(frozen=True, slots=True)
class Caller:
    identity: str
    principal: str  # ActivitySummary.principal's words
    account: str | None
    session_name: str | None = None  # already a pattern (``session_pattern``)
    source_identity: str | None = None


@dataclass(frozen=True, slots=True)
class Apart:
    """An event that is no identity's activity: ``service`` names the AWS service acting for
    itself, else ``unattributed`` the userIdentity type nhiscan cannot name."""

    service: str | None = None
    unattributed: str | None = None


_SERVICE_ROLE_PATH = ":role/aws-service-role/"


def caller(identity: UserIdentity | None, event_source: str) -> Caller | Apart:
    if identity is None:
        return Apart(unattributed="(no userIdentity)")
    kind = identity.type
    if kind == "AssumedRole":
        return _assumed_role(identity, event_source)
    if kind == "IAMUser" and identity.arn:
        return Caller(identity.arn, "user", identity.accountId)
    if kind == "AWSService":
        return Apart(service=identity.invokedBy or event_source)
    if kind == "FederatedUser":
        return _federated(identity)
    if kind == "Root" and identity.accountId:
        arn = identity.arn or f"arn:aws:iam::{identity.accountId}:root"
        return Caller(arn, "root", identity.accountId)
    if kind == "AWSAccount" and identity.accountId:
        return Caller(f"arn:aws:iam::{identity.accountId}:root", "account", identity.accountId)
    if kind == "WebIdentityUser" and (identity.principalId or identity.userName):
        name = identity.principalId or f"{identity.identityProvider}:{identity.userName}"
        return Caller(name, "web-identity", identity.accountId)
    if kind == "SAMLUser" and (identity.principalId or identity.userName):
        return Caller(identity.principalId or str(identity.userName), "saml", identity.accountId)
    return Apart(unattributed=kind or "(no type)")


def _assumed_role(identity: UserIdentity, event_source: str) -> Caller | Apart:
    context = identity.sessionContext
    issuer = context.sessionIssuer if context is not None else None
    role = issuer.arn if issuer is not None and issuer.arn else _role_of_session(identity.arn)
    if role is None:
        return Apart(unattributed="AssumedRole")
    if _SERVICE_ROLE_PATH in role:
        return Apart(service=identity.invokedBy or event_source)
    account = (issuer.accountId if issuer is not None else None) or identity.accountId
    name = identity.arn.rsplit("/", 1)[1] if identity.arn and identity.arn.count("/") >= 2 else None
    return Caller(
        role,
        "role-session",
        account,
        session_pattern(name) if name else None,
        context.sourceIdentity if context is not None else None,
    )


def _federated(identity: UserIdentity) -> Caller | Apart:
    context = identity.sessionContext
    issuer = context.sessionIssuer if context is not None else None
    if issuer is None or not issuer.arn:
        return Apart(unattributed="FederatedUser")
    name = identity.arn.rsplit("/", 1)[1] if identity.arn and "/" in identity.arn else None
    account = issuer.accountId or identity.accountId
    return Caller(issuer.arn, "federated-user", account, session_pattern(name) if name else None)


def _role_of_session(arn: str | None) -> str | None:
    """``arn:aws:sts::1:assumed-role/Name/session`` -> ``arn:aws:iam::1:role/Name`` (without
    the role's path, which the session ARN does not carry)."""
    if not arn or ":assumed-role/" not in arn:
        return None
    head, _, rest = arn.partition(":assumed-role/")
    partition_account = head.split(":")
    if len(partition_account) < 5:
        return None
    role = rest.split("/", 1)[0]
    return f"arn:{partition_account[1]}:iam::{partition_account[4]}:role/{role}"


# Run-specific parts of a session name: UUIDs, hex ids with a digit, numbers (epoch seconds,
# dates, times, counters) of four digits or more.
_RUN_PARTS = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{12,}"
    r"|\d{4,}"
)


@lru_cache(maxsize=16384)
def session_pattern(name: str) -> str:
    """The session name with its run-specific parts as ``*``: "botocore-session-1700000000" ->
    "botocore-session-*", "intake-b-20261206T1200" -> "intake-b-*T*"; a name without any is
    kept whole."""
    return _RUN_PARTS.sub("*", name)
