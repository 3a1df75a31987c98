"""Who outside the scanned clouds may become a GCP service account, or act as a workload
identity principal directly (issue #20; the neutral records are ``scanner/federation.py``).

A token of an external issuer reaches GCP through a workload identity pool provider: the
provider checks the token's issuer and audience, maps its claims to attributes
(``attributeMapping``) and refuses it unless its ``attributeCondition`` holds. The principal it
becomes belongs to the pool, and an allow binding names it (or a set of its principals):

- ``principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/
  subject/S``: the token whose ``google.subject`` is S;
- ``principalSet://…/POOL/attribute.NAME/VALUE``: every token whose attribute NAME is VALUE;
- ``principalSet://…/POOL/group/G``: every token whose ``google.groups`` holds G;
- ``principalSet://…/POOL/*``: every token the pool's providers accept.

(Principal identifiers: cloud.google.com/iam/docs/principal-identifiers.) A binding whose role
holds ``iam.serviceAccounts.getAccessToken`` or ``getOpenIdToken`` on a service account (on it,
or on its project, folder or organization) lets those principals impersonate it: a trust whose
target is the account ("Configure workload identity federation", cloud.google.com/iam/docs/
workload-identity-federation-with-other-clouds#impersonation). A binding of any other role
grants the principals that role themselves ("direct resource access"): a trust whose target is
the principal identifier, the id a workload identity has (``IdentityKind.WORKLOAD_IDENTITY``).

Each pool provider makes its own trust (its issuer and audiences differ): one admission per
bound member and alternative of the condition, the member's test read through the mapping
(``subject/S`` is ``google.subject == S``; with ``google.subject`` mapped from ``assertion.sub``
that is ``sub`` EQUALS S). A disabled or soft-deleted pool or provider exchanges no token: no
trust goes through it (a disabled one is still a registration, marked). A pool named by a
binding whose providers were not collected (none read: a pool without providers is of no use,
so an empty one is taken as a refused or skipped listing) gives a trust whose only admission
is undecided. GKE's own pool, ``PROJECT_ID.svc.id.goog``, has no provider to read: its tokens
are the project's clusters' service-account tokens (``gke_alternative``). A binding's own IAM
condition is on the request, not the token: it is kept undecided on each admission.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.gcp.federation_cel import Alternative, mapped_claim, read_condition
from nhiscan.providers.gcp.hierarchy import Hierarchy
from nhiscan.providers.gcp.ids import sa_email
from nhiscan.providers.gcp.members import Member, MemberKind
from nhiscan.providers.gcp.policies import Binding, PolicyIndex
from nhiscan.providers.gcp.roles import RoleBook
from nhiscan.providers.issuers import platform_of
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import (
    Admission,
    ClaimTest,
    FederatedTrust,
    Match,
    Platform,
    Registration,
)
from nhiscan.scanner.model import IdentityKind, Policy, PolicyKind, Provider

GCP = Provider.GCP
IAM_HOST = "//iam.googleapis.com/"
# The permissions that exchange a federated token for a service account's (roles/
# iam.workloadIdentityUser holds both, with serviceAccounts.get and .list).
TOKEN_PERMISSIONS = ("iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.getOpenIdToken")
# What a role that only lets its members act as service accounts holds besides (Workload
# Identity User, Token Creator: signBlob, signJwt, implicitDelegation, and reading projects).
ACTING_PREFIX = "iam.serviceAccounts."
ACTING_EXTRA = frozenset({"resourcemanager.projects.get", "resourcemanager.projects.list"})
DIRECT = "sts.googleapis.com (federated token, direct resource access)"
_POOL = re.compile(r"^(projects/[^/]+/locations/[^/]+/workloadIdentityPools/[^/]+)(?:/(.*))?$")
_ENTITY = re.compile(r"entityID\s*=\s*[\"']([^\"']+)[\"']")


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolProvider:
    """A pool provider as the trust needs it."""

    id: str  # projects/N/locations/global/workloadIdentityPools/POOL/providers/ID
    project: str
    issuer: str
    platform: Platform
    audiences: tuple[str, ...] | None
    mapping: Mapping[str, str]
    condition: str | None
    disabled: bool  # it or its pool disabled, or its pool soft-deleted: exchanges no token
    managed: bool = False  # GKE's own pool (PROJECT_ID.svc.id.goog): no provider to read


class Pools:
    """The snapshot's workload identity pools and providers, by pool (project id form)."""

    def __init__(self, estate: Estate, hierarchy: Hierarchy) -> None:
        self._hierarchy = hierarchy
        self.collected: set[str] = set()  # pools with at least one provider read
        self.providers: defaultdict[str, list[PoolProvider]] = defaultdict(list)
        pools: dict[str, Mapping[str, Any]] = {}
        found: list[Policy] = []
        for policy in estate.policies.values():
            if policy.provider is not GCP:
                continue
            if policy.kind is PolicyKind.GCP_WORKLOAD_POOL:
                pools[self.key(policy.id)] = policy.document
            elif policy.kind is PolicyKind.GCP_WORKLOAD_PROVIDER:
                found.append(policy)
        for policy in sorted(found, key=lambda p: p.id):
            pool = self.key(policy.id)
            self.collected.add(pool)
            provider = _provider(policy, pools.get(pool, {}))
            if provider is not None:
                self.providers[pool].append(provider)

    def key(self, name: str) -> str:
        """A pool's relative name with its project as an id (bindings name it by number)."""
        relative = name.removeprefix(IAM_HOST).split("://", 1)[-1]
        relative = relative.removeprefix("iam.googleapis.com/")
        found = _POOL.match(relative)
        if found is None:
            return relative
        parts = found.group(1).split("/")
        parts[1] = self._hierarchy.numbers.get(parts[1], parts[1])
        return "/".join(parts)

    def registrations(self) -> Iterator[Registration]:
        for pool in sorted(self.providers):
            for provider in self.providers[pool]:
                yield Registration(
                    provider=GCP, id=provider.id, account=provider.project,
                    issuer=provider.issuer, platform=provider.platform,
                    audiences=provider.audiences, disabled=provider.disabled,
                )  # fmt: skip


