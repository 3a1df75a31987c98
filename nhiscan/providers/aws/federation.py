"""AWS's keyless trusts (issue #20): role trust policies read into ``FederatedTrust`` records,
and the account's IAM OIDC and SAML providers into ``Registration`` records.

A role admits tokens from outside through its trust policy. Three shapes, as AWS documents:

- an OIDC or web identity issuer with ``sts:AssumeRoleWithWebIdentity``: ``Federated`` names
  the account's IAM OIDC provider (``arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH``: GitHub
  Actions, GitLab, Terraform Cloud, an EKS cluster for IRSA) or one of the public providers IAM
  knows by name (``cognito-identity.amazonaws.com``, ``accounts.google.com``,
  ``www.amazon.com``, ``graph.facebook.com``). The token's claims are condition keys written
  ``ISSUER:CLAIM`` (``token.actions.githubusercontent.com:sub``,
  ``oidc.eks.REGION.amazonaws.com/id/ID:aud``, ``cognito-identity.amazonaws.com:amr``).
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
  https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
- a SAML identity provider with ``sts:AssumeRoleWithSAML``: ``Federated`` names
  ``arn:aws:iam::ACCOUNT:saml-provider/NAME``; the assertion's values are ``SAML:aud``,
  ``SAML:sub``, ``SAML:iss``... https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
- EKS Pod Identity: the service principal ``pods.eks.amazonaws.com`` with ``sts:AssumeRole``
  (and ``sts:TagSession``); which cluster, namespace and service account is told by the session
  tags it sets, tested as ``aws:RequestTag/kubernetes-namespace`` and so on, read here as the
  claims ``kubernetes-namespace``, ``kubernetes-service-account``, ``eks-cluster-arn``...
  https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
  https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html

Each Allow statement naming such a principal with an action that covers its exchange is one
``Admission``; its conditions become ``ClaimTest`` s where their meaning is exact, and stay as
the policy wrote them in ``Admission.undecided`` otherwise (an operator that is not a string
comparison, a policy variable, a key that is not the issuer's). Deny statements that apply to
the principal cut every admission: a Deny with one readable test adds its negation, any other
conditioned Deny adds undecided text, an unconditioned one leaves nothing to admit (the trust
is not reported: nobody can use it).

Claim names are read in lower case: AWS compares condition keys without regard to case, and
the claims the judges read (``sub``, ``aud``, ``amr``, ``repository_owner``...) are lower case.

The GAAD (``--aws-gaad``) holds no identity providers: offline, trusts carry no
``audiences`` and there are no registrations (the export's NOT_IN_EXPORT gaps say so).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from nhiscan.providers.aws.statements import Condition, Statement, indexed_statements
from nhiscan.providers.issuers import platform_of
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import (
    Admission,
    ClaimTest,
    FederatedTrust,
    Match,
    Platform,
    Registration,
    issuer_key,
)
from nhiscan.scanner.glob import compile_patterns, matches
from nhiscan.scanner.model import Identity, IdentityKind, Policy, PolicyKind, Provider

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
SAML = "sts:AssumeRoleWithSAML"
ASSUME_ROLE = "sts:AssumeRole"
POD_IDENTITY = "pods.eks.amazonaws.com"
REQUEST_TAG = "aws:requesttag/"

# Web identity providers a trust names by host, with no IAM OIDC provider of the account.
PUBLIC_WEB_IDENTITY = frozenset(
    {
        "cognito-identity.amazonaws.com",
        "accounts.google.com",
        "www.amazon.com",
        "graph.facebook.com",
    }
)
# Policy kinds that hold an identity provider, not a policy document (checks.py skips them).
REGISTRATION_KINDS = frozenset({PolicyKind.AWS_OIDC_PROVIDER, PolicyKind.AWS_SAML_PROVIDER})

# Claims every token STS accepts carries: an OpenID Connect ID token's ``sub`` and ``aud`` are
# required (https://openid.net/specs/openid-connect-core-1_0.html#IDToken, and STS refuses a
# token without ``aud``), as a SAML response's subject and recipient are. For these, an
# operator whose meaning differs only when the key is absent (``...IfExists``, a set
# qualifier on a single-valued key) reads as the plain operator.
_ALWAYS_PRESENT = frozenset({"sub", "aud"})
# Multivalued claims (Cognito's authentication methods): a plain or ``ForAnyValue`` positive
# test holds when one of the values matches, which a test on one value states.
_MULTIVALUED = frozenset({"amr"})

# String operators (lower case: conditions.py reads them so) -> (match, ignore case).
_STRING_OPERATORS: Mapping[str, tuple[Match, bool]] = {
    "stringequals": (Match.EQUALS, False),
    "stringnotequals": (Match.NOT_EQUALS, False),
    "stringequalsignorecase": (Match.EQUALS, True),
    "stringnotequalsignorecase": (Match.NOT_EQUALS, True),
    "stringlike": (Match.LIKE, False),
    "stringnotlike": (Match.NOT_LIKE, False),
}
_NEGATION = {
    Match.EQUALS: Match.NOT_EQUALS,
    Match.NOT_EQUALS: Match.EQUALS,
    Match.LIKE: Match.NOT_LIKE,
    Match.NOT_LIKE: Match.LIKE,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Issuer:
    """One federated principal of a trust statement: who issues the tokens, and how AWS takes
    them. ``named`` is the principal as a trust policy writes it (the provider ARN, a public
    host, the service), compared without regard to case."""

    named: str
    kind: str  # "Federated" or "Service": the Principal element that names it
    issuer: str
    platform: Platform
    via: str
    registration: str | None = None

    def claim(self, key: str) -> str | None:
        """The claim a condition key tests, in lower case; None for a key of something else."""
        lowered = key.lower()
        if self.platform is Platform.EKS_POD_IDENTITY:
            return lowered[len(REQUEST_TAG) :] if lowered.startswith(REQUEST_TAG) else None
        if self.platform is Platform.SAML:
            head, _, claim = lowered.partition(":")
            return claim if head == "saml" and claim else None
        head, _, claim = lowered.rpartition(":")
        return claim if head and claim and head == self.issuer.lower() else None


def issuer_of(kind: str, value: str) -> Issuer | None:
    """The issuer a ``Federated`` or ``Service`` principal value names, None for others."""
    text = value.strip()
    if kind == "Service":
        if text.lower() != POD_IDENTITY:
            return None
        return Issuer(
            named=text,
            kind=kind,
            issuer=POD_IDENTITY,
            platform=Platform.EKS_POD_IDENTITY,
            via=ASSUME_ROLE,
        )
    if kind != "Federated":
        return None
    if text.lower() in PUBLIC_WEB_IDENTITY:
        host = text.lower()
        return Issuer(
            named=text, kind=kind, issuer=host, platform=platform_of(host), via=WEB_IDENTITY
        )
    resource = _iam_resource(text)
    if resource is None:
        return None
    if resource.startswith("oidc-provider/"):
        url = issuer_key(resource[len("oidc-provider/") :])
        return Issuer(
            named=text,
            kind=kind,
            issuer=url,
            platform=platform_of(url),
            via=WEB_IDENTITY,
            registration=text,
        )
    if resource.startswith("saml-provider/"):
        return Issuer(
            named=text, kind=kind, issuer=text, platform=Platform.SAML, via=SAML, registration=text
        )
    return None


def _iam_resource(arn: str) -> str | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam":
        return None
    return parts[5]


def federated_trusts(estate: Estate) -> Iterator[FederatedTrust]:
    """Every role's federated trusts, in role id order, each issuer in document order."""
    known = {r.id.lower(): r for r in registrations(estate)}
    for identity in sorted(estate.identities.values(), key=lambda i: i.id):
        if identity.provider is not Provider.AWS or identity.kind is not IdentityKind.IAM_ROLE:
            continue
        trust = estate.policy(identity.trust_policy)
        if trust is not None:
            yield from role_trusts(identity, trust, known)


