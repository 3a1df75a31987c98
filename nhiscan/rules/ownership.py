"""Every non-human identity needs a person or team who answers for it.

An owner is the provider's native owner (``Identity.owner``) or a tag whose key is one of
``owner_tag_keys`` (compared without regard to case) with a non-blank value. People are their
own owners and are skipped; identities nhiscan cannot classify (``is_human`` None) are held to
the machine standard, since an unowned unknown is the worst case. Identities the provider
manages itself (an AWS service-linked role, which AWS creates, owns and deletes with the
service that uses it; a Google service agent) are skipped: the record says so, or its
provider's analysis does.

Three Azure conditions (docs/dev/azure-plan.md 5.2; NHI502; issue #15: "no owner" is never
claimed without the owners):

- A managed identity (``IdentityKind.MANAGED_IDENTITY``) is skipped: Entra refuses owners on a
  managed identity's service principal (even a Global Administrator gets 403
  Authorization_RequestDenied, MicrosoftDocs/azure-docs issue #77020), its credentials are
  Azure's, and it lives and dies with the Azure resource it belongs to, whose role
  assignments say who answers for it: "no owner" is not a fault anyone can fix there.
- A service principal whose live credentials are held by an application (``Credential.holder``)
  that lists no owner is left to the Azure rule NHI502, which reports that application with
  its credentials at a higher severity: the same missing owner, reported once. A service
  principal with only federated credentials (no secret or certificate) still needs an owner and
  is reported here.
- A service principal whose owners were not read is not judged: Azure records owners only as
  read (its own, else its application's), so a collection gap on an owners list naming it, its
  client id (an application's owners are listed by appId) or its whole tenant means "unknown",
  and the gap already says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import active_keys, describe
from nhiscan.rules.reach_support import provider_managed
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    Finding,
    Identity,
    IdentityKind,
    PolicyKind,
    Provider,
    Severity,
)
from nhiscan.scanner.owners import owner_of


class NhiWithoutOwner:
    meta = RuleMeta(
        id="NHI007",
        name="nhi-without-owner",
        severity=Severity.LOW,
        summary=(
            "A non-human identity (or one that cannot be told apart from a person) has no "
            "owner: no native owner and no owner tag (owner_tag_keys). Service-linked roles "
            "are skipped: AWS owns them; so are Azure managed identities (Entra refuses "
            "owners on them) and service principals whose ownerless application NHI502 "
            "reports with its credentials."
        ),
        remediation=(
            "Tag the identity with its owning team or person (for example owner=team-payments) "
            "so someone answers for rotating, reviewing and retiring it; if nobody claims it, "
            "find its last use and plan its removal."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        tag_keys = ctx.thresholds.owner_tag_keys
        for identity in sorted(estate.identities.values(), key=lambda i: i.id):
            if (
                identity.is_human
                or identity.provider_managed
                or provider_managed(ctx.providers, identity)
                or owner_of(identity, tag_keys) is not None
                or identity.kind is IdentityKind.MANAGED_IDENTITY
                or _ownerless_holder_reported(estate, identity, ctx)
                or _owners_unread(estate, identity)
            ):
                continue
            who = describe(identity, identity.id, ctx.providers)
            yield make_finding(
                self.meta,
                subject=identity.id,
                provider=identity.provider,
                title=f"No owner is recorded for {who}.",
                remediation=ctx.providers.facts(identity.provider).remediations.get(self.meta.id),
                evidence={
                    "identity": identity.id,
                    "is_human": identity.is_human,
                    "human_reason": identity.human_reason,
                    "owner_tag_keys": list(tag_keys),
                    "tag_keys": sorted(identity.tags),
                },
            )


def _ownerless_holder_reported(estate: Estate, identity: Identity, ctx: RuleContext) -> bool:
    """Its live credentials are held by an application (``Credential.holder``) whose owners
    were read and list nobody: the Azure rule NHI502 reports that application."""
    for key in active_keys(estate.credentials(identity.id), ctx.providers):
        holder = estate.resources.get(key.holder or "")
        policy = estate.policies.get(holder.policy or "") if holder is not None else None
        if (
            policy is not None
            and policy.kind is PolicyKind.ENTRA_OWNERS
            and isinstance(policy.document, dict)
            and policy.document.get("value") == []
        ):
            return True
    return False


def _owners_unread(estate: Estate, identity: Identity) -> bool:
    """An Azure identity's owners (its own or its application's) could not be read: a gap on
    an owners list (``azure-export:app-owners``, ``azure-export:sp-owners``, live
    ``/applications/{id}/owners``, ``/servicePrincipals/{id}/owners``) naming it or its client
    id, or naming no object in its tenant."""
    if identity.provider is not Provider.AZURE:
        return False
    names = {identity.id.lower(), (identity.native_id or "").lower()} - {""}
    for gap in estate.snapshot.gaps:
        if gap.provider is not Provider.AZURE or not gap.operation.endswith("owners"):
            continue
        if gap.subject is None and gap.scope.lower() == identity.account.lower():
            return True
        if gap.subject is not None and gap.subject.lower() in names:
            return True
    return False
