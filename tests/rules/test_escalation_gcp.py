"""GCP escalations reported by the neutral escalation rules (NHI101, NHI103-106): the AWS
finding contract (subject, evidence.method, evidence.target, evidence.potential, path with
hops), the method's words from GCP's table, GCP's remediation, and ``evidence.scope`` when an
escalation to admin lands in another scope. Every GCP method is reported by its family's rule."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.providers.gcp.facts import FACTS
from nhiscan.providers.gcp.privesc.methods import METHODS, REFERENCE, GcpMethod, Target
from nhiscan.rules.escalation import (
    CredentialCreationEscalation,
    ExistingComputeEscalation,
    PassRoleComputeEscalation,
    PolicyModificationEscalation,
    TrustModificationEscalation,
)
from nhiscan.rules.escalation_meta import FAMILY_METAS
from nhiscan.scanner.escalation import Family
from nhiscan.scanner.model import (
    CredentialKind,
    Finding,
    Provider,
    Resource,
    ResourceKind,
    Severity,
)
from tests import factories as f
from tests.providers.gcp import factories as g
from tests.providers.gcp.test_escalation import ATTACKER, VICTIM, estate_for, expected_target

POLICY = PolicyModificationEscalation()
KEYS = CredentialCreationEscalation()
TRUST = TrustModificationEscalation()
PASS = PassRoleComputeEscalation()
COMPUTE = ExistingComputeEscalation()
RULES = {rule.family: rule for rule in (POLICY, KEYS, TRUST, PASS, COMPUTE)}
DEV = "acme-dev"
BOT = g.sa("ci")
ROLE = f"{g.ORG}/roles/ci"
CONTRACT = ("principal", "method", "family", "description", "reference", "target",
            "reaches_admin", "potential", "missing", "conditional", "targets", "sample_targets",
            "steps", "exposure")  # fmt: skip


def run(rule: Any, *records: Any) -> list[Finding]:
    e = g.estate(*records)
    return list(rule.evaluate(e, f.context(graph_of=e)))


def holding(
    *permissions: str, on: str = g.PROJECT, extra: tuple[dict[str, Any], ...] = ()
) -> list[Any]:
    """The bot holding a custom role of ``permissions`` bound on ``on`` (with ``extra``
    bindings on the same policy)."""
    binding = g.binding(ROLE, f"serviceAccount:{BOT.id}")
    return [g.custom_role(ROLE, *permissions), g.allow(on, binding, *extra)]


def owner_of_dev(who: Any) -> Any:
    return g.allow(DEV, g.binding("roles/owner", f"serviceAccount:{who.id}"))


def dev() -> Any:
    return g.project(DEV, native_id="522001")


def _assert_contract(finding: Finding, method: str) -> None:
    evidence = finding.evidence
    assert finding.subject == BOT.id and finding.provider is Provider.GCP
    assert set(CONTRACT) <= set(evidence)
    assert evidence["method"] == method
    assert evidence["description"] == FACTS.escalation_methods[method].description
    assert evidence["reference"] == REFERENCE
    assert "permissions_boundary" not in evidence  # AWS's cap: GCP names none
    assert finding.remediation == FACTS.remediations[finding.rule_id]


def test_project_iam_policy_inherited_from_a_folder_is_admin_of_the_project() -> None:
    records = [g.project(), BOT, *holding("resourcemanager.projects.setIamPolicy", on=g.FOLDER)]
    (finding,) = run(POLICY, *records)
    _assert_contract(finding, "resourcemanager.projects.setIamPolicy")
    evidence = finding.evidence
    assert finding.rule_id == "NHI101"
    assert (evidence["target"], evidence["scope"]) == ("admin", g.PROJECT)
    assert evidence["reaches_admin"] is True and evidence["potential"] is False
    assert evidence["steps"][0]["resource"] == g.crm(g.PROJECT)
    assert evidence["steps"][0]["statements"][0]["policy_id"] == f"{g.crm(g.FOLDER)}#iam"
    assert [(h["from"], h["to"], h["edge"], h["method"]) for h in finding.path] == [
        (BOT.id, f"admin:{g.PROJECT}", "escalates_to", "resourcemanager.projects.setIamPolicy")
    ]
    assert finding.severity is Severity.HIGH
    assert finding.title == (
        "Service account ci can escalate to administrator of project acme-prod (in "
        "folders/82001) through resourcemanager.projects.setIamPolicy."
    )
    assert "account" not in finding.title.replace("Service account", "")


def test_one_finding_for_several_projects_names_each_admin_sink() -> None:
    records = [g.project(), dev(), BOT,
               *holding("resourcemanager.projects.setIamPolicy", on=g.FOLDER)]  # fmt: skip
    (finding,) = run(POLICY, *records)
    assert finding.evidence["targets"] == 2
    assert finding.evidence["sample_targets"] == [f"admin:{DEV}", f"admin:{g.PROJECT}"]
    assert finding.evidence["scope"] == DEV
    assert finding.title.endswith("(and 1 other target).")


def test_folder_iam_policy_from_the_organization_names_the_folder() -> None:
    folder = Resource(provider=Provider.GCP, id=g.FOLDER, name="Engineering",
                      kind=ResourceKind.GCP_FOLDER, account=g.ORG)  # fmt: skip
    records = [g.project(), folder, BOT, *holding("resourcemanager.folders.setIamPolicy",
                                                  on=g.ORG)]  # fmt: skip
    found = run(POLICY, *records)
    (finding,) = [x for x in found if x.evidence["method"].startswith("resourcemanager.folders")]
    assert finding.evidence["scope"] == g.FOLDER
    assert finding.path[0]["to"] == f"admin:{g.FOLDER}"
    assert "administrator of folder Engineering (folders/82001, in organizations/93422)" in (
        finding.title
    )


def test_a_scope_it_administers_outright_is_no_escalation() -> None:
    owner = g.binding("roles/owner", f"serviceAccount:{BOT.id}")
    records = [g.project(), BOT, *holding("resourcemanager.projects.setIamPolicy", on=g.FOLDER,
                                          extra=(owner,))]  # fmt: skip
    assert run(POLICY, *records) == []


def test_a_key_for_an_owner_of_another_project_reaches_its_admin() -> None:
    victim = g.sa("boss", DEV)
    key = g.key(BOT, "b" * 40, created=f.days_ago(3))
    google = g.key(BOT, "c" * 40, created=f.days_ago(3), kind=CredentialKind.SA_SYSTEM_KEY)
    records = [g.project(), dev(), BOT, victim, owner_of_dev(victim), key, google,
               *holding("iam.serviceAccountKeys.create", on=g.FOLDER)]  # fmt: skip
    (finding,) = run(KEYS, *records)
    _assert_contract(finding, "iam.serviceAccountKeys.create")
    evidence = finding.evidence
    assert finding.rule_id == "NHI103"
    assert evidence["target"] == victim.id and "scope" not in evidence
    assert evidence["reaches_admin"] is True
    assert evidence["exposure"] == [f"active service account key {'b' * 40}"]  # not Google's
    assert finding.severity is Severity.CRITICAL
    assert [(h["from"], h["to"], h["edge"]) for h in finding.path] == [
        (BOT.id, victim.id, "escalates_to"),
        (victim.id, f"admin:{DEV}", "is_admin"),
    ]
    assert finding.title == (
        "Service account ci can escalate to service account boss, which reaches admin, "
        "through iam.serviceAccountKeys.create."
    )


def test_an_owner_of_its_project_is_still_reported_for_a_key_into_another() -> None:
    victim, local = g.sa("boss", DEV), g.sa("local")
    owner = g.binding("roles/owner", f"serviceAccount:{BOT.id}")
    records = [
        g.project(),
        dev(),
        BOT,
        victim,
        local,
        owner_of_dev(victim),
        *holding("iam.serviceAccountKeys.create", on=g.FOLDER),
        g.allow(g.PROJECT, owner),
    ]
    (finding,) = run(KEYS, *records)
    assert finding.evidence["target"] == victim.id
    assert local.id not in finding.evidence["sample_targets"]  # its own project's: held already


def test_rewriting_a_service_accounts_policy() -> None:
    victim = g.sa("boss", DEV)
    records = [g.project(), dev(), BOT, victim, owner_of_dev(victim),
               *holding("iam.serviceAccounts.setIamPolicy", on=g.FOLDER)]  # fmt: skip
    (finding,) = run(TRUST, *records)
    _assert_contract(finding, "iam.serviceAccounts.setIamPolicy")
    assert (finding.rule_id, finding.evidence["target"]) == ("NHI104", victim.id)
    assert [h["edge"] for h in finding.path] == ["escalates_to", "is_admin"]


def test_deploying_a_cloud_run_service_as_another_account() -> None:
    victim = g.sa("runner")
    records = [g.project(), BOT, victim,
               *holding("iam.serviceAccounts.actAs", "run.services.create")]  # fmt: skip
    (finding,) = run(PASS, *records)
    _assert_contract(finding, "run.services.create+actAs")
    evidence = finding.evidence
    assert (finding.rule_id, evidence["target"]) == ("NHI105", victim.id)
    assert evidence["reaches_admin"] is False and finding.severity is Severity.MEDIUM
    assert [s["action"] for s in evidence["steps"]] == [
        "iam.serviceAccounts.actAs", "run.services.create"
    ]  # fmt: skip
    assert [h["edge"] for h in finding.path] == ["escalates_to"]


def test_ssh_keys_through_an_instances_metadata() -> None:
    victim = g.sa("worker")
    vm = Resource(provider=Provider.GCP, id="//compute.googleapis.com/projects/acme-prod/zones/"
                  "europe-west1-b/instances/vm-1", name="vm-1", kind=ResourceKind.COMPUTE_INSTANCE,
                  account=g.PROJECT, runs_as=victim.id)  # fmt: skip
    records = [g.project(), BOT, victim, vm, *holding("compute.instances.setMetadata")]
    (finding,) = run(COMPUTE, *records)
    _assert_contract(finding, "compute.instances.setMetadata")
    assert (finding.rule_id, finding.evidence["target"]) == ("NHI106", victim.id)
    assert finding.evidence["steps"][0]["resource"] == vm.id


def test_a_build_agent_not_in_the_snapshot_is_potential() -> None:
    records = [g.project(), BOT, *holding("cloudbuild.builds.create")]
    (finding,) = run(PASS, *records)
    evidence = finding.evidence
    assert evidence["potential"] is True and evidence["target"] == "unknown"
    assert finding.path == () and finding.severity is Severity.LOW
    agent = f"{g.NUMBER}@cloudbuild.gserviceaccount.com"
    assert finding.title == (
        f"Service account ci could escalate through cloudbuild.builds.create if service "
        f"account {agent} existed."
    )


def test_service_agents_are_not_reported() -> None:
    agent = g.sa("agent", id=f"service-{g.NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com")
    binding = g.binding(ROLE, f"serviceAccount:{agent.id}")
    records = [g.project(), agent, VICTIM, g.custom_role(ROLE, "iam.serviceAccountKeys.create"),
               g.allow(g.PROJECT, binding)]  # fmt: skip
    assert run(KEYS, *records) == []


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_every_gcp_method_is_reported_by_its_familys_rule(method: GcpMethod) -> None:
    permissions = tuple(n.permission for n in method.needs)
    rule = RULES[method.family]
    findings = [x for x in run(rule, *estate_for(method, permissions))
                if x.evidence["method"] == method.name]  # fmt: skip
    (finding,) = findings
    assert finding.rule_id == FAMILY_METAS[method.family].id
    assert finding.subject == ATTACKER.id
    target = finding.evidence["target"]
    assert target == expected_target(method) or target in finding.evidence["sample_targets"]
    assert ("scope" in finding.evidence) == (method.target is Target.ADMIN)
    assert finding.path and finding.path[0]["edge"] == "escalates_to"
    assert not run(rule, *estate_for(method, permissions[1:]))


def test_the_gcp_table_is_what_the_rules_read() -> None:
    assert list(FACTS.escalation_methods) == [m.name for m in METHODS]
    assert {m.family for m in METHODS} <= set(RULES)
    assert Family.GROUP_MEMBERSHIP not in {m.family for m in METHODS}  # no groups in GCP IAM
