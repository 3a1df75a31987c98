"""The gap functions on hand-built Azure records: the grants of a service principal's role
assignments against its agent's needs (excess, excess scope, missing as Azure RBAC decides
it), the implicit scopes bound, Cosmos DB needs set aside with the reason, and the proposed
least privilege meeting exactly the needs once applied."""

from __future__ import annotations

from typing import Any

from nhiscan.providers.azure.agents import gaps
from nhiscan.providers.azure.agents.render import is_data_action, least_privilege
from nhiscan.providers.azure.agents.verbs import BLOBS, RECEIVE, SEND
from nhiscan.providers.azure.catalog import default_catalog
from nhiscan.providers.azure.rbac import Rbac, evaluate
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.gaps.classify import covers
from nhiscan.scanner.grants import Grant
from nhiscan.scanner.model import IdentityKind, Policy, PolicyKind, Provider
from tests import factories as f
from tests.providers.azure.agents import records as r
from tests.providers.azure.agents.helpers import PRINCIPAL, plan

READ = f"{BLOBS}/read"
NEED = Need(provider=Provider.AZURE, action=READ, resource=f"{r.CONTAINER}/blobs/2026/*",
            steps=(1,))  # fmt: skip
GUID = {name: r.built_in(name)["name"] for name in (
    "Contributor", "Storage Blob Data Reader", "Azure Service Bus Data Sender",
    "Key Vault Secrets User", "Virtual Machine Contributor")}  # fmt: skip


def granted(*policies: Policy, extra: tuple[Any, ...] = ()) -> list[Grant]:
    e = f.estate(r.principal(*policies), *policies, *extra)
    return list(gaps.grants(e, e.identities[PRINCIPAL], default_catalog()))


def decided(need: Need, *policies: Policy) -> Decision:
    """What Azure RBAC answers for the need, from the same records (the provider's question)."""
    rbac = Rbac.from_json(role_definitions=[r.built_in(n) for n in GUID],
                          role_assignments=[p.document for p in policies])  # fmt: skip
    probe = gaps.probe(need.resource)
    return evaluate(rbac, [PRINCIPAL], need.action, probe.resource,
                    data_action=is_data_action(need.action),
                    context=probe.context).decision  # fmt: skip


def test_contributor_on_the_subscription_for_one_container_is_excess_and_the_read_missing() -> None:
    contributor = r.assignment(r.SUB, GUID["Contributor"])
    found = granted(contributor)
    role = default_catalog().role("Contributor")
    assert role is not None
    assert len(found) == len(default_catalog().role_actions(role).control) > 1000
    assert {g.resource for g in found} == {r.SUB}  # broad: on the subscription itself
    assert not any(covers(NEED.resource, g.resource) for g in found)  # every one is excess
    assert READ not in {g.action for g in found}  # Contributor has no data actions
    assert found[0].evidence == {"role": "Contributor", "scope": r.SUB}
    assert decided(NEED, contributor) is Decision.IMPLICIT_DENY  # the need is missing


def test_a_reader_on_the_container_under_a_path_condition_meets_the_need_exactly() -> None:
    condition = (f"((!(ActionMatches{{'{READ}'}})) OR (@Resource[{BLOBS}:path] "
                 "StringStartsWith '2026/'))")  # fmt: skip
    reader = r.assignment(r.CONTAINER, GUID["Storage Blob Data Reader"], condition=condition)
    found = {(g.action, g.resource) for g in granted(reader)}
    assert (READ, f"{r.CONTAINER}/blobs/2026/*") in found
    assert covers(NEED.resource, f"{r.CONTAINER}/blobs/2026/*")  # needed: not excess
    assert ("Microsoft.Storage/storageAccounts/blobServices/containers/read", r.CONTAINER) in found
    assert decided(NEED, reader) is Decision.ALLOW
    other = Need(provider=Provider.AZURE, action=READ, resource=f"{r.CONTAINER}/blobs/2025/*",
                 steps=(1,))  # fmt: skip
    assert decided(other, reader) is Decision.IMPLICIT_DENY  # the condition holds it to 2026/


def test_a_reader_on_the_account_is_excess_scope() -> None:
    reader = r.assignment(r.ACCOUNT, GUID["Storage Blob Data Reader"])
    (grant,) = [g for g in granted(reader) if g.action == READ]
    assert grant.resource == f"{r.ACCOUNT}/blobservices/default/containers/*/blobs/*"
    assert not covers(NEED.resource, grant.resource)  # the needed action, on more than needed
    assert decided(NEED, reader) is Decision.ALLOW


