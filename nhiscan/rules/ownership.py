"""Every non-human identity needs a person or team who answers for it.

An owner is the provider's native owner (``Identity.owner``) or a tag whose key is one of
``owner_tag_keys`` (compared without regard to case) with a non-blank value. People are their
own owners and are skipped; identities nhiscan cannot classify (``is_human`` None) are held to
the machine standard, since an unowned unknown is the worst case. Identities the provider
manages itself (an AWS service-linked role, which AWS creates, owns and deletes with the
service that uses it; a Google service agent) are skipped: the record says so, or its
provider's analysis does.

A provider may say why "no owner" cannot be judged of one of its identities
(``ProviderAnalysis.owner_unjudged``): an Azure managed identity (Entra refuses owners on it), a
service principal whose owners were not read (a gap says so), or one whose ownerless application
an Azure rule reports already; the rule then leaves it.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import describe
from nhiscan.rules.reach_support import provider_managed
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Finding, Identity, Severity
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
                or _owner_unjudged(ctx, identity)
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


def _owner_unjudged(ctx: RuleContext, identity: Identity) -> bool:
    analysis = ctx.providers.analysis(identity.provider)
    return analysis is not None and analysis.owner_unjudged(identity) is not None
