"""The demo's GitHub Actions roles (issue #20): collected, read into trusts, one of them admin."""

from __future__ import annotations

import json
from pathlib import Path

from nhiscan.app.estates import estate_of
from nhiscan.app.snapshots import load
from nhiscan.connectors.demo.estate import GITHUB_PROVIDER
from nhiscan.providers.aws.provider import PROVIDER
from nhiscan.scanner.federation import Platform
from nhiscan.scanner.model import PolicyKind

ROLES = "arn:aws:iam::123456789012:role/"
AUD = "sts.amazonaws.com"
PULL_REQUEST = {"sub": "repo:acme-lending/agents-platform:pull_request", "aud": AUD}
MAIN = {"sub": "repo:acme-lending/agents-platform:ref:refs/heads/main", "aud": AUD}
OTHER_REPO = {"sub": "repo:acme-lending/website:ref:refs/heads/fix", "aud": AUD}
OTHER_OWNER = {"sub": "repo:someone-else/agents-platform:ref:refs/heads/main", "aud": AUD}


def test_the_demo_trusts_github_actions(demo_report: Path) -> None:
    snapshot = load(demo_report / "snapshot.json")
    [provider] = [p for p in snapshot.policies if p.kind is PolicyKind.AWS_OIDC_PROVIDER]
    assert provider.id == GITHUB_PROVIDER and provider.document["ClientIDList"] == [AUD]
    analysis = PROVIDER.analyse(estate_of(snapshot))
    [registration] = analysis.registrations()
    assert registration.id == GITHUB_PROVIDER and registration.audiences == (AUD,)
    trusts = {t.target.removeprefix(ROLES): t for t in analysis.federated_trusts()}
    assert set(trusts) == {"github-preview-deploy", "github-release"}
    for trust in trusts.values():
        assert trust.platform is Platform.GITHUB_ACTIONS
        assert trust.registration == GITHUB_PROVIDER and trust.audiences == (AUD,)
    preview, release = trusts["github-preview-deploy"], trusts["github-release"]
    assert [preview.admits(c) for c in (PULL_REQUEST, MAIN, OTHER_REPO, OTHER_OWNER)] == [
        True,
        True,
        True,
        False,
    ]
    assert [release.admits(c) for c in (PULL_REQUEST, MAIN, OTHER_REPO, OTHER_OWNER)] == [
        False,
        True,
        False,
        False,
    ]


def test_the_preview_role_is_an_admin_and_not_a_cross_account_trust(demo_report: Path) -> None:
    report = json.loads((demo_report / "report.json").read_text())
    by_rule: dict[str, set[str]] = {}
    for finding in report["findings"]:
        by_rule.setdefault(finding["rule_id"], set()).add(finding["subject"])
    assert f"{ROLES}github-preview-deploy" in by_rule["NHI100"]
    assert f"{ROLES}github-release" not in by_rule["NHI100"]
    # federation is not an account: NHI005 leaves it to the keyless-trust rules
    assert not {s for s in by_rule.get("NHI005", set()) if "github" in s}


def test_the_demo_pull_request_workflow_reaches_admin_through_the_preview_role(
    demo_report: Path,
) -> None:
    """Issue #20's demo: the repository's pull-request workflow can become the preview role,
    which reaches the account's administrator; NHI600 (critical) and NHI601 say so with the
    path from the repository through the workflow file, and name the workflow; the release
    role, pinned to main, is in neither."""
    report = json.loads((demo_report / "report.json").read_text())
    preview = "arn:aws:iam::123456789012:role/github-preview-deploy"
    found = {f["rule_id"]: f for f in report["findings"] if f["subject"] == preview}
    assert found["NHI600"]["severity"] == "critical"
    for rule in ("NHI600", "NHI601"):
        path = found[rule]["path"]
        nodes = [path[0]["from"], *(hop["to"] for hop in path)]
        assert nodes[0] == "repository:github.com/acme-lending/agents-platform"
        assert nodes[1].startswith("workflow:") and ".github/workflows/preview.yml" in nodes[1]
        assert nodes[2:] == [preview, "admin:123456789012"]
        (step,) = found[rule]["evidence"]["workflows"]
        assert step["file"].startswith(".github/workflows/preview.yml:")
        assert step["triggers"] == ["pull_request"]
    release = "arn:aws:iam::123456789012:role/github-release"
    assert not [f for f in report["findings"] if f["subject"] == release
                and f["rule_id"] in ("NHI600", "NHI601")]  # fmt: skip
    # The demo declares no owner's repositories complete: NHI605 says what it could not judge.
    # (agents-platform: the release role and the GCP pool; infrastructure: the Azure app)
    assert report["federation"]["repositories_not_judged"] == [
        "acme-lending/agents-platform",
        "acme-lending/infrastructure",
    ]
    html = (demo_report / "report.html").read_text()
    assert "Keyless trusts" in html and ".github/workflows/preview.yml:" in html
    assert "Not judged by NHI605" in html