def role_trusts(
    role: Identity, trust: Policy, known: Mapping[str, Registration]
) -> Iterator[FederatedTrust]:
    """The trusts one trust policy grants; ``known`` are the collected registrations by lower-case
    id (their audiences are the trust's)."""
    indexed = indexed_statements(trust.document)
    issuers: dict[str, Issuer] = {}
    admitted: dict[str, list[Admission]] = {}
    for index, statement in indexed:
        if not statement.allows:
            continue
        for issuer in _issuers(statement):
            ref = StatementRef(policy_id=trust.id, index=index, sid=statement.sid)
            key = issuer.named.lower()
            issuers.setdefault(key, issuer)
            admitted.setdefault(key, []).append(admission(statement, issuer, ref))
    denies = [(i, s) for i, s in indexed if s.effect == "Deny"]
    for key, issuer in issuers.items():
        admissions = _cut(admitted[key], [(i, s) for i, s in denies if _applies(s, issuer)], issuer)
        if admissions is None:
            continue
        registration = known.get(issuer.registration.lower()) if issuer.registration else None
        yield FederatedTrust(
            provider=Provider.AWS,
            target=role.id,
            account=role.account or "",
            issuer=issuer.issuer,
            platform=issuer.platform,
            admissions=admissions,
            source=trust.id,
            registration=issuer.registration,
            audiences=registration.audiences if registration is not None else None,
            via=issuer.via,
        )


