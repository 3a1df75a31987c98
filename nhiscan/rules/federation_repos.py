"""NHI605: a keyless trust admits a GitHub repository that does not exist in its organization.

A trust pinned to ``repo:acme/app:*`` is safe only while ``acme/app`` is the repository it
means. A typo (``acme/ap``), or a repository renamed or deleted since, leaves a name that
whoever may create repositories under that owner can register, and their workflows then become
the identity. Whether a repository exists is known only when the scan knows the owner's
complete list of repositories, so this is judged only for the owners nhiscan.toml declares
complete (``[federation]``, ``FederationSettings``): the owners of ``github_repositories``
(that list is their complete list) and ``github_owners`` (the scanned repositories, ``--repo``,
are all of theirs). A trust of any other owner is not judged.

A trust names a repository when a test on ``sub`` (``repo:OWNER/NAME:...``), ``repository``
(``OWNER/NAME``) or ``job_workflow_ref`` / ``workflow_ref`` (``OWNER/NAME/PATH@REF``) fixes both
owner and name (no wildcard in them): the claims' formats are GitHub's
(docs.github.com/actions/reference/security/oidc).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import capital, describe
from nhiscan.rules.thresholds import FederationSettings
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import FederatedTrust, Platform
from nhiscan.scanner.model import Finding, Severity
from nhiscan.scanner.workflows import step_evidence, workflows_requesting

_WILDCARDS = frozenset("*?")


@dataclass(frozen=True, slots=True)
class Inventory:
    """The owners whose repositories are known completely (lower case), and those repositories."""

    owners: frozenset[str]
    repositories: frozenset[str]

    def missing(self, slug: str) -> bool:
        owner = slug.partition("/")[0]
        return owner in self.owners and slug not in self.repositories

    def of_owner(self, owner: str) -> list[str]:
        return sorted(r for r in self.repositories if r.partition("/")[0] == owner)


def inventory(estate: Estate, settings: FederationSettings) -> Inventory:
    listed = {r.strip().casefold() for r in settings.github_repositories if "/" in r}
    scanned = {r.slug.casefold() for r in estate.snapshot.repositories if r.slug}
    scanned |= {w.slug.casefold() for w in estate.snapshot.workflows if w.slug}
    owners = {r.partition("/")[0] for r in listed}
    owners |= {o.strip().casefold() for o in settings.github_owners if o.strip()}
    return Inventory(owners=frozenset(owners), repositories=frozenset(listed | scanned))


def not_judged(
    estate: Estate, settings: FederationSettings, trusts: Iterable[FederatedTrust]
) -> tuple[str, ...]:
    """The repositories trusts fix by name whose owner ``[federation]`` does not declare
    complete: NHI605 could not judge them, and the report says so (no finding is not "they
    exist")."""
    known = inventory(estate, settings)
    found: dict[str, str] = {}  # the first spelling of each, compared without case
    for trust in trusts:
        for slug in trusted_repositories(trust):
            if slug.partition("/")[0].casefold() not in known.owners:
                found.setdefault(slug.casefold(), slug)
    return tuple(sorted(found.values(), key=str.casefold))


def trusted_repositories(trust: FederatedTrust) -> tuple[str, ...]:
    """The repositories ("owner/name", as written) a GitHub trust's tests fix by name."""
    if trust.platform is not Platform.GITHUB_ACTIONS:
        return ()
    found: dict[str, str] = {}
    for admission in trust.admissions:
        for test in admission.tests:
            if test.match.negated:
                continue
            for value in test.values:
                slug = _slug(test.claim, value)
                if slug is not None:
                    found.setdefault(slug.casefold(), slug)
    return tuple(found.values())


def _slug(claim: str, value: str) -> str | None:
    if claim == "sub":
        if not value.startswith("repo:"):
            return None
        text = value[len("repo:") :].partition(":")[0]
    elif claim == "repository":
        text = value
    elif claim in ("job_workflow_ref", "workflow_ref"):
        text = "/".join(value.partition("@")[0].split("/")[:2])
    else:
        return None
    owner, slash, name = text.partition("/")
    if not slash or not owner or not name or "/" in name:
        return None
    if _WILDCARDS & set(owner + name):
        return None
    return text


class TrustedRepositoryMissing:
    meta = RuleMeta(
        id="NHI605",
        name="trusted-repository-missing",
        severity=Severity.HIGH,
        summary=(
            "A keyless trust admits a GitHub repository that is not among its owner's "
            "repositories (a typo, or a repository renamed or deleted since): whoever may "
            "create a repository with that name becomes the identity. Judged only for the "
            "owners whose repositories [federation] in nhiscan.toml declares complete."
        ),
        remediation=(
            "Correct the repository in the trust's subject condition to the one that exists "
            "(or remove the trust if that repository is gone); pin repository_id as well as "
            "the name where the cloud can test it, since a name can be registered again."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        known = inventory(estate, ctx.federation)
        if not known.owners:
            return
        for trust in _sorted(ctx.providers.federated_trusts()):
            for slug in trusted_repositories(trust):
                if known.missing(slug.casefold()):
                    yield self._finding(estate, ctx, trust, slug, known)

    def _finding(
        self, estate: Estate, ctx: RuleContext, trust: FederatedTrust, slug: str, known: Inventory
    ) -> Finding:
        owner = slug.partition("/")[0].casefold()
        theirs = known.of_owner(owner)
        close = difflib.get_close_matches(slug.casefold(), theirs, n=3, cutoff=0.6)
        who = describe(estate.identities.get(trust.target), trust.target, ctx.providers)
        evidence = {
            "repository": slug,
            "owner_repositories": len(theirs),
            "similar": close,
            "issuer": trust.issuer,
            "trust": trust.source,
            "workflows": [step_evidence(s) for s in workflows_requesting(estate, trust.target)],
        }
        hint = f" (its closest: {close[0]})." if close else "."
        return make_finding(
            self.meta,
            subject=trust.target,
            provider=trust.provider,
            title=f"{capital(who)} trusts GitHub repository {slug}, which {owner} lacks{hint}",
            evidence=evidence,
            key=(trust.source, slug.casefold()),
        )


def _sorted(trusts: Iterable[FederatedTrust]) -> list[FederatedTrust]:
    return sorted(trusts, key=lambda t: (t.target, t.source))
