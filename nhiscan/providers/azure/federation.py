"""Who outside the scanned clouds may sign in as an Entra application or a user-assigned
managed identity (issue #20; the neutral records are ``scanner/federation.py``).

Each federated identity credential is a trust: a token of ``issuer`` whose ``sub`` equals
``subject`` and whose ``aud`` is one of ``audiences`` is exchanged for the identity's token
(Graph's federatedIdentityCredential resource, learn.microsoft.com/graph/api/resources/
federatedidentitycredential; ARM's ``Microsoft.ManagedIdentity/userAssignedIdentities/
federatedIdentityCredentials``, learn.microsoft.com/rest/api/managedidentity/
federated-identity-credentials). The subject is compared exactly, case included ("Important
considerations and restrictions for federated identity credentials", learn.microsoft.com/
entra/workload-id/workload-identity-federation-considerations).

A flexible credential has ``claimsMatchingExpression`` instead of ``subject`` ("Flexible
federated identity credentials", learn.microsoft.com/entra/workload-id/
workload-identities-flexible-federated-identity-credentials): terms ``claims['NAME'] matches
'PATTERN'`` (``*`` a wildcard) or ``claims['NAME'] eq 'VALUE'`` joined by ``and``; read as
LIKE and EQUALS tests, anything else kept undecided. Entra registers no issuer, so Azure has
no registrations: each credential's id stands as its trust's registration, its audiences as
the registration's own.

The credentials are those the connectors collected, as the identity's ``trust_policy`` (an
application's on its service principal, a managed identity's on it): the target is that
identity, the id role assignments name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from nhiscan.providers.issuers import platform_of
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import Admission, ClaimTest, FederatedTrust, Match
from nhiscan.scanner.model import Identity, Policy, PolicyKind, Provider

VIA = "federated-identity-credential"
_TERM = re.compile(r"^claims\['([^'\\]+)'\]\s+(matches|eq)\s+'([^'\\]*)'$")
_AND = re.compile(r"\s+and\s+")


def trusts(estate: Estate) -> Iterator[FederatedTrust]:
    """A trust per federated identity credential of every Azure identity that has some."""
    for identity, policy in _credentials(estate):
        entries = policy.document.get("value")
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, Mapping) and isinstance(entry.get("issuer"), str):
                yield credential_trust(identity, entry, policy.id)


def _credentials(estate: Estate) -> Iterator[tuple[Identity, Policy]]:
    """Each identity with its credentials: its ``trust_policy``, else the identity the policy's
    application or managed identity resource runs as (a snapshot written before the trust
    policy was joined)."""
    found: dict[str, tuple[Identity, Policy]] = {}
    for policy in estate.policies.values():
        if policy.provider is not Provider.AZURE:
            continue
        if policy.kind is not PolicyKind.ENTRA_FEDERATED_CREDENTIALS:
            continue
        for attached in policy.attached_to:
            resource = estate.resources.get(attached)
            who = estate.identities.get(resource.runs_as if resource and resource.runs_as
                                        else attached)  # fmt: skip
            if who is not None and who.trust_policy in (None, policy.id):
                found.setdefault(policy.id, (who, policy))
    for identity in estate.identities.values():
        trust = estate.policies.get(identity.trust_policy or "")
        if identity.provider is Provider.AZURE and trust is not None and (
            trust.kind is PolicyKind.ENTRA_FEDERATED_CREDENTIALS
        ):  # fmt: skip
            found[trust.id] = (identity, trust)
    for key in sorted(found, key=lambda k: (found[k][0].id, k)):
        yield found[key]


def credential_trust(identity: Identity, entry: Mapping[str, Any], source: str) -> FederatedTrust:
    issuer = str(entry["issuer"])
    audiences = tuple(a for a in entry.get("audiences") or () if isinstance(a, str))
    credential = entry.get("id") or entry.get("name")
    return FederatedTrust(
        provider=Provider.AZURE, target=identity.id, account=identity.account, issuer=issuer,
        platform=platform_of(issuer), admissions=(admission(entry),), source=source,
        registration=str(credential) if credential else None, audiences=audiences, via=VIA,
    )  # fmt: skip


def admission(entry: Mapping[str, Any]) -> Admission:
    """``sub`` EQUALS the subject, or the flexible expression's terms."""
    subject = entry.get("subject")
    if isinstance(subject, str) and subject:
        return Admission(tests=(ClaimTest(claim="sub", match=Match.EQUALS, values=(subject,)),))
    expression = entry.get("claimsMatchingExpression")
    text = expression.get("value") if isinstance(expression, Mapping) else None
    if not isinstance(text, str) or not text.strip():
        return Admission(undecided=("neither subject nor claimsMatchingExpression",))
    tests, undecided = [], []
    for term in _AND.split(text.strip()):
        found = _TERM.match(term.strip())
        if found is None:
            undecided.append(term.strip())
            continue
        claim, operator, value = found.groups()
        match = Match.LIKE if operator == "matches" else Match.EQUALS
        tests.append(ClaimTest(claim=claim, match=match, values=(value,)))
    return Admission(tests=tuple(tests), undecided=tuple(undecided))