def _provider(policy: Policy, pool: Mapping[str, Any]) -> PoolProvider | None:
    """None for a soft-deleted provider (it exchanges no token and registers nothing)."""
    data = policy.document
    if data.get("state") == "DELETED":
        return None
    mapping = data.get("attributeMapping")
    mapping = {k: v for k, v in mapping.items() if isinstance(v, str)} if isinstance(
        mapping, Mapping) else {}  # fmt: skip
    oidc, aws, saml = (data.get(k) if isinstance(data.get(k), Mapping) else None
                       for k in ("oidc", "aws", "saml"))  # fmt: skip
    audiences: tuple[str, ...] | None = None
    if oidc is not None:
        issuer = str(oidc.get("issuerUri") or "")
        allowed = tuple(a for a in oidc.get("allowedAudiences") or () if isinstance(a, str))
        # An empty list means the default audience: the provider's full resource name (the
        # Oidc resource's allowedAudiences field). Google also takes it with "https:" before
        # it: two spellings of one audience, the provider's own, so it is listed once (listing
        # both would read as a registration accepting several audiences).
        audiences = allowed or (f"{IAM_HOST}{policy.id}",)
        platform = platform_of(issuer)
    elif aws is not None:
        # A signed GetCallerIdentity request of the account; the contract has no AWS platform.
        # With no mapping, AWS providers map google.subject from assertion.arn (and a computed
        # attribute.aws_role, left undecided): the attributeMapping field's documentation.
        issuer, platform = f"aws-account:{aws.get('accountId')}", Platform.OIDC
        mapping = mapping or {"google.subject": "assertion.arn"}
    elif saml is not None:
        entity = _ENTITY.search(str(saml.get("idpMetadataXml") or ""))
        issuer, platform = (entity.group(1) if entity else policy.id), Platform.SAML
    else:
        issuer, platform = policy.id, Platform.OIDC  # x509 or a type nhiscan does not read
    disabled = bool(data.get("disabled") or pool.get("disabled") or pool.get("state") == "DELETED")
    return PoolProvider(
        id=policy.id, project=policy.account or "", issuer=issuer, platform=platform,
        audiences=audiences, mapping=mapping, condition=_text(data.get("attributeCondition")),
        disabled=disabled,
    )  # fmt: skip


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def member_alternative(
    member: Member, mapping: Mapping[str, str], *, managed: bool = False
) -> Alternative:
    """What a bound member requires of a token, through the provider's attribute mapping (GKE's
    pool: of the cluster's service-account token, ``gke_alternative``)."""
    rest = member.value.split("/workloadIdentityPools/", 1)[-1].partition("/")[2]
    kind, _, value = rest.partition("/")
    if kind == "*" and not value:
        return Alternative()
    if managed:
        return gke_alternative(kind, value, member)
    if kind == "subject":
        attribute, wanted = "google.subject", value
    elif kind.startswith("attribute."):
        attribute, wanted = kind, value
    elif kind == "group":
        return Alternative(undecided=(f"'{value}' in google.groups",))
    else:
        return Alternative(undecided=(f"member {member.value}",))
    claim = mapped_claim(mapping, attribute)
    if claim is None:
        expression = mapping.get(attribute, "not mapped")
        return Alternative(undecided=(f"{attribute} == '{wanted}' ({attribute} = {expression})",))
    return Alternative(tests=(ClaimTest(claim=claim, match=Match.EQUALS, values=(wanted,)),))


