"""Keyless trusts for the rule tests (issue #20), hand-built: the neutral rules read them from
the providers' analyses (``federated_trusts``), and no provider reads its own yet in this
branch. :func:`federating` hands the AWS provider's real analysis of an estate these trusts
and registrations for the length of a ``with`` block (the provider registry's loaded AWS
provider swapped and restored, as the toy cloud's fixture does); everything else it answers
is the real analysis's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from nhiscan import providers
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import (
    GITHUB_ISSUER,
    Admission,
    ClaimTest,
    FederatedTrust,
    Match,
    Platform,
    Registration,
)
from nhiscan.scanner.model import Provider
from tests.factories import ACCOUNT, access_key, allow, estate, managed_policy, role

GITHUB_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_ISSUER}"
OWNED = {"owner": "team-platform"}


def like(
    claim: str, *values: str, match: Match = Match.LIKE, ignore_case: bool = False
) -> ClaimTest:
    return ClaimTest(claim=claim, match=match, values=values, ignore_case=ignore_case)


def equals(claim: str, *values: str) -> ClaimTest:
    return ClaimTest(claim=claim, match=Match.EQUALS, values=values)


AUD = equals("aud", "sts.amazonaws.com")


def github_trust(
    target: str,
    *tests: ClaimTest,
    undecided: tuple[str, ...] = (),
    audiences: tuple[str, ...] | None = ("sts.amazonaws.com",),
    admissions: tuple[Admission, ...] | None = None,
) -> FederatedTrust:
    """A role's trust in GitHub Actions through the account's OIDC provider, one admission of
    ``tests`` (its trust statement 0)."""
    statement = StatementRef(policy_id=f"{target}#trust", index=0, sid=None, effect="Allow")
    found = admissions or (Admission(tests=tests, undecided=undecided, statement=statement),)
    return FederatedTrust(
        provider=Provider.AWS,
        target=target,
        account=ACCOUNT,
        issuer=GITHUB_ISSUER,
        platform=Platform.GITHUB_ACTIONS,
        admissions=found,
        source=f"{target}#trust",
        registration=GITHUB_PROVIDER,
        audiences=audiences,
        via="sts:AssumeRoleWithWebIdentity",
    )


def github_registration(issuer: str = GITHUB_ISSUER, account: str = ACCOUNT) -> Registration:
    return Registration(
        provider=Provider.AWS,
        id=f"arn:aws:iam::{account}:oidc-provider/{issuer}",
        account=account,
        issuer=issuer,
        platform=Platform.GITHUB_ACTIONS,
        audiences=("sts.amazonaws.com",),
    )


@dataclass(frozen=True)
class WithTrusts:
    """An estate and the keyless trusts and registrations its provider would read."""

    estate: Estate
    trusts: tuple[FederatedTrust, ...] = ()
    registrations: tuple[Registration, ...] = field(default=())


class _Federating:
    """The real analysis, with these trusts and registrations."""

    def __init__(self, inner: Any, trusts: Sequence[FederatedTrust], found: Sequence[Registration]):
        self._inner, self._trusts, self._registrations = inner, tuple(trusts), tuple(found)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def federated_trusts(self) -> Iterator[FederatedTrust]:
        return iter(self._trusts)

    def registrations(self) -> Iterator[Registration]:
        return iter(self._registrations)


class _FederatingProvider:
    def __init__(self, inner: Any, trusts: Sequence[FederatedTrust], found: Sequence[Registration]):
        self._inner, self._trusts, self._registrations = inner, trusts, found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def analyse(self, e: Estate) -> Any:
        return _Federating(self._inner.analyse(e), self._trusts, self._registrations)


@contextmanager
def federating(
    trusts: Sequence[FederatedTrust], found: Sequence[Registration] = ()
) -> Iterator[None]:
    real = providers.provider("aws")
    providers._LOADED["aws"] = _FederatingProvider(real, trusts, found)  # type: ignore[assignment]
    try:
        yield
    finally:
        providers._LOADED["aws"] = real


# --- the meta-test's triggering and clean fixtures: each names its own roles ----------------


def _role(name: str, admin: bool = False) -> tuple[Any, ...]:
    if not admin:
        return (role(name, tags=OWNED),)
    policy = managed_policy(f"{name}-all", allow("*"))
    return (replace(role(name, tags=OWNED), policies=(policy.id,)), policy)


def wildcard(subject: str) -> WithTrusts:
    """``repo:acme*`` admits owner acme-evil; ``repo:acme/*`` does not, but admits any
    repository of acme; ``repo:acme/app:*`` neither (one repository, any branch)."""
    records = _role("gh-wild")
    target = records[0].id
    return WithTrusts(estate(*records), (github_trust(target, like("sub", subject), AUD),))


def pull_requests(subject: str) -> WithTrusts:
    records = _role("gh-pr")
    target = records[0].id
    return WithTrusts(estate(*records), (github_trust(target, like("sub", subject), AUD),))


def audience(pinned: bool) -> WithTrusts:
    records = _role("gh-aud")
    target = records[0].id
    subject = equals("sub", "repo:acme/app:ref:refs/heads/main")
    tests = (subject, AUD) if pinned else (subject,)
    found = github_trust(target, *tests, audiences=("sts.amazonaws.com", "sigstore"))
    return WithTrusts(estate(*records), (found,))


def orphan(trusted: bool) -> WithTrusts:
    issuer = "gitlab.example.com"
    registration = replace(github_registration(issuer), platform=Platform.GITLAB_CI)
    records = _role("gl-deploy")
    trusts = ()
    if trusted:
        subject = equals("sub", "project_path:acme/app:ref_type:branch:ref:main")
        trusts = (replace(github_trust(records[0].id, subject, AUD), issuer=issuer,
                          platform=Platform.GITLAB_CI, registration=registration.id),)  # fmt: skip
    return WithTrusts(estate(*records), trusts, (registration,))


def keys_beside(active: bool) -> WithTrusts:
    records = _role("gh-keyed")
    target = records[0].id
    key = access_key(target, id="AKIAFEDERATEDKEY0001")
    extra = (key,) if active else ()
    subject = equals("sub", "repo:acme/app:ref:refs/heads/main")
    return WithTrusts(estate(*records, *extra), (github_trust(target, subject, AUD),))


FEDERATION_FIXTURES = {
    "NHI600": (lambda: wildcard("repo:acme*"), lambda: wildcard("repo:acme/app:ref:refs/heads/*")),
    "NHI601": (lambda: pull_requests("repo:acme/app:*"),
               lambda: pull_requests("repo:acme/app:ref:*")),
    "NHI602": (lambda: audience(False), lambda: audience(True)),
    "NHI603": (lambda: orphan(False), lambda: orphan(True)),
    "NHI604": (lambda: keys_beside(True), lambda: keys_beside(False)),
}  # fmt: skip
