"""Whether a resource policy statement's Principal (or NotPrincipal) names the caller, and how.

How it names the caller matters (AWS, "Permissions boundaries ... evaluating effective
permissions", "Policy evaluation for requests within a single account"):

- DIRECT: the IAM user's ARN, or an assumed-role session ARN of the calling role. Such a grant
  is not limited by an implicit deny in the caller's permission boundary, and within one
  account it needs no identity policy.
- ROLE: the role's ARN. The grant needs no identity policy within one account, but the role's
  permission boundary limits it.
- ANYONE: ``"*"`` (or an Allow with NotPrincipal that does not exclude the caller). Whether the
  caller's boundary limits such a grant is not documented: a boundary that does not allow the
  action leaves the answer undecided (MAYBE).
- ACCOUNT: the caller's account (``123456789012`` or ``arn:aws:iam::123456789012:root``). The
  account delegates to its own policies: the caller's identity policy must allow too.

Principal values are compared exactly: AWS accepts no wildcards in Principal ARNs except a lone
``"*"``. A session ARN matches a role with MAYBE: session names are chosen at request time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from nhiscan.providers.aws.policy.context import PrincipalFacts, PrincipalKind
from nhiscan.providers.aws.policy.matching import Tri, all_of, any_of, negate

_ACCOUNT = re.compile(r"^(?:\d{12}|arn:[a-z0-9-]+:iam::(\d{12}):root)$")
_SESSION = re.compile(r"^arn:[a-z0-9-]+:sts::(\d{12}):assumed-role/([^/]+)/.+$")


@dataclass(frozen=True, slots=True)
class PrincipalMatch:
    """How far a statement's principal admits the caller, by the way it names it."""

    direct: Tri = Tri.NO
    role: Tri = Tri.NO
    anyone: Tri = Tri.NO
    account: Tri = Tri.NO

    @property
    def best(self) -> Tri:
        return max(self.direct, self.role, self.anyone, self.account)


NOBODY = PrincipalMatch()
Principals = Mapping[str, tuple[str, ...]]


def match_principal(principals: Principals, caller: PrincipalFacts) -> PrincipalMatch:
    """How the Principal element names ``caller``."""
    if caller.kind is PrincipalKind.SERVICE:
        return _match_service(principals, caller)
    found = dict.fromkeys(("direct", "role", "anyone", "account"), Tri.NO)
    for value in principals.get("AWS", ()):
        kind, tri = _names(value.strip(), caller)
        if kind in found:
            found[kind] = max(found[kind], tri)
    return PrincipalMatch(**found)


def _match_service(principals: Principals, caller: PrincipalFacts) -> PrincipalMatch:
    services = principals.get("Service", ())
    named = _lists_service(services, caller)
    anyone = "*" in principals.get("AWS", ()) or "*" in services
    return PrincipalMatch(direct=_yes(named), anyone=_yes(anyone))


def _lists_service(services: tuple[str, ...], caller: PrincipalFacts) -> bool:
    return any(s.strip().lower() == caller.name.lower() for s in services)


def _names(value: str, caller: PrincipalFacts) -> tuple[str, Tri]:
    if value == "*":
        return "anyone", Tri.YES
    account = _ACCOUNT.match(value)
    if account:
        return "account", _yes((account.group(1) or value) == caller.account)
    if caller.arn is not None and value == caller.arn:
        return ("direct" if caller.kind is PrincipalKind.USER else "role"), Tri.YES
    session = _SESSION.match(value)
    if session and caller.kind is PrincipalKind.ROLE:
        same = session.group(1) == caller.account and session.group(2) == caller.name
        return "direct", Tri.MAYBE if same else Tri.NO
    return "none", Tri.NO


def not_principal_excludes(not_principals: Principals, caller: PrincipalFacts) -> Tri:
    """Deny with NotPrincipal: whether the caller is among the exceptions.

    AWS may check the account, then the role, then the session (or the account, then the user),
    so the caller is excepted only when every one of them is listed. A caller with a permission
    boundary is never excepted: AWS documents that such a Deny always applies to it.
    """
    if caller.kind is PrincipalKind.SERVICE:
        return _yes(
            any(s.lower() == caller.name.lower() for s in not_principals.get("Service", ()))
        )
    if caller.has_boundary:
        return Tri.NO
    values = [v.strip() for v in not_principals.get("AWS", ())]
    if "*" in values:
        return Tri.YES
    names = [_names(v, caller) for v in values]
    account = any_of(t for k, t in names if k == "account")
    if caller.kind is PrincipalKind.USER:
        return all_of((account, any_of(t for k, t in names if k == "direct")))
    role = any_of(t for k, t in names if k == "role")
    session = any_of(t for k, t in names if k == "direct")
    return all_of((account, role, session))


def not_principal_admits(not_principals: Principals, caller: PrincipalFacts) -> Tri:
    """Allow with NotPrincipal (AWS discourages it; most services refuse it): admits every
    principal except those listed, so the caller unless it, its role or its account is."""
    if caller.kind is PrincipalKind.SERVICE:
        return negate(_yes(_lists_service(not_principals.get("Service", ()), caller)))
    values = [v.strip() for v in not_principals.get("AWS", ())]
    if "*" in values:
        return Tri.NO
    return negate(any_of(t for _, t in (_names(v, caller) for v in values)))


def _yes(value: bool) -> Tri:
    return Tri.YES if value else Tri.NO