def _issuers(statement: Statement) -> Iterator[Issuer]:
    for kind in ("Federated", "Service"):
        for value in statement.principal_values(kind):
            issuer = issuer_of(kind, value)
            if issuer is not None and covers(statement, issuer.via):
                yield issuer


def covers(statement: Statement, action: str) -> bool:
    """Whether the statement's Action (or NotAction) takes in ``action``; wildcards count, case
    does not."""
    if statement.actions:
        return matches(compile_patterns(statement.actions), action)
    if statement.not_actions:
        return not matches(compile_patterns(statement.not_actions), action)
    return False


def admission(statement: Statement, issuer: Issuer, ref: StatementRef | None) -> Admission:
    """One Allow statement's way in for ``issuer``'s tokens."""
    tests: list[ClaimTest] = []
    undecided: list[str] = []
    for condition in statement.conditions:
        test = claim_test(condition, issuer)
        if test is None:
            undecided.append(as_written(condition))
        else:
            tests.append(test)
    return Admission(tests=tuple(tests), undecided=tuple(undecided), statement=ref)


def claim_test(condition: Condition, issuer: Issuer) -> ClaimTest | None:
    """The test a condition states on a claim of ``issuer``'s tokens, when its meaning is exactly
    that test (AWS, "Condition operators" and "Single-valued vs. multivalued context keys":
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html);
    None otherwise."""
    claim = issuer.claim(condition.key)
    if claim is None or not condition.values or any("${" in v for v in condition.values):
        return None
    base = condition.base.lower()
    qualifier = condition.qualifier
    if base == "null":
        return _presence(condition, claim)
    if base not in _STRING_OPERATORS:
        return None
    match, ignore_case = _STRING_OPERATORS[base]
    if claim in _MULTIVALUED:
        if match.negated or condition.if_exists or qualifier == "ForAllValues":
            return None
    elif claim not in _ALWAYS_PRESENT:
        # for an absent claim these differ from the plain operator: IfExists and ForAllValues
        # pass, ForAnyValue fails even when negated
        if condition.if_exists or qualifier == "ForAllValues":
            return None
        if qualifier == "ForAnyValue" and match.negated:
            return None
    return ClaimTest(claim=claim, match=match, values=condition.values, ignore_case=ignore_case)


