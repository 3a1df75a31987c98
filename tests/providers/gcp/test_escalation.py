"""Each escalation method finds its escalation when the principal holds exactly its
permissions, and none when it lacks one; the table's meta-test."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.providers.gcp.analysis import GcpAnalysis
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.providers.gcp.privesc.engine import AGENT_DOMAINS
from nhiscan.providers.gcp.privesc.methods import METHODS, GcpMethod, Target
from nhiscan.scanner.escalation import Family
from nhiscan.scanner.model import Provider, Resource
from tests.providers.gcp import factories as g

ATTACKER, VICTIM = g.sa("attacker"), g.sa("victim")
ROLE = "projects/acme-prod/roles/method"
ORG_ROLE = f"{g.ORG}/roles/method"  # a project's custom role cannot be bound above it
SCOPES = {"organization": g.ORG, "folder": g.FOLDER, "project": g.PROJECT}
# Where a scope method's role is bound: above the scope (a binding on the scope itself makes its
# holder admin of it outright, an is_admin hop, not an escalation); the organization has nothing
# above, so an undecidable condition leaves its admin in doubt.
ABOVE = {"project": g.FOLDER, "folder": g.ORG}
UNDECIDED = "resource.matchTag('acme/env', 'prod')"


def estate_for(method: GcpMethod, permissions: tuple[str, ...]) -> list[Any]:
    records: list[Any] = [g.project(), ATTACKER, VICTIM, g.custom_role(ROLE, *permissions),
                          g.custom_role(ORG_ROLE, *permissions)]  # fmt: skip
    member = f"serviceAccount:{ATTACKER.id}"
    if method.scope_kind in ABOVE:
        records.append(g.allow(ABOVE[method.scope_kind], g.binding(ORG_ROLE, member)))
    elif method.scope_kind is not None:
        records.append(g.allow(g.ORG, g.binding(ORG_ROLE, member, condition=UNDECIDED)))
    else:
        records.append(g.allow(g.PROJECT, g.binding(ROLE, member)))
    if method.target is Target.RUNS_AS:
        rid = f"//{method.kinds[0].value}.googleapis.com/projects/acme-prod/x/target"
        kind = method.kinds[0]
        records.append(
            Resource(
                provider=Provider.GCP,
                id=rid,
                name="target",
                kind=kind,
                account=g.PROJECT,
                runs_as=VICTIM.id,
            )
        )
    if method.target in AGENT_DOMAINS:
        records.append(g.sa("agent", id=f"{g.NUMBER}@{AGENT_DOMAINS[method.target]}"))
    return records


def expected_target(method: GcpMethod) -> str:
    if method.target in (Target.SA, Target.RUNS_AS):
        return VICTIM.id
    if method.target in AGENT_DOMAINS:
        return f"{g.NUMBER}@{AGENT_DOMAINS[method.target]}"
    return "admin"


def found(method: GcpMethod, permissions: tuple[str, ...]) -> list[Any]:
    analysis = GcpAnalysis(g.estate(*estate_for(method, permissions)), default_catalog())
    return [e for e in analysis.escalations([ATTACKER.id]) if e.method == method.name]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_each_method_positive(method: GcpMethod) -> None:
    permissions = tuple(n.permission for n in method.needs)
    escalations = found(method, permissions)
    assert escalations, method.name
    targets = {e.target for e in escalations}
    assert expected_target(method) in targets
    [one] = [e for e in escalations if e.target == expected_target(method)][:1]
    assert one.family is method.family and not one.potential
    assert [s.action for s in one.steps] == list(permissions)
    if method.scope_kind is not None:
        assert {e.scope for e in escalations} == {SCOPES[method.scope_kind]}


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_each_method_negative(method: GcpMethod) -> None:
    permissions = tuple(n.permission for n in method.needs)
    assert found(method, permissions[1:]) == []


@pytest.mark.parametrize("kind", sorted(SCOPES))
def test_no_escalation_to_a_scope_it_administers_outright(kind: str) -> None:
    [method] = [m for m in METHODS if m.scope_kind == kind]
    records = estate_for(method, tuple(n.permission for n in method.needs))[:-1]
    owner = g.allow(SCOPES[kind], g.binding("roles/owner", f"serviceAccount:{ATTACKER.id}"))
    analysis = GcpAnalysis(g.estate(*records, owner), default_catalog())
    assert [e for e in analysis.escalations([ATTACKER.id]) if e.method == method.name] == []


def test_a_scope_under_one_it_administers_is_no_escalation_either() -> None:
    [method] = [m for m in METHODS if m.scope_kind == "project"]
    owner = g.allow(g.ORG, g.binding("roles/owner", f"serviceAccount:{ATTACKER.id}"))
    records = [*estate_for(method, ("resourcemanager.projects.setIamPolicy",)), owner]
    analysis = GcpAnalysis(g.estate(*records), default_catalog())
    assert [e for e in analysis.escalations([ATTACKER.id]) if e.method == method.name] == []


def test_a_build_agent_not_in_the_snapshot_is_a_potential_escalation() -> None:
    [method] = [m for m in METHODS if m.target is Target.BUILD_AGENT]
    records = estate_for(method, ("cloudbuild.builds.create",))[:-1]
    analysis = GcpAnalysis(g.estate(*records), default_catalog())
    [escalation] = [e for e in analysis.escalations([ATTACKER.id]) if e.method == method.name]
    assert escalation.potential and escalation.target == "unknown"
    assert escalation.missing is not None and "cloudbuild" in escalation.missing


def test_a_google_service_agent_is_no_target() -> None:
    """Project-wide key creation reaches the customer's accounts, never Google's agents."""
    [method] = [m for m in METHODS if m.name == "iam.serviceAccountKeys.create"]
    agent = g.sa("agent", id=f"service-{g.NUMBER}@gcp-sa-aiplatform.iam.gserviceaccount.com")
    records = [*estate_for(method, ("iam.serviceAccountKeys.create",)), agent]
    analysis = GcpAnalysis(g.estate(*records), default_catalog())
    targets = {e.target for e in analysis.escalations([ATTACKER.id]) if e.method == method.name}
    assert targets == {VICTIM.id}


def test_the_method_table() -> None:
    catalog = default_catalog()
    names = [m.name for m in METHODS]
    assert len(names) == len(set(names))
    for method in METHODS:
        assert method.family in Family and method.needs and method.description
        for need in method.needs:
            assert catalog.known(need.permission), (method.name, need.permission)
        assert (method.target is Target.RUNS_AS) == bool(method.kinds)
    assert {m.target for m in METHODS} == set(Target)
