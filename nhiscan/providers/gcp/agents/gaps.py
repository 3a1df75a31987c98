"""What a GCP service account is granted, and what its agent needs of it, for the gap analysis
(``ProviderAnalysis.grants`` and ``gap_needs``).

Granted: for each allow binding naming the account (itself, its domain or its workload pool;
``allUsers``/``allAuthenticatedUsers`` are everyone's and the public-binding rules report them),
the role's permissions as ``Grant``s on the binding's place: a project, folder or organization
(its Resource Manager full name: broad), a service account, or a resource (there, only the
permissions acting on such a resource: a bucket's ``roles/storage.objectViewer`` grants no
``resourcemanager.projects.get``, as IAM ignores it on a bucket). A bucket's binding
grants ``storage.objects.*`` on ``…/objects/*`` and a dataset's ``bigquery.tables.*`` on
``…/tables/*``, the names needs use, so a need is met by the binding that covers it. A role
neither the catalogue nor the snapshot knows is one grant of ``*``, which the evaluator answers
as conditional (it may grant anything): listed, never skipped. A role is
expanded once per binding (``roles/owner`` is 13,568 permissions: one ``Grant`` each, sharing one
evidence record), whichever accounts the binding names. A binding whose condition narrows it
to names (``resource.name.startsWith("projects/_/buckets/B/objects/p/")`` or ``==``, joined by
``&&``) grants on those names only, and only the permissions acting on such a resource. Whether
the evaluator (conditions, deny policies) still allows each is the core's question
(``scanner/gaps/granted.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from nhiscan.providers.gcp.agents.defaults import bind_project
from nhiscan.providers.gcp.agents.targets import LIST_OBJECTS, named
from nhiscan.providers.gcp.authz import GcpAuthorizer
from nhiscan.providers.gcp.catalog import GcpCatalog
from nhiscan.providers.gcp.ids import SA_DOMAIN
from nhiscan.providers.gcp.members import MemberKind
from nhiscan.providers.gcp.policies import Binding, member_match
from nhiscan.providers.gcp.roles import RoleBook
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.grants import Grant
from nhiscan.scanner.model import Identity, IdentityKind, Provider

CRM = "//cloudresourcemanager.googleapis.com/"
GET_ACCESS_TOKEN = "iam.serviceAccounts.getAccessToken"
ANY = "*"  # what a role nhiscan does not know may grant (the evaluator: conditional)
PUBLIC = (MemberKind.ALL_USERS, MemberKind.ALL_AUTHENTICATED)
# A binding on a container grants on its children: (container marker, permission prefix, child).
CHILDREN = (
    ("//storage.googleapis.com/", "storage.objects.", "/objects/*"),
    ("//bigquery.googleapis.com/", "bigquery.tables.", "/tables/*"),
)
UNSUPPORTED = "gap analysis of GCP {kind} identities is not supported yet: service accounts only"


def gap_support(identity: Identity) -> str | None:
    if identity.provider is Provider.GCP and identity.kind is IdentityKind.SERVICE_ACCOUNT:
        return None
    return UNSUPPORTED.format(kind=identity.kind)


def account_name(estate: Estate, email: str) -> str:
    """A service account's full resource name (the form permissions on it are asked about)."""
    identity = estate.identities.get(email)
    project = identity.account if identity is not None else "-"
    return f"//iam.googleapis.com/projects/{project}/serviceAccounts/{email}"


def gap_needs(
    estate: Estate, identity: Identity, needs: Iterable[Need], onward: Sequence[str]
) -> tuple[Need, ...]:
    """``needs``' GCP ones with implicit projects bound to the account's, then a token as each
    account of ``onward`` (a declared chain)."""
    bound = [
        replace(n, resource=bind_project(n, identity.account), account_implicit=False)
        for n in needs
        if n.provider is Provider.GCP
    ]
    bound += [
        Need(provider=Provider.GCP, action=GET_ACCESS_TOKEN, resource=account_name(estate, o),
             steps=())
        for o in onward
    ]  # fmt: skip
    return tuple(bound)


class GcpGrants:
    """The grants of one estate's service accounts, each binding expanded once."""

    def __init__(
        self, estate: Estate, catalog: GcpCatalog, roles: RoleBook, authorizer: GcpAuthorizer
    ) -> None:
        self._estate = estate
        self._catalog = catalog
        self._roles = roles
        self._authorizer = authorizer
        self._expanded: dict[tuple[str, int, str], tuple[Grant, ...]] = {}

    def grants(self, identity: Identity) -> Iterator[Grant]:
        if gap_support(identity) is not None:
            return
        for binding in self._authorizer.index.naming(identity):
            if _names(binding, identity):
                yield from self._of(binding)

    def _of(self, binding: Binding) -> tuple[Grant, ...]:
        key = (binding.ref.policy_id, binding.ref.index, binding.node)
        found = self._expanded.get(key)
        if found is None:
            found = self._expanded[key] = tuple(self._expand(binding))
        return found

    def _expand(self, binding: Binding) -> Iterator[Grant]:
        place = self.place(binding.node)
        evidence: dict[str, Any] = {"role": binding.role, "on": place}
        if binding.condition is not None:
            evidence["condition"] = binding.condition
        permissions = self._roles.permissions(binding.role)
        if permissions is None:  # neither catalogue nor snapshot knows it: it may grant anything
            evidence["unknown_role"] = True
            yield Grant(source=binding.ref, action=ANY, resource=place, service=ANY,
                        access_level=None, evidence=evidence)  # fmt: skip
            return
        narrowed = named(binding.condition)
        where = narrowed or place
        acting = None if where.startswith(CRM) else self._catalog.actions_for_resource(where)
        for permission in sorted(permissions):
            if acting is not None and permission not in acting:
                continue  # it acts on other kinds of resources: it grants nothing there
            if narrowed is not None and permission == LIST_OBJECTS and "/objects/" in narrowed:
                continue  # checked on the bucket, which a condition on objects never names
            info = self._catalog.info(permission)
            yield Grant(
                source=binding.ref,
                action=permission,
                resource=narrowed or _child(place, permission),
                service=permission.split(".", 1)[0].lower(),
                access_level=None if info is None else info.access_level,
                evidence=evidence,
            )

    def place(self, node: str) -> str:
        """A binding's place as a full resource name."""
        if node.startswith(("folders/", "organizations/")):
            return f"{CRM}{node}"
        if node.endswith(SA_DOMAIN) and "@" in node:
            return account_name(self._estate, node)
        if "/" not in node:
            return f"{CRM}projects/{node}"  # a project's scope id is its bare id
        return node


def _names(binding: Binding, identity: Identity) -> bool:
    """Whether a member other than the public ones may be the account."""
    return any(
        m.kind not in PUBLIC and member_match((m,), identity) is not False for m in binding.members
    )


def _child(place: str, permission: str) -> str:
    for marker, prefix, child in CHILDREN:
        if place.startswith(marker) and permission.startswith(prefix):
            inside = child.removesuffix("*") in place  # already an object's or a table's
            return place if inside else place + child
    return place