def test_a_role_at_a_resource_grants_only_its_provider_s_operations_there() -> None:
    vm = r.assignment(r.SECRET, GUID["Virtual Machine Contributor"])
    secrets = r.assignment(r.SECRET, GUID["Key Vault Secrets User"])
    found = granted(vm, secrets)
    assert {g.service for g in found} == {"microsoft.keyvault"}  # no Compute on a secret
    assert {g.action for g in found} == {
        "Microsoft.KeyVault/vaults/secrets/getSecret/action",
        "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    }
    assert {g.resource for g in found} == {r.SECRET}


def test_service_bus_s_wildcard_data_actions_are_granted_by_name() -> None:
    sender = r.assignment(r.QUEUE, GUID["Azure Service Bus Data Sender"])
    found = {(g.action, g.resource) for g in granted(sender)}
    assert (SEND, r.QUEUE) in found and (RECEIVE, r.QUEUE) not in found
    send = Need(provider=Provider.AZURE, action=SEND, resource=r.QUEUE, steps=(1,))
    assert decided(send, sender) is Decision.ALLOW


def test_a_custom_role_is_read_from_the_snapshot_and_an_unknown_one_grants_anything() -> None:
    custom = {"name": "5d0e8c36-6a5f-4b4e-9d7e-0c7b1f1e9a01", "roleName": "Reader of drafts",
              "roleType": "CustomRole", "assignableScopes": [r.RG],
              "permissions": [{"actions": [], "notActions": [], "dataActions": [f"{BLOBS}/*"],
                               "notDataActions": [f"{BLOBS}/delete"]}]}  # fmt: skip
    mine = r.assignment(r.CONTAINER, custom["name"])
    found = {g.action for g in granted(mine, extra=(r.definition(custom),))}
    assert READ in found and f"{BLOBS}/write" in found and f"{BLOBS}/delete" not in found
    gone = r.assignment(r.RG, "0f0f0f0f-0000-4000-8000-000000000000")
    (grant,) = granted(gone)
    assert (grant.action, grant.resource, grant.evidence["unknown_role"]) == ("*", r.RG, True)


def test_only_service_principals_and_managed_identities_are_analysed() -> None:
    app = r.principal(kind=IdentityKind.ENTRA_APPLICATION)
    assert gaps.gap_support(r.principal()) is None
    assert gaps.gap_support(r.principal(kind=IdentityKind.MANAGED_IDENTITY)) is None
    reason = gaps.gap_support(app)
    assert reason is not None and "entra-application" in reason


def test_implicit_scopes_are_bound_to_the_assignments_that_can_hold_them() -> None:
    implicit = ("/subscriptions/*/resourcegroups/*/providers/microsoft.servicebus/namespaces/"
                "acme-bus/queues/intake")  # fmt: skip
    assert gaps.bind(implicit, [r.RG]) == r.QUEUE
    on_sub = gaps.bind(implicit, [r.SUB])
    assert on_sub == r.QUEUE.replace("/resourcegroups/docs/", "/resourcegroups/*/")
    assert gaps.bind(implicit, [r.SECRET]) == implicit  # a resource elsewhere cannot hold it
    assert gaps.bind(r.QUEUE, [r.SUB]) == r.QUEUE  # explicit: unchanged
    need = Need(provider=Provider.AZURE, action=SEND, resource=implicit, steps=(1,),
                account_implicit=True)  # fmt: skip
    sender = r.assignment(r.RG, GUID["Azure Service Bus Data Sender"])
    e = f.estate(r.principal(sender), sender)
    (bound,) = gaps.gap_needs(e, e.identities[PRINCIPAL], [need], default_catalog())
    assert (bound.resource, bound.account_implicit) == (r.QUEUE, False)


def test_cosmos_db_needs_are_set_aside_with_the_reason() -> None:
    needs = plan(f"""\
defaults:
  azure: {{subscription: {r.SUB.rsplit("/", 1)[-1]}, resource_group: docs}}
agents:
  - name: reviewer
    owner: t
    identities: [{PRINCIPAL}]
    steps:
      - read: cosmos://acme-db/databases/Lending/containers/Draws
      - read: blob://acmedocs/drafts/2026/
""").needs
    e = f.estate(r.principal())
    bound = gaps.gap_needs(e, e.identities[PRINCIPAL], needs, default_catalog())
    assert len(bound) == 4  # kept: the least privilege grants them
    reasons = {n.action: gaps.unjudged(n) for n in bound}
    assert reasons[READ] is None
    cosmos = [why for action, why in reasons.items() if action != READ]
    assert len(cosmos) == 3 and all(why is not None and "az cosmosdb sql role assignment list"
                                    in why for why in cosmos)  # fmt: skip


def applied(document: dict[str, Any]) -> list[Policy]:
    """The records an estate holds once the proposed custom roles and assignments are applied
    (``az role definition create`` then ``az role assignment create``)."""
    found: list[Policy] = []
    guids: dict[str, str] = {}
    for index, role in enumerate(document["roles"]):
        d = role["definition"]
        guids[d["Name"]] = f"00000000-0000-4000-8000-{index:012d}"
        found.append(r.definition({
            "name": guids[d["Name"]], "roleName": d["Name"], "roleType": "CustomRole",
            "assignableScopes": d["AssignableScopes"],
            "permissions": [{"actions": d["Actions"], "notActions": d["NotActions"],
                             "dataActions": d["DataActions"],
                             "notDataActions": d["NotDataActions"]}]}))  # fmt: skip
    for a in document["assignments"]:
        found.append(r.assignment(a["scope"].lower(), guids[a["role"]],
                                  condition=a.get("condition")))  # fmt: skip
    return found


def test_the_proposed_least_privilege_meets_the_needs_with_nothing_in_excess() -> None:
    needs = [
        n
        for n in plan(f"""\
defaults:
  azure: {{subscription: {r.SUB.rsplit("/", 1)[-1]}, resource_group: docs}}
agents:
  - name: reviewer
    owner: t
    identities: [{PRINCIPAL}]
    steps:
      - read: blob://acmedocs/drafts/2026/
      - write: blob://acmedocs/drafts/out/
      - get-secret: keyvault://acme-kv/secrets/api
      - publish: servicebus://acme-bus/queues/intake
""").needs
    ]
    document = least_privilege(needs, "*", PRINCIPAL)
    assert document is not None
    records = applied(document)
    assignments = [p for p in records if p.kind is PolicyKind.AZURE_ROLE_ASSIGNMENT]
    e = f.estate(r.principal(*assignments), *records)
    found = list(gaps.grants(e, e.identities[PRINCIPAL], default_catalog()))
    needed = {(n.action, n.resource) for n in needs}
    for grant in found:  # each grant is a needed action on (within) a needed resource
        assert any(a == grant.action and covers(res, grant.resource) for a, res in needed), grant
    for action, resource in needed:  # each need is granted
        assert any(g.action == action and covers(resource, g.resource) for g in found), action
