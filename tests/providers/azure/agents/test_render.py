"""The least privilege an Azure identity is proposed: custom role definitions in the shape
``az role definition create`` reads, role assignments at the narrowest scopes with the blob
prefix condition, Cosmos DB's own roles, the ``az`` commands, placeholders, and the trust."""

from __future__ import annotations

import shlex
from typing import Any

from nhiscan.providers.azure.agents import VOCABULARY
from nhiscan.providers.azure.agents.render import least_privilege
from nhiscan.providers.azure.agents.verbs import BLOBS, SEND
from nhiscan.providers.azure.conditions import decide
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.agents.plan import least_privilege as plan_documents
from nhiscan.scanner.model import Provider
from tests.providers.azure.agents.helpers import PRINCIPAL, SUBSCRIPTION, plan, vocabularies

RG = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/docs"
CONTAINER = (
    f"{RG}/providers/Microsoft.Storage/storageAccounts/acmedocs/blobServices/default/containers/"
)
FILE = f"""\
defaults:
  azure: {{subscription: {SUBSCRIPTION}, resource_group: docs}}
  aws: {{account: "123456789012"}}
agents:
  - name: reviewer
    owner: t
    identities: [{PRINCIPAL}, arn:aws:iam::123456789012:role/reviewer]
    steps:
      - read: blob://acmedocs/drafts/2026/
      - list: blob://acmedocs/drafts/2026/
      - write: blob://acmedocs/out
      - read: blob://acmedocs/archive/2025/
      - get-secret: keyvault://acme-kv/secrets/bureau-api
      - publish: servicebus://acme-bus/queues/intake
      - read: cosmos://acme-db/databases/Lending/containers/Draws
      - write: s3://out/*
"""
KEYS = {"Name", "IsCustom", "Description", "Actions", "NotActions", "DataActions",
        "NotDataActions", "AssignableScopes"}  # fmt: skip


def _document() -> dict[str, Any]:
    document = plan_documents(plan(FILE), vocabularies())[PRINCIPAL]
    assert isinstance(document, dict)
    return document


def _roles(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["definition"]["Name"]: r["definition"] for r in document["roles"]}


def test_each_identity_gets_its_own_cloud_s_document() -> None:
    documents = plan_documents(plan(FILE), vocabularies())
    aws = documents["arn:aws:iam::123456789012:role/reviewer"]
    assert [s["Action"] for s in aws["Statement"]] == ["s3:PutObject"]
    document = documents[PRINCIPAL]
    assert document["principal"] == PRINCIPAL and document["subscription"] == SUBSCRIPTION


def test_custom_roles_are_in_the_shape_az_reads_and_grant_only_data_actions_needed() -> None:
    roles = _roles(_document())
    for role in roles.values():
        assert set(role) == KEYS and role["IsCustom"] is True
        assert role["Actions"] == [] and role["NotActions"] == role["NotDataActions"] == []
        assert role["AssignableScopes"] == [RG]  # a custom role cannot name a resource
    granted = {a for role in roles.values() for a in role["DataActions"]}
    assert granted == {f"{BLOBS}/read", f"{BLOBS}/write", SEND,
                       "Microsoft.KeyVault/vaults/secrets/getSecret/action"}  # fmt: skip
    assert not any("DocumentDB" in a for a in granted)  # Cosmos DB's are its own roles


def test_assignments_go_on_the_narrowest_scopes_with_the_prefix_condition() -> None:
    document = _document()
    roles = _roles(document)
    on = {a["scope"]: (roles[a["role"]]["DataActions"], a.get("condition"))
          for a in document["assignments"]}  # fmt: skip
    assert set(on) == {
        f"{CONTAINER}drafts", f"{CONTAINER}out", f"{CONTAINER}archive",
        f"{RG}/providers/Microsoft.KeyVault/vaults/acme-kv/secrets/bureau-api",
        f"{RG}/providers/Microsoft.ServiceBus/namespaces/acme-bus/queues/intake",
    }  # fmt: skip
    actions, condition = on[f"{CONTAINER}drafts"]
    assert f"{BLOBS}/read" in actions and f"{BLOBS}/write" not in actions
    path = f"@Resource[{BLOBS}:path] StringStartsWith '2026/'"
    prefix = f"@Request[{BLOBS}:prefix] StringStartsWith '2026/'"
    assert (
        path in condition
        and prefix in condition
        and "SubOperationMatches{'Blob.List'}" in condition
    )
    assert on[f"{CONTAINER}out"][1] is None  # the whole container: no condition
    assert "'2025/'" in on[f"{CONTAINER}archive"][1]
    # a role is shared only where it grants nothing more: the secret and the queue may share
    # one (getSecret acts on nothing at a queue), the containers' differ (read vs write)
    assert on[f"{CONTAINER}drafts"][0] != on[f"{CONTAINER}out"][0]
    assert all(a["conditionVersion"] == "2.0" for a in document["assignments"] if "condition" in a)


