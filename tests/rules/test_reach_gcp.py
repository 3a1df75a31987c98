"""NHI100 on GCP: a service account with roles/owner on a project, with setIamPolicy on a
folder, and one reaching a project's owner through impersonation. Titles name the scope in
GCP's words (project, folder, never "account" for a project), the remediation is GCP's, and
only the customer's own keys make it critical."""

from __future__ import annotations

from typing import Any

from nhiscan.providers.gcp.facts import FACTS
from nhiscan.rules.reach import AdminEquivalentNhi
from nhiscan.scanner.model import CredentialKind, Finding, Severity
from tests import factories as f
from tests.providers.gcp import factories as g

RULE = AdminEquivalentNhi()
AWS_WORDS = ("access key", "IAM write", "CloudTrail", "Access Analyzer", "trust policy", "ARN",
             "assume")  # fmt: skip


def run(*records: Any) -> dict[str, Finding]:
    e = g.estate(*records)
    return {x.subject: x for x in RULE.evaluate(e, f.context(graph_of=e))}


def _owner(who: Any) -> Any:
    return g.allow(g.PROJECT, g.binding("roles/owner", f"serviceAccount:{who.id}"))


def _gcp_words(finding: Finding) -> None:
    text = f"{finding.title} {finding.remediation}"
    assert not [w for w in AWS_WORDS if w in text], text
    assert "account" not in finding.title.replace("Service account", "").replace(
        "service account", ""
    )
    assert finding.remediation == FACTS.remediations["NHI100"]


def test_owner_of_a_project_is_its_administrator() -> None:
    bot = g.sa("deployer")
    key = g.key(bot, "a" * 40, created=f.days_ago(3))
    records = [g.project(), bot, key, _owner(bot)]
    finding = run(*records)[bot.id]
    assert finding.title == (
        "Service account deployer is an administrator of project acme-prod (in folders/82001)."
    )
    assert finding.evidence["direct"] is True
    assert finding.evidence["admin_account"] == g.PROJECT
    assert finding.evidence["active_keys"] == ["a" * 40]
    assert finding.severity is Severity.CRITICAL
    assert [(h["to"], h["edge"]) for h in finding.path] == [(f"admin:{g.PROJECT}", "is_admin")]
    _gcp_words(finding)


def test_google_managed_keys_do_not_make_it_critical() -> None:
    bot = g.sa("deployer")
    google = g.key(bot, "c" * 40, created=f.days_ago(3), kind=CredentialKind.SA_SYSTEM_KEY)
    records = [g.project(), bot, google, _owner(bot)]
    finding = run(*records)[bot.id]
    assert finding.evidence["active_keys"] == []
    assert finding.severity is Severity.HIGH


def test_set_iam_policy_on_a_folder_is_admin_of_the_folder() -> None:
    bot = g.sa("setter")
    role = f"{g.ORG}/roles/folder-iam"
    records = [g.project(), g.folder(), bot,
               g.custom_role(role, "resourcemanager.folders.setIamPolicy"),
               g.allow(g.FOLDER, g.binding(role, f"serviceAccount:{bot.id}"))]  # fmt: skip
    finding = run(*records)[bot.id]
    assert finding.title == (
        "Service account setter is an administrator of folder folders/82001 (in "
        "organizations/93422)."
    )
    assert finding.evidence["admin_account"] == g.FOLDER
    _gcp_words(finding)


def test_an_impersonation_chain_to_a_project_owner() -> None:
    first, second = g.sa("sa1"), g.sa("sa2")
    creator = g.binding("roles/iam.serviceAccountTokenCreator", f"serviceAccount:{first.id}")
    records = [
        g.project(),
        first,
        second,
        g.allow(g.sa_name(second), creator),
        g.allow(g.PROJECT, g.binding("roles/owner", f"serviceAccount:{second.id}")),
    ]
    found = run(*records)
    finding = found[first.id]
    assert finding.title == (
        "Service account sa1 can become administrator of project acme-prod (in folders/82001) "
        "in 2 hops, through service account sa2."
    )
    assert finding.evidence["via"] == [second.id]
    assert finding.evidence["methods"] == ["getAccessToken"]
    assert [(h["from"], h["to"], h["edge"]) for h in finding.path] == [
        (first.id, second.id, "can_assume"),
        (second.id, f"admin:{g.PROJECT}", "is_admin"),
    ]
    _gcp_words(finding)
    assert found[second.id].evidence["direct"] is True