def _presence(condition: Condition, claim: str) -> ClaimTest | None:
    """``Null``: "true" holds when the claim is absent, "false" when present; as a test, NOT_LIKE
    ``*`` (only an absent claim passes) or LIKE ``*``."""
    wanted = {v.strip().lower() for v in condition.values}
    if condition.qualifier or condition.if_exists or len(wanted) != 1 or wanted - {"true", "false"}:
        return None
    match = Match.NOT_LIKE if wanted == {"true"} else Match.LIKE
    return ClaimTest(claim=claim, match=match, values=("*",))


def as_written(condition: Condition) -> str:
    """A condition as the policy writes it: ``{"StringLikeIfExists": {"KEY": ["v"]}}``."""
    return json.dumps({condition.operator: {condition.key: list(condition.values)}})


def _applies(statement: Statement, issuer: Issuer) -> bool:
    """Whether a Deny statement takes in the issuer's exchange: its principal names the issuer or
    anyone (or its NotPrincipal does not name the issuer), and its action covers it."""
    if not covers(statement, issuer.via):
        return False
    if statement.not_principals is not None:
        return not _names(statement.not_principals, issuer)
    return statement.principals is not None and (
        "*" in statement.principal_values("AWS") or _names(statement.principals, issuer)
    )


def _names(principals: Mapping[str, tuple[str, ...]], issuer: Issuer) -> bool:
    values = {v.strip().lower() for v in principals.get(issuer.kind, ())}
    return issuer.named.lower() in values or "*" in values


def _cut(
    admissions: Sequence[Admission], denies: Iterable[tuple[int, Statement]], issuer: Issuer
) -> tuple[Admission, ...] | None:
    """The admissions with what the Deny statements take away; None when one takes all."""
    added_tests: list[ClaimTest] = []
    added_text: list[str] = []
    for index, deny in denies:
        read = admission(deny, issuer, None)
        if not read.tests and not read.undecided:
            return None
        if len(read.tests) == 1 and not read.undecided:
            added_tests.append(negated(read.tests[0]))
        else:
            conditions = ", ".join(as_written(c) for c in deny.conditions)
            added_text.append(f"unless denied by statement {index}: {conditions}")
    return tuple(
        replace(a, tests=(*a.tests, *added_tests), undecided=(*a.undecided, *added_text))
        for a in admissions
    )


def negated(test: ClaimTest) -> ClaimTest:
    """The test that holds exactly when ``test`` does not (an absent claim included)."""
    return replace(test, match=_NEGATION[test.match])


def registrations(estate: Estate) -> Iterator[Registration]:
    """The collected IAM OIDC and SAML providers, by id."""
    for policy in sorted(estate.policies.values(), key=lambda p: p.id):
        if policy.provider is Provider.AWS and policy.kind in REGISTRATION_KINDS:
            yield registration(policy)


def registration(policy: Policy) -> Registration:
    """An IAM identity provider's record as a Registration. An OIDC provider's issuer is its
    ``Url`` (IAM returns it without the scheme) and its audiences its ``ClientIDList``: None when
    GetOpenIDConnectProvider was refused and only the listing is known."""
    document = policy.document
    if policy.kind is PolicyKind.AWS_SAML_PROVIDER:
        return Registration(
            provider=Provider.AWS,
            id=policy.id,
            account=policy.account or "",
            issuer=policy.id,
            platform=Platform.SAML,
        )
    resource = _iam_resource(policy.id) or ""
    url = issuer_key(str(document.get("Url") or resource.removeprefix("oidc-provider/")))
    clients = document.get("ClientIDList")
    return Registration(
        provider=Provider.AWS,
        id=policy.id,
        account=policy.account or "",
        issuer=url,
        platform=platform_of(url),
        audiences=tuple(str(c) for c in clients) if isinstance(clients, list) else None,
    )
