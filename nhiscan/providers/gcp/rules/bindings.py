"""Allow-policy bindings: a service account holding a basic role (Owner, Editor) on a project,
folder or organization (a binding on a folder or organization reaches every project below it);
a Google-created default account with one; a service-account role, or any role on a service
account, granted to everyone, every Google account, a whole domain or a broad group (the
groups ``[lifecycle] broad_groups`` lists: none is guessed from its name); a binding to a
deleted member. Service agents (Google-managed accounts) are never flagged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhiscan.providers.gcp.members import Member, MemberKind
from nhiscan.providers.gcp.rules.common import (
    Bound,
    bindings,
    is_scope,
    is_service_account,
    scope_label,
)
from nhiscan.providers.gcp.service_agents import default_account, service_agent
from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Finding, Severity

BASIC_ROLES = ("roles/owner", "roles/editor")
# Roles that let their holder act as, or manage, a service account.
SA_ROLES = frozenset({
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountTokenCreator",
    "roles/iam.serviceAccountKeyAdmin",
    "roles/iam.serviceAccountAdmin",
    "roles/iam.workloadIdentityUser",
    "roles/iam.serviceAccountOpenIdTokenCreator",
})  # fmt: skip
PUBLIC = {
    MemberKind.ALL_USERS: "anyone (allUsers)",
    MemberKind.ALL_AUTHENTICATED: "any Google account (allAuthenticatedUsers)",
    MemberKind.DOMAIN: "every account of a domain",
}
BROAD_GROUP = "every member of a broad group (listed in [lifecycle] broad_groups)"


def broad_groups(configured: tuple[str, ...]) -> frozenset[str]:
    """The configured broad groups' e-mail addresses, lower case (``group:`` prefix dropped)."""
    return frozenset(g.strip().lower().removeprefix("group:") for g in configured if g.strip())


def _public(member: Member | None, broad: frozenset[str]) -> str | None:
    """Who a member stands for when it is public or broad (``PUBLIC``, ``BROAD_GROUP``)."""
    if member is None or member.deleted:
        return None
    if member.kind is MemberKind.GROUP and member.value.lower() in broad:
        return BROAD_GROUP
    return PUBLIC.get(member.kind)


def _customer_account(bound: Bound, estate: Estate) -> str | None:
    """The e-mail of the customer's service account the binding names, or None."""
    member = bound.parsed
    if member is None or member.deleted or member.kind is not MemberKind.SERVICE_ACCOUNT:
        return None
    if service_agent(member.value) is not None:
        return None
    identity = estate.identities.get(member.value)
    if identity is not None and identity.service_linked is True:
        return None
    return member.value


def _basic(estate: Estate) -> Iterator[tuple[Bound, str]]:
    for bound in bindings(estate):
        if bound.role in BASIC_ROLES and is_scope(bound.on):
            account = _customer_account(bound, estate)
            if account is not None:
                yield bound, account


def _evidence(bound: Bound, account: str) -> dict[str, object]:
    return {
        "service_account": account,
        "role": bound.role,
        "scope": scope_label(bound.on),
        "policy": bound.policy.id,
        "conditional": bound.conditioned,
    }