def gke_alternative(kind: str, value: str, member: Member) -> Alternative:
    """A GKE member: ``subject/ns/NS/sa/KSA`` is the Kubernetes service account's token
    (``sub`` ``system:serviceaccount:NS:KSA``), ``namespace/NS`` any of the namespace's
    ("Authenticate to Google Cloud APIs from GKE workloads", cloud.google.com/kubernetes-engine/
    docs/how-to/workload-identity: the principal identifiers of the ``PROJECT_ID.svc.id.goog``
    pool)."""
    parts = value.split("/")
    if kind == "subject" and len(parts) == 4 and (parts[0], parts[2]) == ("ns", "sa"):
        wanted = f"system:serviceaccount:{parts[1]}:{parts[3]}"
        return Alternative(tests=(ClaimTest(claim="sub", match=Match.EQUALS, values=(wanted,)),))
    if kind == "namespace" and len(parts) == 1 and parts[0] and "*" not in parts[0]:
        pattern = f"system:serviceaccount:{parts[0]}:*"
        return Alternative(tests=(ClaimTest(claim="sub", match=Match.LIKE, values=(pattern,)),))
    return Alternative(undecided=(f"member {member.value}",))


def gke_member(member: Member) -> Member:
    """The legacy ``serviceAccount:PROJECT_ID.svc.id.goog[NS/KSA]`` member as the principal
    identifier it stands for."""
    if member.kind is not MemberKind.SERVICE_ACCOUNT or ".svc.id.goog[" not in member.value:
        return member
    pool, _, rest = member.value.partition("[")
    namespace, _, account = rest.rstrip("]").partition("/")
    project = pool.removesuffix(".svc.id.goog")
    uri = (f"principal://iam.googleapis.com/projects/{project}/locations/global/"
           f"workloadIdentityPools/{pool}/subject/ns/{namespace}/sa/{account}")  # fmt: skip
    return Member(kind=MemberKind.PRINCIPAL, value=uri)


def gke_provider(pool: str) -> PoolProvider:
    """GKE's pool of a project: every cluster of the project (and of its fleet) issues its
    tokens; there is no provider resource, no condition and no registration."""
    project = pool.split("/")[1]
    return PoolProvider(
        id=pool, project=project, issuer=f"https://container.googleapis.com/v1/projects/{project}",
        platform=Platform.KUBERNETES, audiences=None, mapping={}, condition=None, disabled=False,
        managed=True,
    )  # fmt: skip


def admissions(member: Member, binding: Binding, provider: PoolProvider) -> list[Admission]:
    """One admission per alternative of the provider's condition, each with the member's test
    (a binding's own IAM condition is kept undecided: it is on the request, not the token)."""
    own = member_alternative(member, provider.mapping, managed=provider.managed)
    extra = (f"binding condition: {binding.condition}",) if binding.condition else ()
    return [
        Admission(
            tests=own.tests + alternative.tests,
            undecided=own.undecided + alternative.undecided + extra,
            statement=binding.ref,
        )
        for alternative in read_condition(provider.condition, provider.mapping)
    ]


