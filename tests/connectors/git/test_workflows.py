"""GitHub Actions workflows in scanned repositories (issue #20): the steps that request cloud
credentials with the workflow's OIDC token, read from real git repositories in every mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhiscan.app.estates import estate_of
from nhiscan.connectors.git.workflows import PARSE_OPERATION, github_slug
from nhiscan.scanner.model import Provider, Record, WorkflowCredential, WorkflowTrigger
from nhiscan.scanner.snapshot import build_snapshot, from_json, to_json
from tests.connectors.git.helpers import NOW, Repo, collect, gaps, make_repo, repository
from tests.factories import TOOL

pytestmark = pytest.mark.usefixtures("isolated_git")

ROLE = "arn:aws:iam::123456789012:role/deploy"
SA = "deployer@prod-project.iam.gserviceaccount.com"
POOL = "projects/123/locations/global/workloadIdentityPools/github/providers/acme"
CLIENT = "11111111-2222-3333-4444-555555555555"

AWS_STEP = f"""\
name: deploy
on:
  push:
    branches: [main, 'release/**']
    tags: ['v*']
  pull_request:
  workflow_dispatch:
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: {ROLE}
          aws-region: eu-west-1
"""

GCP_AND_AZURE = f"""\
on: [push, pull_request_target]
jobs:
  gcp:
    permissions:
      id-token: write
    environment:
      name: staging
      url: https://staging.example.com
    steps:
      - uses: google-github-actions/auth@v2
        with:
          workload_identity_provider: {POOL}
          service_account: {SA}
  azure:
    permissions: read-all
    steps:
      - name: login
        uses: Azure/login@v2
        with:
          client-id: {CLIENT}
          tenant-id: ${{{{ vars.TENANT }}}}
          subscription-id: ${{{{ secrets.SUB }}}}
"""

NOT_KEYLESS = """\
on: push
jobs:
  keys:
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.KEY }}
          aws-secret-access-key: ${{ secrets.SECRET }}
          role-to-assume: arn:aws:iam::123456789012:role/x
      - uses: google-github-actions/auth@v2
        with:
          credentials_json: ${{ secrets.GCP }}
      - uses: azure/login@v2
        with:
          creds: ${{ secrets.AZURE }}
      - uses: actions/setup-python@v5