def test_the_write_condition_means_what_it_says_to_the_evaluator() -> None:
    need = Need(provider=Provider.AZURE, action=f"{BLOBS}/write",
                resource=f"/subscriptions/{SUBSCRIPTION}/resourcegroups/docs/providers/microsoft."
                "storage/storageaccounts/acmedocs/blobservices/default/containers/out/blobs/"
                "reports/*", steps=(1,))  # fmt: skip
    document = least_privilege([need], SUBSCRIPTION, PRINCIPAL)
    assert document is not None
    (assignment,) = document["assignments"]
    condition = assignment["condition"]

    def on(path: str, action: str = f"{BLOBS}/write") -> bool | None:
        context = {f"@Resource[{BLOBS}:path]": path}
        return decide(condition, action, version="2.0", context=context)

    assert on("reports/q1.pdf") is True
    assert on("secrets/q1.pdf") is False
    assert on("anything", action=f"{BLOBS}/delete") is True  # not the role's: untouched


def test_the_commands_create_the_roles_then_assign_them() -> None:
    document = _document()
    commands = [shlex.split(c) for c in document["commands"]]
    creates = [c for c in commands if c[:4] == ["az", "role", "definition", "create"]]
    assert len(creates) == len(document["roles"]) and commands[: len(creates)] == creates
    assert [c[5] for c in creates] == [f"@{r['file']}" for r in document["roles"]]
    assigns = [c for c in commands if c[:4] == ["az", "role", "assignment", "create"]]
    assert len(assigns) == len(document["assignments"])
    for words, assignment in zip(assigns, document["assignments"], strict=True):
        flags = dict(zip(words[4::2], words[5::2], strict=True))
        assert flags["--assignee-object-id"] == PRINCIPAL
        assert flags["--assignee-principal-type"] == "ServicePrincipal"
        assert (flags["--role"], flags["--scope"]) == (assignment["role"], assignment["scope"])
        assert flags.get("--condition") == assignment.get("condition")
        assert flags.get("--condition-version") == assignment.get("conditionVersion")


def test_cosmos_db_gets_its_own_role_and_assignment() -> None:
    document = _document()
    (role,) = document["cosmos"]["roles"]
    assert role["body"]["Type"] == "CustomRole"
    assert role["body"]["AssignableScopes"] == ["/dbs/Lending/colls/Draws"]
    assert role["body"]["Permissions"] == [{"DataActions": [
        "Microsoft.DocumentDB/databaseAccounts/readMetadata",
        "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/executeQuery",
        "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/read"]}]  # fmt: skip
    commands = [shlex.split(c) for c in document["commands"] if "cosmosdb" in c]
    assert commands[0][:6] == ["az", "cosmosdb", "sql", "role", "definition", "create"]
    words = commands[1]
    flags = dict(zip(words[6::2], words[7::2], strict=True))
    assert flags == {
        "--account-name": "acme-db",
        "--resource-group": "docs",
        "--role-definition-name": role["body"]["RoleName"],
        "--scope": "/dbs/Lending/colls/Draws",
        "--principal-id": PRINCIPAL,
    }


def test_without_the_identity_or_the_scope_the_document_says_what_to_fill_in() -> None:
    need = Need(provider=Provider.AZURE, action=SEND, steps=(1,), account_implicit=True,
                resource="/subscriptions/*/resourcegroups/*/providers/microsoft.servicebus/"
                "namespaces/acme-bus/queues/intake")  # fmt: skip
    document = VOCABULARY.render_least_privilege([need], "*")
    assert document is not None
    (assignment,) = document["assignments"]
    assert assignment["principalId"] == "PRINCIPAL_OBJECT_ID"
    assert assignment["scope"] == (
        "/subscriptions/SUBSCRIPTION_ID/resourceGroups/RESOURCE_GROUP/providers/"
        "Microsoft.ServiceBus/namespaces/acme-bus/queues/intake"
    )
    notes = " ".join(document["notes"])
    assert (
        "SUBSCRIPTION_ID:" in notes
        and "RESOURCE_GROUP:" in notes
        and "PRINCIPAL_OBJECT_ID:" in notes
    )
    bound = VOCABULARY.render_least_privilege([need], SUBSCRIPTION, PRINCIPAL)
    assert bound is not None
    assert bound["assignments"][0]["scope"].startswith(
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/RESOURCE_GROUP/"
    )


def test_nothing_to_grant_is_none_and_other_clouds_needs_are_ignored() -> None:
    aws = Need(provider=Provider.AWS, action="s3:GetObject", resource="arn:aws:s3:::b/*", steps=())
    assert least_privilege([aws], SUBSCRIPTION, PRINCIPAL) is None
    assert least_privilege([], SUBSCRIPTION, PRINCIPAL) is None


def test_the_trust_is_a_federated_credential_per_caller_or_nothing() -> None:
    assert VOCABULARY.render_trust([], ["Microsoft.Web/sites"]) is None
    caller = "9F3B2C1D-0000-4000-8000-00000000ABCD"
    trust = VOCABULARY.render_trust([caller], [])
    assert trust is not None
    (credential,) = trust["federatedCredentials"]
    assert credential["subject"] == caller.lower()
    assert credential["audiences"] == ["api://AzureADTokenExchange"]
    assert credential["issuer"] == "https://login.microsoftonline.com/TENANT_ID/v2.0"
    (command,) = trust["commands"]
    assert shlex.split(command)[:5] == ["az", "ad", "app", "federated-credential", "create"]
    assert VOCABULARY.compute_services() == {}
