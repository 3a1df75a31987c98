"""Who may act through a role or on a resource: cross-account trust and public policies.

Only Allow statements count. A condition counts as a restriction only when it *narrows* its
key to specific values (see ``statements.narrows``): ``StringEquals``/``StringLike``/
``ArnLike``… against non-wildcard values, not ``IfExists``, not ``ForAllValues``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nhiscan.providers.aws.exposure import PUBLIC_RESTRICTING_KEYS
from nhiscan.providers.aws.rules.evidence import statement_evidence
from nhiscan.providers.aws.statements import (
    Statement,
    account_of,
    admits_anyone_but,
    is_public,
    narrowed_by,
    statements,
)
from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    Finding,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
    ResourceKind,
    Severity,
)

EXTERNAL_ID_KEY = "sts:ExternalId"

# NHI005: a statement narrowed to an organisation admits another account only as a member of
# that organisation, i.e. one of our own accounts. The confused-deputy problem an external id
# solves needs a third party acting for several customers, so such trust is not flagged.
ORGANIZATION_KEYS = ("aws:PrincipalOrgID", "aws:PrincipalOrgPaths")

# How a title names a resource's kind.
RESOURCE_WORDS = {
    ResourceKind.S3_BUCKET: "S3 bucket",
    ResourceKind.KMS_KEY: "KMS key",
    ResourceKind.SECRET: "secret",
    ResourceKind.LAMBDA_FUNCTION: "Lambda function",
    ResourceKind.EC2_INSTANCE: "EC2 instance",
    ResourceKind.INSTANCE_PROFILE: "instance profile",
}


def role_trusts(estate: Estate) -> Iterator[tuple[Identity, Policy]]:
    """Each role with its collected trust policy, in role id order."""
    for identity in sorted(estate.identities.values(), key=lambda i: i.id):
        trust = estate.policy(identity.trust_policy)
        if identity.kind is IdentityKind.IAM_ROLE and trust is not None:
            yield identity, trust


class CrossAccountTrustWithoutExternalId:
    meta = RuleMeta(
        id="NHI005",
        name="cross-account-trust-without-external-id",
        severity=Severity.HIGH,
        summary=(
            "A role trusts a principal in another account with no sts:ExternalId condition "
            "(statements narrowed by aws:PrincipalOrgID/PrincipalOrgPaths are internal and "
            "not flagged; AWS services and SAML/OIDC federation are not accounts)."
        ),
        remediation=(
            "If the other account belongs to a third party (a vendor acting for several "
            "customers), require the external id it gave you: add a Condition "
            '{"StringEquals": {"sts:ExternalId": "<id>"}} to the statement. If it is one of '
            "your own accounts, narrow the statement with aws:PrincipalOrgID. Name the exact "
            "role ARN rather than the account root where you can."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for role, trust in role_trusts(estate):
            own = {role.account, account_of(role.id)}
            for account, grants in sorted(_foreign_grants(trust, own).items()):
                principals = sorted({p for g in grants for p in g.principals})
                yield make_finding(
                    self.meta,
                    subject=role.id,
                    provider=role.provider,
                    title=(
                        f"Role {role.name} can be assumed from account {account} "
                        "without an external id."
                    ),
                    evidence={
                        "role": role.id,
                        "role_account": role.account,
                        "trusted_account": account,
                        "trusted_principals": principals,
                        "trust_policy": trust.id,
                        "statements": [statement_evidence(g.statement) for g in grants],
                    },
                    key=(account,),
                )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Grant:
    statement: Statement
    principals: tuple[str, ...]  # this statement's principals in the account


def _foreign_grants(trust: Policy, own: set[str | None]) -> dict[str, list[_Grant]]:
    """Foreign account id -> the unconditioned Allow statements admitting principals in it."""
    grants: dict[str, list[_Grant]] = {}
    for statement in statements(trust.document):
        if not statement.allows or _conditioned_for_cross_account(statement):
            continue
        by_account: dict[str, list[str]] = {}
        for principal in statement.principal_values("AWS"):
            account = account_of(principal)
            if account is not None and account not in own:
                by_account.setdefault(account, []).append(principal)
        for account, principals in by_account.items():
            grants.setdefault(account, []).append(
                _Grant(statement=statement, principals=tuple(principals))
            )
    return grants


def _conditioned_for_cross_account(statement: Statement) -> bool:
    return bool(narrowed_by(statement, (EXTERNAL_ID_KEY, *ORGANIZATION_KEYS)))


class PublicTrust:
    meta = RuleMeta(
        id="NHI006",
        name="public-trust",
        severity=Severity.HIGH,
        summary=(
            'A role trust policy or a resource policy allows Principal "*" (or uses Allow '
            "with NotPrincipal) with no condition confining it to an organisation, account, "
            "principal or network path. Critical for a role: anyone can assume it."
        ),
        remediation=(
            'Replace "*" with the exact principals that need access, or add a condition '
            "that confines it (aws:PrincipalOrgID for your organisation, aws:SourceAccount "
            "or aws:SourceArn for an AWS service acting for you, aws:SourceVpce for a VPC "
            "endpoint). For S3, also turn on Block Public Access."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for role, trust in role_trusts(estate):
            found = _public_statements(trust)
            if found:
                title = f"Role {role.name} can be assumed by anyone: its trust policy is public."
                yield self._finding(role.id, role.provider, title, trust, found, Severity.CRITICAL)
        for subject, label, policy in _resource_policies(estate):
            found = _public_statements(policy)
            if found:
                title = f"The policy of {label} allows anyone."
                yield self._finding(subject, policy.provider, title, policy, found, None)

    def _finding(
        self,
        subject: str,
        provider: Provider,
        title: str,
        policy: Policy,
        found: list[Statement],
        severity: Severity | None,
    ) -> Finding:
        return make_finding(
            self.meta,
            subject=subject,
            provider=provider,
            title=title,
            evidence={
                "policy": policy.id,
                "policy_kind": policy.kind.value,
                "statements": [statement_evidence(s) for s in found],
            },
            severity=severity,
        )


def _public_statements(policy: Policy) -> list[Statement]:
    return [
        s
        for s in statements(policy.document)
        if s.allows
        and (is_public(s) or admits_anyone_but(s))
        and not narrowed_by(s, PUBLIC_RESTRICTING_KEYS)
    ]


def _resource_policies(estate: Estate) -> Iterator[tuple[str, str, Policy]]:
    """(subject, label, policy) for each resource policy: through the resource that refers to
    it, or alone (subject: what it is attached to) when no collected resource does."""
    referenced: set[str] = set()
    for resource in sorted(estate.resources.values(), key=lambda r: r.id):
        policy = estate.policy(resource.policy)
        if policy is not None:
            referenced.add(policy.id)
            word = RESOURCE_WORDS.get(resource.kind, resource.kind.value)
            yield resource.id, f"{word} {resource.name}", policy
    for policy in sorted(estate.policies.values(), key=lambda p: p.id):
        if policy.kind is PolicyKind.RESOURCE and policy.id not in referenced:
            subject = policy.attached_to[0] if policy.attached_to else policy.id
            yield subject.removesuffix("#policy"), subject.removesuffix("#policy"), policy