class BasicRoleServiceAccount:
    meta = RuleMeta(
        id="NHI403",
        name="gcp-service-account-basic-role",
        severity=Severity.HIGH,
        summary=(
            "A service account is bound to roles/owner or roles/editor on a project, folder or "
            "organization (a folder or organization binding reaches every project below it)."
        ),
        remediation=(
            "Grant the predefined roles the workload needs instead and remove the basic role "
            "(gcloud projects remove-iam-policy-binding PROJECT_ID "
            "--member=serviceAccount:SA_EMAIL --role=roles/editor; folders and organizations "
            "have the same command)."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for bound, account in _basic(estate):
            if default_account(account) is not None:
                continue  # NHI404
            word = "Owner" if bound.role == "roles/owner" else "Editor"
            yield make_finding(
                self.meta,
                subject=account,
                provider=bound.policy.provider,
                title=f"Service account {account} has {word} on {scope_label(bound.on)}.",
                evidence=_evidence(bound, account),
                key=(bound.on, bound.role),
            )


class DefaultAccountEditor:
    meta = RuleMeta(
        id="NHI404",
        name="gcp-default-service-account-editor",
        severity=Severity.HIGH,
        summary=(
            "The Compute Engine or App Engine default service account holds Editor (or "
            "Owner): every VM or app that runs as it gets that role."
        ),
        remediation=(
            "Give workloads their own service accounts with narrow roles, then remove the "
            "basic role from the default account (gcloud projects remove-iam-policy-binding "
            "PROJECT_ID --member=serviceAccount:SA_EMAIL --role=roles/editor) and enforce "
            "constraints/iam.automaticIamGrantsForDefaultServiceAccounts."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for bound, account in _basic(estate):
            what = default_account(account)
            if what is None or what == "legacy Cloud Build account":
                continue
            word = "Owner" if bound.role == "roles/owner" else "Editor"
            yield make_finding(
                self.meta,
                subject=account,
                provider=bound.policy.provider,
                title=(
                    f"The {what} service account {account} has {word} on {scope_label(bound.on)}."
                ),
                evidence={**_evidence(bound, account), "default_account": what},
                key=(bound.on, bound.role),
            )


class PublicServiceAccountBinding:
    meta = RuleMeta(
        id="NHI405",
        name="gcp-public-service-account-binding",
        severity=Severity.CRITICAL,
        summary=(
            "A service-account role (serviceAccountUser, TokenCreator, KeyAdmin, ...), or any "
            "role on a service account, is granted to allUsers, allAuthenticatedUsers, a "
            "whole domain or a broad group (configured): anyone in it can act as or manage "
            "the account."
        ),
        remediation=(
            "Remove the binding (gcloud iam service-accounts remove-iam-policy-binding "
            "SA_EMAIL --member=MEMBER --role=ROLE, or gcloud projects "
            "remove-iam-policy-binding for a project binding) and grant the role to the "
            "exact principals that need it."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        broad = broad_groups(ctx.thresholds.broad_groups)
        for bound in bindings(estate):
            who = _public(bound.parsed, broad)
            if who is None:
                continue
            if bound.role not in SA_ROLES and not is_service_account(bound.on):
                continue
            title = f"{bound.role} on {scope_label(bound.on)} is granted to {bound.member}."
            yield _finding(self.meta, bound, title, who=who, conditional=bound.conditioned)


class DeletedMemberBinding:
    meta = RuleMeta(
        id="NHI406",
        name="gcp-deleted-member-binding",
        severity=Severity.LOW,
        summary=(
            "A binding names a deleted principal (deleted:...): it grants nothing now, but it "
            "hides who once held the role and is left over from incomplete offboarding."
        ),
        remediation=(
            "Remove the member from the binding (gcloud projects remove-iam-policy-binding "
            "PROJECT_ID --member='deleted:serviceAccount:SA_EMAIL?uid=UID' --role=ROLE, or "
            "the matching command of the resource)."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for bound in bindings(estate):
            if not bound.member.startswith("deleted:"):
                continue
            where = scope_label(bound.on)
            title = f"{bound.role} on {where} is bound to deleted member {bound.member}."
            yield _finding(self.meta, bound, title)


def _finding(meta: RuleMeta, bound: Bound, title: str, **evidence: Any) -> Finding:
    """A finding on one binding: the resource it sits on, its role, member and policy."""
    return make_finding(
        meta,
        subject=bound.on,
        provider=bound.policy.provider,
        title=title,
        evidence={
            "resource": bound.on,
            "role": bound.role,
            "member": bound.member,
            "policy": bound.policy.id,
            **evidence,
        },
        key=(bound.role, bound.member),
    )
