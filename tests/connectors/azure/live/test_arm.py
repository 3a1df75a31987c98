"""The ARM half of the live Azure connector: the real azure-mgmt clients over requests,
answered by ``responses`` in ARM's documented JSON (``conftest.FakeArm``), a static token, and
the waits recorded, never slept: paging through ``nextLink``, a refused subscription, 429 with
``Retry-After`` then an answer, 429 past the retries, the compute's identities."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from nhiscan.connectors.azure import arm_calls as op
from nhiscan.connectors.azure.live import AzureConfig
from nhiscan.scanner.federation import Match, Platform
from nhiscan.scanner.federation_judge import judge
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    GapReason,
    Identity,
    Policy,
    PolicyKind,
    Record,
    Resource,
)
from tests.factories import estate, providers

from ..export import DEV, PROD, ROOT_MG, SP_UAMI, SP_VM, TENANT
from .conftest import ARM_HOST, FakeArm, FakeGraph, arm_body, collect

AUTH = "/providers/microsoft.authorization"
PROD_ASSIGNMENTS = f"/subscriptions/{PROD}{AUTH}/roleassignments"
DEV_ASSIGNMENTS = f"/subscriptions/{DEV}{AUTH}/roleassignments"
VMS = f"/subscriptions/{PROD}/providers/microsoft.compute/virtualmachines"
VM = f"{VMS}/vm-batch".replace(
    "/providers/microsoft.compute", "/resourcegroups/rg-batch/providers/microsoft.compute"
)
WEB = f"/subscriptions/{PROD}/resourcegroups/rg-payments/providers/microsoft.web/sites/payments-web"
THROTTLED = arm_body("error-throttled.json")


def gaps(records: list[Record]) -> list[CollectionGap]:
    return [r for r in records if isinstance(r, CollectionGap)]


def assignments(records: list[Record]) -> dict[str, Policy]:
    return {
        r.id: r
        for r in records
        if isinstance(r, Policy) and r.kind is PolicyKind.AZURE_ROLE_ASSIGNMENT
    }


def requested(arm: FakeArm, path: str) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlsplit(str(r.url)).query)
        for r in arm.requests
        if urlsplit(str(r.url)).path.lower() == path
    ]


def test_lists_are_read_page_after_page(graph: FakeGraph, arm: FakeArm) -> None:
    records, slept = collect()
    assert (
        slept == []
        and gaps(records)
        and all(g.operation == op.ROLE_DEFINITIONS for g in gaps(records))
    )  # only the custom role no list holds
    pages = requested(arm, PROD_ASSIGNMENTS)
    assert [q.get("$skiptoken") for q in pages] == [None, ["2"], ["4"]]  # six, by two
    assert all(q["api-version"] == ["2022-04-01"] for q in pages)  # the SDK's, once each
    found = assignments(records)
    assert sum(1 for a in found.values() if a.account == PROD) == 4  # + 2 at groups, + 1 on DEV
    at_root = [a for a in found.values() if a.attached_to == (ROOT_MG,)]
    assert len(at_root) == 1  # listed by both subscriptions and the groups: recorded once
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in arm.requests)


def test_a_refused_subscription_is_a_gap_and_the_others_are_collected(
    graph: FakeGraph, arm: FakeArm
) -> None:
    arm.fail(DEV_ASSIGNMENTS, 403, "error-denied.json")
    records, _ = collect()
    refused = [g for g in gaps(records) if g.reason is GapReason.ACCESS_DENIED]
    assert len(refused) == 1
    gap = refused[0]
    assert (gap.scope, gap.operation) == (DEV, op.ROLE_ASSIGNMENTS)
    assert f"tenant {TENANT}, subscription {DEV}" in gap.detail
    assert "needs the ARM action Microsoft.Authorization/roleAssignments/read" in gap.detail
    assert "403 AuthorizationFailed" in gap.detail
    found = assignments(records)
    assert not any(a.account == DEV for a in found.values())  # not read as "none": a gap
    assert sum(1 for a in found.values() if a.account == PROD) == 4
    assert any(isinstance(r, Account) and r.id == DEV for r in records)  # still listed
    # the rest of the refused subscription is still collected
    assert any(str(r.url).lower().startswith(f"{ARM_HOST}/subscriptions/{DEV}/providers/"
               "microsoft.compute") for r in arm.requests)  # fmt: skip


def test_429_waits_retry_after_then_resumes_at_the_page_it_was_on(
    graph: FakeGraph, arm: FakeArm
) -> None:
    arm.queue(f"{PROD_ASSIGNMENTS}?$skiptoken=2", 429, THROTTLED, **{"Retry-After": "7"})
    records, slept = collect()
    assert slept == [7.0]
    pages = [q.get("$skiptoken") for q in requested(arm, PROD_ASSIGNMENTS)]
    assert pages == [None, ["2"], ["2"], ["4"]]  # page one is not read again
    assert not [g for g in gaps(records) if g.reason is GapReason.THROTTLED]
    assert sum(1 for a in assignments(records).values() if a.account == PROD) == 4


def test_429_past_the_retries_is_a_throttled_gap(graph: FakeGraph, arm: FakeArm) -> None:
    headers = {"Retry-After": "3", "x-ms-ratelimit-remaining-subscription-reads": "0"}
    arm.fail(VMS, 429, "error-throttled.json", **headers)
    records, slept = collect(config=AzureConfig(tenant=TENANT, retries=2, retry_delay=0.0))
    assert slept == [3.0, 3.0]
    assert len(requested(arm, VMS)) == 3
    (gap,) = [g for g in gaps(records) if g.reason is GapReason.THROTTLED]
    assert (gap.scope, gap.operation) == (PROD, op.VMS)
    assert "429 TooManyRequests" in gap.detail
    assert "x-ms-ratelimit-remaining-subscription-reads: 0" in gap.detail
    vm = next(r for r in records if isinstance(r, Resource) and r.id == VM)
    assert vm.also_runs_as == ()  # its system-assigned identity still names it (Graph)
    assert any(isinstance(r, Resource) and r.id == WEB for r in records)  # other lists read


def test_a_vm_runs_as_its_system_and_user_assigned_identities(
    graph: FakeGraph, arm: FakeArm
) -> None:
    records, _ = collect()
    vm = next(r for r in records if isinstance(r, Resource) and r.id == VM)
    assert (vm.name, vm.kind, vm.account) == ("VM-Batch", "azure-vm", PROD)
    assert (vm.runs_as, vm.also_runs_as) == (SP_VM, (SP_UAMI,))
    web = next(r for r in records if isinstance(r, Resource) and r.id == WEB)
    assert (web.runs_as, web.also_runs_as, web.kind) == (SP_UAMI, (), "azure-web-app")
    assert not any(isinstance(r, Resource) and r.id.endswith("/vm-plain") for r in records)
    assert sum(1 for r in records if isinstance(r, Resource) and r.id == VM) == 1
    uami = next(r for r in records if isinstance(r, Identity) and r.id == SP_UAMI)
    assert uami.trust_policy is not None and uami.trust_policy.endswith("#federated-credentials")
    fic = next(r for r in records if isinstance(r, Policy) and r.id == uami.trust_policy)
    assert fic.document["value"][0]["subject"] == "repo:contoso/payments:environment:prod"
    deny = [
        r for r in records if isinstance(r, Policy) and r.kind is PolicyKind.AZURE_DENY_ASSIGNMENT
    ]
    assert [(d.name, d.attached_to) for d in deny] == [
        ("Deny writes by the blueprint", (f"/subscriptions/{PROD}",))
    ]
    assert deny[0].document["excludePrincipals"][0]["id"] == SP_UAMI


def test_asked_subscriptions_narrow_the_scan(graph: FakeGraph, arm: FakeArm) -> None:
    other = "11111111-2222-4333-8444-555555555555"
    records, _ = collect(config=AzureConfig(tenant=TENANT, subscriptions=(PROD, other)))
    subs = [r.id for r in records if isinstance(r, Account) and r.id != TENANT]
    assert subs == [PROD]
    (gap,) = [g for g in gaps(records) if g.operation == op.SUBSCRIPTIONS]
    assert gap.scope == other and gap.reason is GapReason.ACCESS_DENIED
    assert not any(f"/subscriptions/{DEV}/" in str(r.url).lower() for r in arm.requests)


def test_a_refused_subscription_list_still_collects_the_asked_ones(
    graph: FakeGraph, arm: FakeArm
) -> None:
    arm.fail("/subscriptions", 403, "error-denied.json")
    records, _ = collect(config=AzureConfig(tenant=TENANT, subscriptions=(DEV,)))
    (gap,) = [g for g in gaps(records) if g.operation == op.SUBSCRIPTIONS]
    assert gap.scope == TENANT and gap.reason is GapReason.ACCESS_DENIED
    assert "Microsoft.Resources/subscriptions/read" in gap.detail
    assert any(a.account == DEV for a in assignments(records).values())


def test_a_next_link_to_another_host_is_not_followed(graph: FakeGraph, arm: FakeArm) -> None:
    page = {"value": [], "nextLink": "https://evil.example/subscriptions?$skiptoken=2"}
    arm.queue(VMS, 200, page)
    records, _ = collect()
    (gap,) = [g for g in gaps(records) if g.operation == op.VMS]
    assert gap.reason is GapReason.FAILED and "evil.example" in gap.detail
    assert "not followed" in gap.detail
    assert not any("evil.example" in str(r.url) for r in arm.requests)


@pytest.mark.parametrize(
    ("body", "said"),
    [({"items": []}, "$.value: expected an ARM list"), ("a string", "")],
)
def test_a_page_not_in_arm_shape_is_a_failed_gap(
    graph: FakeGraph, arm: FakeArm, body: object, said: str
) -> None:
    arm.queue(f"/subscriptions/{PROD}{AUTH}/denyassignments", 200, body)
    records, _ = collect()
    (gap,) = [g for g in gaps(records) if g.operation == op.DENY_ASSIGNMENTS]
    assert gap.reason is GapReason.FAILED and gap.scope == PROD and said in gap.detail


def test_401_is_access_denied(graph: FakeGraph, arm: FakeArm) -> None:
    arm.fail(
        f"/subscriptions/{PROD}/providers/microsoft.managedidentity/userassignedidentities",
        401, "error-denied.json",
    )  # fmt: skip
    records, _ = collect()
    (gap,) = [g for g in gaps(records) if g.operation == op.IDENTITIES]
    assert gap.reason is GapReason.ACCESS_DENIED and gap.scope == PROD


def test_the_arm_endpoint_override_and_its_token_scope() -> None:
    import re

    import responses
    from azure.mgmt.authorization import AuthorizationManagementClient

    from nhiscan.connectors.azure.clients import (
        ARM_ENDPOINT_ENV,
        TEST_TOKEN_ENV,
        Clients,
        StaticToken,
    )
    from nhiscan.errors import ConnectorError

    env = {ARM_ENDPOINT_ENV: "https://arm.example.test/", TEST_TOKEN_ENV: "t"}
    clients = Clients.from_environment(env)
    assert isinstance(clients.credential, StaticToken)
    assert (clients.arm_endpoint, clients.arm_host) == (
        "https://arm.example.test",
        "arm.example.test",
    )
    with responses.RequestsMock() as mock:
        mock.get(re.compile(r"https://arm\.example\.test/subscriptions/.*"), json={"value": []})
        client = clients.arm(AuthorizationManagementClient, PROD)
        assert list(client.role_assignments.list_for_subscription()) == []
    assert clients.credential.scopes == [("https://arm.example.test/.default",)]
    with pytest.raises(ConnectorError, match=ARM_ENDPOINT_ENV):
        Clients(StaticToken("t"), arm_endpoint="arm.example.test")


def test_the_azure_table_names_subscriptions_and_the_option_wins(tmp_path: Path) -> None:
    from nhiscan.app.config import load_settings
    from nhiscan.connectors.azure.spec import build, check
    from nhiscan.errors import ConfigError

    path = tmp_path / "nhiscan.toml"
    path.write_text(f"[azure]\nsubscriptions = ['{DEV.upper()}']\narm_concurrency = 2\n")
    sections = load_settings(path).sources
    values = {"azure_tenant": TENANT, "azure_subscriptions": ()}
    config = build(values, sections)._config  # type: ignore[attr-defined]
    assert (config.subscriptions, config.arm_concurrency) == ((DEV,), 2)
    values["azure_subscriptions"] = (PROD,)
    assert build(values, sections)._config.subscriptions == (PROD,)  # type: ignore[attr-defined]
    path.write_text("[azure]\nsubscriptions = ['prod']\n")
    with pytest.raises(ConfigError, match=r"\[azure\] subscriptions: 'prod' is not"):
        build({"azure_tenant": None, "azure_subscriptions": ()}, load_settings(path).sources)
    with pytest.raises(ConfigError, match="--azure-subscription: 'x' is not"):
        check({"azure_subscriptions": ("x",)})


def test_one_subscription_at_a_time_gives_the_same_records(graph: FakeGraph, arm: FakeArm) -> None:
    together, _ = collect(config=AzureConfig(tenant=TENANT, arm_concurrency=4, retry_delay=0.0))
    one_by_one, _ = collect(config=AzureConfig(tenant=TENANT, arm_concurrency=1, retry_delay=0.0))
    assert together == one_by_one
    group = next(r for r in together if isinstance(r, Resource) and r.id.endswith("/rg-batch"))
    assert group.name == "RG-Batch"  # named as ARM wrote it


def test_an_answer_the_mapping_cannot_read_is_a_gap_naming_where(
    graph: FakeGraph, arm: FakeArm
) -> None:
    props = {"scope": f"/subscriptions/{PROD}", "roleDefinitionId": "nope"}
    broken = {"id": f"/subscriptions/{PROD}{AUTH}/roleAssignments/x", "properties": props}
    arm.queue(PROD_ASSIGNMENTS, 200, {"value": [broken]})
    records, _ = collect()
    (gap,) = [g for g in gaps(records) if g.operation == "arm:mapping"]
    assert gap.reason is GapReason.FAILED and gap.scope == TENANT
    assert f"GET /subscriptions/{PROD}/providers/Microsoft.Authorization/roleAssignments: " in (
        gap.detail
    )
    assert "$[0].roleDefinitionId: expected a GUID" in gap.detail  # the list's first item
    assert not assignments(records)  # no ARM record is read from a half-understood answer
    assert any(isinstance(r, Identity) for r in records)  # the Graph half stands


def test_a_tenant_without_management_groups(graph: FakeGraph, arm: FakeArm) -> None:
    arm.fixed["/providers/microsoft.management/managementgroups"] = (200, {}, {"value": []})
    records, _ = collect()
    assert [g.operation for g in gaps(records)] == [op.ROLE_DEFINITIONS]  # the unlisted role
    paths = [urlsplit(str(r.url)) for r in arm.requests]
    assert not any(p.path.endswith("/descendants") for p in paths)  # no root to read
    definitions = [p for p in paths if p.path.lower().endswith(f"{AUTH}/roledefinitions")]
    assert {(p.path.lower(), "CustomRole" in p.query) for p in definitions} == {
        (f"/subscriptions/{PROD}{AUTH}/roledefinitions", False),  # built-in ones: the first
        (f"/subscriptions/{PROD}{AUTH}/roledefinitions", True),
        (f"/subscriptions/{DEV}{AUTH}/roledefinitions", True),
    }
    owner = next(a for a in assignments(records).values() if a.document["principalId"] == SP_UAMI)
    assert owner.name == "Owner"  # named from the definitions listed at the subscription


def test_the_live_federated_credentials_are_keyless_trusts(graph: FakeGraph, arm: FakeArm) -> None:
    """Issue #20 end to end over HTTP: the user-assigned identity's federated credential, as
    ARM answers it, becomes a keyless trust into the identity: its issuer, the exact subject
    as a test, the audience; judged as one repository's one environment, no pull requests,
    audience pinned."""
    records, _ = collect()
    found = providers(estate(*records)).federated_trusts()
    (trust,) = [t for t in found if t.target == SP_UAMI]
    assert (trust.issuer, trust.platform) == (
        "https://token.actions.githubusercontent.com",
        Platform.GITHUB_ACTIONS,
    )
    (admission,) = trust.admissions
    (test,) = admission.tested("sub")
    assert (test.match, test.values) == (Match.EQUALS, ("repo:contoso/payments:environment:prod",))
    assert trust.audiences == ("api://AzureADTokenExchange",)
    judged = judge(trust)
    assert (judged.pull_requests, judged.audience_pinned) == (False, True)
    assert judged.repositories == ("contoso/payments",)