@dataclass(slots=True)
class _Trust:
    target: str
    account: str
    provider: PoolProvider | None
    pool: str
    source: str
    via: str
    admissions: list[Admission]


class GcpFederation:
    """The federated trusts and registrations of one GCP estate."""

    def __init__(self, estate: Estate, roles: RoleBook, hierarchy: Hierarchy,
                 index: PolicyIndex) -> None:  # fmt: skip
        self._estate = estate
        self._roles = roles
        self._hierarchy = hierarchy
        self._index = index
        self.pools = Pools(estate, hierarchy)

    def registrations(self) -> Iterator[Registration]:
        return self.pools.registrations()

    def trusts(self) -> Iterator[FederatedTrust]:
        found: dict[tuple[str, str, str], _Trust] = {}
        for identity in sorted(self._estate.identities.values(), key=lambda i: i.id):
            if identity.provider is not GCP or identity.kind is not IdentityKind.SERVICE_ACCOUNT:
                continue
            for binding in self._index.bindings(self._hierarchy.chain(identity.id)):
                via = self._impersonates(binding.role)
                if via is not None:
                    self._add(found, binding, identity.id, identity.account, via)
        for node, bindings in self._index.allow.items():
            for binding in bindings:
                if self._direct(node, binding.role):
                    for member in self._members(binding):
                        self._add(found, binding, member.value, None, DIRECT, only=member)
        for key in sorted(found):
            yield _made(found[key])

    def _direct(self, node: str, role: str) -> bool:
        """Whether the role grants its members something of their own: more than acting as
        service accounts (a role nhiscan does not know counts). On one service account, a role
        that impersonates it is the impersonation trust only, whatever else it holds."""
        permissions = self._roles.permissions(role)
        if permissions is None:
            return True
        if sa_email(node) is not None and self._impersonates(role) is not None:
            return False
        return any(not p.startswith(ACTING_PREFIX) and p not in ACTING_EXTRA for p in permissions)

    def _impersonates(self, role: str) -> str | None:
        permissions = self._roles.permissions(role) or frozenset()
        held = [p for p in TOKEN_PERMISSIONS if p in permissions]
        return held[0] if held else None

    def _members(self, binding: Binding) -> Iterable[Member]:
        found = (gke_member(m) for m in binding.members if not m.deleted)
        return (m for m in found if m.workload
                and m.kind in (MemberKind.PRINCIPAL, MemberKind.PRINCIPAL_SET))  # fmt: skip

    def _add(
        self, found: dict[tuple[str, str, str], _Trust], binding: Binding, target: str,
        account: str | None, via: str, *, only: Member | None = None,
    ) -> None:  # fmt: skip
        for member in [only] if only is not None else self._members(binding):
            pool = self.pools.key(member.value)
            project = pool.split("/")[1]
            providers: list[PoolProvider | None] = [
                p for p in self.pools.providers.get(pool, []) if not p.disabled
            ]
            if pool.endswith(".svc.id.goog"):
                providers = [gke_provider(pool)]
            elif pool not in self.pools.collected:
                providers = [None]
            for provider in providers:
                key = (target, provider.id if provider else pool, binding.ref.policy_id)
                trust = found.setdefault(key, _Trust(
                    target=target, account=account or project, provider=provider, pool=pool,
                    source=binding.ref.policy_id, via=via, admissions=[],
                ))  # fmt: skip
                if provider is None:
                    trust.admissions.append(Admission(
                        undecided=(f"{member.value}: the providers of pool {pool} were not "
                                   f"collected",), statement=binding.ref,
                    ))  # fmt: skip
                else:
                    trust.admissions.extend(admissions(member, binding, provider))


def _made(trust: _Trust) -> FederatedTrust:
    provider = trust.provider
    return FederatedTrust(
        provider=GCP, target=trust.target, account=trust.account,
        issuer=provider.issuer if provider else f"{IAM_HOST}{trust.pool}",
        platform=provider.platform if provider else Platform.OIDC,
        admissions=tuple(dict.fromkeys(trust.admissions)), source=trust.source,
        registration=provider.id if provider and not provider.managed else None,
        audiences=provider.audiences if provider else None, via=trust.via,
    )  # fmt: skip