"""


def workflows(records: list[Record]) -> list[WorkflowCredential]:
    return sorted((r for r in records if isinstance(r, WorkflowCredential)), key=lambda w: w.id)


def _repo_with(repo: Repo, **files: str) -> Repo:
    for name, text in files.items():
        repo.write(f".github/workflows/{name}", text)
    repo.git("remote", "add", "origin", "git@github.com:acme/app.git")
    repo.commit("ci")
    return repo


def test_an_aws_step_is_read_with_its_triggers_environment_and_token_permission(
    repo: Repo,
) -> None:
    _repo_with(repo, **{"deploy.yml": AWS_STEP})
    (step,) = workflows(collect(repo.path))
    assert step.slug == "acme/app"
    assert (step.path, step.line, step.job, step.step) == (
        ".github/workflows/deploy.yml",
        16,
        "deploy",
        1,
    )
    assert step.cloud == Provider.AWS and step.target == ROLE
    assert step.audience == "sts.amazonaws.com"  # the action's default
    assert step.inputs == {"role-to-assume": ROLE, "aws-region": "eu-west-1"}
    assert step.triggers == (
        WorkflowTrigger(event="push", branches=("main", "release/**"), tags=("v*",)),
        WorkflowTrigger(event="pull_request"),
        WorkflowTrigger(event="workflow_dispatch"),
    )
    assert step.environment == "production" and step.id_token is True
    assert step.unresolved == ()
    assert repository(collect(repo.path)).slug == "acme/app"


def test_gcp_and_azure_steps_and_expressions_kept_unresolved(repo: Repo) -> None:
    _repo_with(repo, **{"cloud.yaml": GCP_AND_AZURE})
    azure, gcp = workflows(collect(repo.path))
    assert gcp.cloud == Provider.GCP and gcp.target == SA
    assert gcp.audience == f"https://iam.googleapis.com/{POOL}"
    assert gcp.environment == "staging" and gcp.id_token is True
    assert [t.event for t in gcp.triggers] == ["push", "pull_request_target"]
    assert azure.cloud == Provider.AZURE and azure.target == CLIENT
    assert azure.audience == "api://AzureADTokenExchange"
    assert azure.id_token is False  # read-all grants no id-token: write
    assert azure.unresolved == ("tenant-id", "subscription-id")
    assert azure.action == "Azure/login@v2"


def test_an_expression_target_is_no_target(repo: Repo) -> None:
    text = AWS_STEP.replace(ROLE, "${{ vars.DEPLOY_ROLE }}")
    _repo_with(repo, **{"deploy.yml": text.replace("production", "${{ inputs.env }}")})
    (step,) = workflows(collect(repo.path))
    assert step.target is None
    assert step.inputs["role-to-assume"] == "${{ vars.DEPLOY_ROLE }}"
    assert step.unresolved == ("role-to-assume", "environment")


def test_steps_with_stored_keys_and_other_actions_are_not_keyless(repo: Repo) -> None:
    _repo_with(repo, **{"keys.yml": NOT_KEYLESS})
    assert workflows(collect(repo.path)) == []


def test_a_malformed_workflow_is_a_gap_naming_the_file_and_the_others_are_read(
    repo: Repo,
) -> None:
    _repo_with(
        repo,
        **{
            "broken.yml": "on: [push\njobs: {}\n",
            "list.yml": "- just\n- a list\n",
            "deploy.yml": AWS_STEP,
            "notes.txt": "not a workflow",
        },
    )
    records = collect(repo.path)
    assert len(workflows(records)) == 1
    found = {(g.subject, g.operation) for g in gaps(records)}
    assert found == {
        (".github/workflows/broken.yml", PARSE_OPERATION),
        (".github/workflows/list.yml", PARSE_OPERATION),
    }
    (broken,) = [g for g in gaps(records) if g.subject == ".github/workflows/broken.yml"]
    assert "not valid YAML: line" in broken.detail


def test_history_mode_reads_heads_workflows_not_the_work_tree(repo: Repo) -> None:
    _repo_with(repo, **{"deploy.yml": AWS_STEP})
    repo.write(".github/workflows/later.yml", AWS_STEP)  # not committed
    repo.write(".github/workflows/deploy.yml", "on: push\n")  # changed, not committed
    (step,) = workflows(collect(repo.path, mode="history"))
    assert step.path == ".github/workflows/deploy.yml" and step.target == ROLE
    assert len(workflows(collect(repo.path))) == 1  # the work tree: later.yml only
    assert workflows(collect(repo.path))[0].path == ".github/workflows/later.yml"


def test_a_clone_url_reads_the_workflows_of_its_head(repo: Repo, tmp_path: Path) -> None:
    _repo_with(repo, **{"deploy.yml": AWS_STEP})
    (step,) = workflows(collect(f"file://{repo.path}"))
    assert step.target == ROLE
    assert step.slug is None  # a file:// clone is not on GitHub
    assert step.repository == f"file://{repo.path}"


def test_staged_mode_reads_no_workflows(repo: Repo) -> None:
    _repo_with(repo, **{"deploy.yml": AWS_STEP})
    assert workflows(collect(repo.path, mode="staged")) == []


def test_a_repository_without_workflows_or_commits_has_none(tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "empty")
    assert workflows(collect(empty.path)) == []
    assert workflows(collect(empty.path, mode="history")) == []


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://github.com/acme-lending/agents-platform.git", "acme-lending/agents-platform"),
        ("https://github.com/acme/app", "acme/app"),
        ("git@github.com:acme/app.git", "acme/app"),
        ("ssh://git@github.com/acme/app.js.git", "acme/app.js"),
        ("https://token@github.com/acme/app.git", "acme/app"),
        ("https://gitlab.com/acme/app.git", None),
        ("https://github.com.evil.example/acme/app.git", None),
        ("https://github.com/acme/app/tree/main", None),
    ],
)
def test_github_slug(url: str, slug: str | None) -> None:
    assert github_slug(url) == slug


def test_workflow_records_round_trip_through_the_snapshot(repo: Repo) -> None:
    _repo_with(repo, **{"deploy.yml": AWS_STEP, "cloud.yml": GCP_AND_AZURE})
    records = collect(repo.path)
    snapshot = build_snapshot(records, tool=TOOL, collected_at=NOW, sources=("test",))
    assert len(snapshot.workflows) == 3
    again = from_json(to_json(snapshot))
    assert again == snapshot
    assert estate_of(again).snapshot.workflows == snapshot.workflows


def test_a_snapshot_without_workflows_has_no_workflows_key() -> None:
    snapshot = build_snapshot((), tool=TOOL, collected_at=NOW, sources=("test",))
    assert '"workflows"' not in to_json(snapshot)
    assert from_json(to_json(snapshot)).workflows == ()
