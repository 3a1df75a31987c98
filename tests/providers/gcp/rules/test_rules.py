"""The GCP rules (NHI400-NHI406): each triggers on its hand-built estate and not on the clean
one; service agents and Google-managed keys are never flagged; and all of them through
``nhiscan collect --gcp-assets`` and ``analyze`` on an export."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhiscan.app.config import Settings, settings_from_dict
from nhiscan.app.rules import all_rules
from nhiscan.cli import cli
from nhiscan.providers.gcp.rules.bindings import BROAD_GROUP
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import CredentialKind, Finding, Severity
from tests.factories import context, days_ago, exposure
from tests.providers.gcp import factories as g
from tests.providers.gcp.rules import fixtures as fx

RULES = {rule.meta.id: rule for rule in all_rules()}
EXPORT = Path(__file__).resolve().parents[3] / "data" / "gcp" / "assets" / "rules.ndjson"


def run(rule_id: str, e: Estate) -> list[Finding]:
    return list(RULES[rule_id].evaluate(e, context()))


@pytest.mark.parametrize("rule_id", sorted(fx.GCP_FIXTURES))
def test_each_rule_triggers_on_its_fixture_and_not_on_the_clean_one(rule_id: str) -> None:
    triggering, clean = fx.GCP_FIXTURES[rule_id]
    assert len(run(rule_id, triggering())) == 1
    assert run(rule_id, clean()) == []


def test_exposed_key_is_critical_and_names_account_and_key() -> None:
    [found] = run("NHI400", fx.exposed("compromise-detected"))
    assert found.severity is Severity.CRITICAL
    assert found.subject == "e" * 40
    assert g.email("leaky") in found.title and "e" * 40 in found.title
    assert found.evidence["reason"] == "compromise-detected"


def test_exposed_key_names_the_repository_where_the_same_key_was_found() -> None:
    e = fx.exposed()
    [key] = e.snapshot.credentials
    key = replace(key, fingerprint="fp-e")
    found = replace(exposure(), fingerprint="fp-e", repository="acme/web", path="sa.json")
    other = replace(exposure("ghp_" + "y" * 36), fingerprint="fp-other")
    [finding] = run("NHI400", g.estate(*e.snapshot.identities, key, found, other))
    assert finding.evidence["found_in"] == [f"acme/web:sa.json:{found.line}"]
    assert run("NHI400", e)[0].evidence["found_in"] == []


def test_a_google_managed_key_is_never_flagged() -> None:
    system = CredentialKind.SA_SYSTEM_KEY
    assert run("NHI400", fx.exposed(kind=system)) == []
    owner = g.sa("sys")
    e = g.estate(owner, g.key(owner, created=days_ago(5), kind=system))
    assert run("NHI401", e) == []


def test_never_expiring_key_only_when_enabled() -> None:
    assert run("NHI401", fx.exposed(reason="user")) == []  # disabled, and expiring
    [found] = run("NHI401", fx.never_expiring())
    assert found.title == f"Key {'f' * 40} of {g.email('forever')} never expires."


def test_a_service_agent_s_keys_and_bindings_are_never_flagged() -> None:
    agent = g.sa("agent", id=fx.SERVICE_AGENT)
    e = g.estate(agent, g.key(agent, created=days_ago(5)))
    assert run("NHI401", e) == []
    owner = fx.basic_role("roles/owner", f"serviceAccount:{fx.SERVICE_AGENT}")
    assert run("NHI403", owner) == []


def test_basic_role_on_a_folder_names_the_scope_and_owner() -> None:
    [found] = run("NHI403", fx.basic_role("roles/owner"))
    assert found.title == f"Service account {g.email('deployer')} has Owner on {g.FOLDER}."
    assert found.evidence["scope"] == g.FOLDER
    assert run("NHI403", fx.basic_role(member="user:ana@acme.example")) == []


def test_default_accounts_are_reported_by_their_own_rule_only() -> None:
    for account in (fx.DEFAULT_COMPUTE, fx.APP_ENGINE):
        e = fx.default_editor(account)
        assert run("NHI403", e) == []
        [found] = run("NHI404", e)
        assert found.subject == account
    assert run("NHI404", fx.basic_role()) == []


def test_public_bindings_of_service_account_roles_anywhere_and_any_role_on_an_account() -> None:
    assert run("NHI405", fx.public_sa("allUsers", "roles/viewer"))  # any role on an account
    assert run("NHI405", fx.public_sa("domain:acme.example"))
    project = g.estate(g.allow("acme-open", g.binding("roles/iam.serviceAccountUser", "allUsers")))
    assert run("NHI405", project)
    viewer = g.estate(g.allow("acme-open", g.binding("roles/viewer", "allUsers")))
    assert run("NHI405", viewer) == []


def test_a_broad_group_counts_only_when_configured_never_guessed_from_its_name() -> None:
    staff = fx.public_sa("group:all-staff@acme.example")
    assert run("NHI405", staff) == []  # "all-staff" in a name is not guessed broad
    configured = context(broad_groups=("GROUP:All-Staff@acme.example ",))
    [found] = RULES["NHI405"].evaluate(staff, configured)
    assert found.evidence["who"] == BROAD_GROUP
    assert found.evidence["member"] == "group:all-staff@acme.example"
    assert found.title.endswith("is granted to group:all-staff@acme.example.")
    others = context(broad_groups=("everyone@acme.example",))
    assert list(RULES["NHI405"].evaluate(staff, others)) == []
    project = g.estate(g.allow("acme-open", g.binding("roles/iam.serviceAccountTokenCreator",
                                                      "group:everyone@acme.example")))  # fmt: skip
    assert len(list(RULES["NHI405"].evaluate(project, others))) == 1
    viewer = g.estate(
        g.allow("acme-open", g.binding("roles/viewer", "group:everyone@acme.example"))
    )
    assert list(RULES["NHI405"].evaluate(viewer, others)) == []


def test_broad_groups_are_read_from_nhiscan_toml() -> None:
    settings = settings_from_dict(
        {"lifecycle": {"broad_groups": ["all-staff@acme.example"]}}, source="nhiscan.toml"
    )
    assert settings.lifecycle.broad_groups == ("all-staff@acme.example",)
    assert Settings().lifecycle.broad_groups == ()


def test_fingerprints_are_stable_and_tell_bindings_apart() -> None:
    two = g.estate(g.allow("acme-legacy", g.binding("roles/viewer", fx.GONE),
                           g.binding("roles/browser", fx.GONE)))  # fmt: skip
    prints = [f.fingerprint for f in run("NHI406", two)]
    assert len(set(prints)) == 2
    assert prints == [f.fingerprint for f in run("NHI406", two)]


@pytest.mark.parametrize("reach", [True, False], ids=["reach", "no-reach"])
def test_through_collect_and_analyze_of_an_export(tmp_path: Path, reach: bool) -> None:
    """With the reach graph too: the export's key-creation escalation is GCP's, and the AWS
    escalation rules leave it alone (they used to crash looking it up in their table)."""
    snap, out = tmp_path / "snap.json", tmp_path / "report.json"
    runner = CliRunner()
    collected = runner.invoke(cli, ["collect", "--gcp-assets", str(EXPORT), "-o", str(snap)])
    assert collected.exit_code == 0, collected.output
    analyzed = runner.invoke(cli, ["analyze", str(snap), "--no-agents",
                                   *([] if reach else ["--no-reach"]),
                                   "--format", "json", "-o", str(out)])  # fmt: skip
    assert analyzed.exit_code in (0, 1), analyzed.output
    findings = json.loads(out.read_text())["findings"]
    by_rule: dict[str, list[str]] = {}
    for found in findings:
        by_rule.setdefault(found["rule_id"], []).append(found["subject"])
    builder = "builder@acme-rules.iam.gserviceaccount.com"
    assert by_rule["NHI400"] == ["5" * 40]
    assert by_rule["NHI401"] == ["1" * 40]  # not the system key, not the expiring one
    assert by_rule["NHI402"] == ["4" * 40]
    assert by_rule["NHI403"] == [builder]  # not the service agent, not the default account
    assert by_rule["NHI404"] == ["511224356-compute@developer.gserviceaccount.com"]
    assert len(by_rule["NHI405"]) == 1 and builder in by_rule["NHI405"][0]
    assert by_rule["NHI406"] == ["//cloudresourcemanager.googleapis.com/projects/acme-rules"]
