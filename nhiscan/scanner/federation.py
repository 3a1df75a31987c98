"""Who outside the scanned clouds may become an identity (issue #20): keyless trusts.

A CI system, another cloud or a Kubernetes cluster exchanges a token its issuer signed for an
identity's credentials: an AWS role trusting an OIDC or SAML provider, a GCP service account
that a workload identity pool's principals may impersonate, an Entra application or managed
identity with federated identity credentials. Each provider reads its own trusts into these
neutral records (``ProviderAnalysis.federated_trusts``); the core judges what they admit, draws
the ``can_act_as`` edges from an external principal into the identity, and the rules report the
trusts that admit too much. Nothing here does I/O.

The shape: a :class:`FederatedTrust` admits a token when one of its :class:`Admission` s holds
(statements, credentials or bindings are alternatives); an admission holds when every one of
its :class:`ClaimTest` s holds (the conditions of one statement are all required); a test holds
when the claim matches one of its values (or, negated, none). A condition the provider could
not read into tests is kept as text in ``Admission.undecided``: the admission then holds only
"maybe", and the judgement says so rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.kinds import Provider


class Platform(StrEnum):
    """Who issues the tokens a trust accepts: decides how a subject reads."""

    GITHUB_ACTIONS = "github-actions"  # token.actions.githubusercontent.com (and GHES hosts)
    GITLAB_CI = "gitlab-ci"  # gitlab.com or a self-managed GitLab
    TERRAFORM_CLOUD = "terraform-cloud"  # app.terraform.io
    KUBERNETES = "kubernetes"  # a cluster's service-account issuer (EKS IRSA, GKE, AKS, ...)
    EKS_POD_IDENTITY = "eks-pod-identity"  # pods.eks.amazonaws.com (a service principal)
    COGNITO = "cognito"  # cognito-identity.amazonaws.com
    GOOGLE = "google"  # accounts.google.com
    ENTRA = "entra"  # login.microsoftonline.com / sts.windows.net
    SAML = "saml"  # a SAML identity provider
    OIDC = "oidc"  # another OpenID Connect issuer


class Match(StrEnum):
    """How a claim is compared with a test's values."""

    EQUALS = "equals"
    LIKE = "like"  # ``*`` any run of characters, ``?`` one character (AWS StringLike, globs)
    NOT_EQUALS = "not-equals"
    NOT_LIKE = "not-like"

    @property
    def negated(self) -> bool:
        return self in (Match.NOT_EQUALS, Match.NOT_LIKE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimTest:
    """One test on one claim of the token: ``sub`` LIKE ``repo:acme/*`` and so on.

    ``claim`` is the token's claim name as the issuer writes it (``sub``, ``aud``,
    ``repository_owner``, ``job_workflow_ref``, ``environment``, ``amr``), never the cloud's
    condition key (``token.actions.githubusercontent.com:sub`` is read as ``sub``). A test on a
    claim the token does not carry fails when positive and holds when negated (AWS's rule for
    an absent key; GCP and Entra follow it for the comparisons they offer)."""

    claim: str
    match: Match
    values: tuple[str, ...]
    ignore_case: bool = False

    def admits(self, value: str | None) -> bool:
        """Whether a token whose claim is ``value`` (None: absent) passes this test."""
        if value is None:
            return self.match.negated
        hit = any(_compare(self.match, value, wanted, self.ignore_case) for wanted in self.values)
        return not hit if self.match.negated else hit


def _compare(match: Match, value: str, wanted: str, ignore_case: bool) -> bool:
    if ignore_case:
        value, wanted = value.casefold(), wanted.casefold()
    if match in (Match.EQUALS, Match.NOT_EQUALS):
        return value == wanted
    return _glob(wanted).fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    """``*`` and ``?`` as wildcards and nothing else (``fnmatch`` would also read ``[...]``,
    which AWS and the other clouds do not)."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


@dataclass(frozen=True, slots=True, kw_only=True)
class Admission:
    """One way in: every test must hold. ``undecided`` lists, as the policy wrote them, the
    conditions nhiscan could not read into tests (an operator it does not know, a CEL
    expression outside the subset it reads): the admission then may or may not hold."""

    tests: tuple[ClaimTest, ...] = ()
    undecided: tuple[str, ...] = ()
    # Where this way in is written: the trust statement, when the provider has statements.
    statement: StatementRef | None = None

    def admits(self, claims: Mapping[str, str]) -> bool | None:
        """True: a token with these claims passes; False: it does not; None: it passes the
        tests nhiscan read, and the undecided conditions may still refuse it."""
        if not all(test.admits(claims.get(test.claim)) for test in self.tests):
            return False
        return None if self.undecided else True

    def tested(self, claim: str) -> tuple[ClaimTest, ...]:
        return tuple(test for test in self.tests if test.claim == claim)


@dataclass(frozen=True, slots=True, kw_only=True)
class FederatedTrust:
    """An identity that tokens of ``issuer`` may become, and which tokens.

    ``target`` is the identity's stable id (the role ARN, the service account's email, the
    application's or managed identity's object id); ``provider`` and ``account`` are the
    target's. ``registration`` is the id of the issuer's registration in the target's cloud
    when it has one (the IAM OIDC or SAML provider's ARN, the workload identity pool
    provider's resource name, the federated identity credential's id): the orphan rule joins
    registrations to trusts by it. ``audiences`` are the audiences the registration itself
    accepts (an IAM OIDC provider's client ids, a pool provider's allowed audiences, a federated
    credential's audiences); None when the registration was not collected. ``source`` names
    the record the trust was read from (a trust policy id, a federated credential, an IAM
    binding) for evidence and fingerprints."""

    provider: Provider
    target: str
    account: str
    issuer: str  # as the cloud names it: "token.actions.githubusercontent.com", an https URL
    platform: Platform
    admissions: tuple[Admission, ...]
    source: str
    registration: str | None = None
    audiences: tuple[str, ...] | None = None
    # The cloud action the token is exchanged through ("sts:AssumeRoleWithWebIdentity",
    # "iam.serviceAccounts.getAccessToken", "federated-identity-credential"): for evidence.
    via: str | None = None

    def admits(self, claims: Mapping[str, str]) -> bool | None:
        """Whether a token with these claims may become the target (None: maybe)."""
        answers = [admission.admits(claims) for admission in self.admissions]
        if True in answers:
            return True
        return None if None in answers else False


@dataclass(frozen=True, slots=True, kw_only=True)
class Registration:
    """An issuer registered in a cloud (an IAM OIDC or SAML provider, a workload identity pool
    provider): an orphan when no trust names it. ``audiences`` as on :class:`FederatedTrust`."""

    provider: Provider
    id: str
    account: str
    issuer: str
    platform: Platform
    audiences: tuple[str, ...] | None = None
    disabled: bool = False


GITHUB_ISSUER = "token.actions.githubusercontent.com"


def issuer_key(issuer: str) -> str:
    """An issuer as compared: no scheme, no trailing slash, host lower-cased."""
    text = issuer.strip()
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
    host, slash, rest = text.partition("/")
    return (host.lower() + slash + rest).rstrip("/")
