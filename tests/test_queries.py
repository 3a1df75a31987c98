"""The reach queries as a user runs them: `reach`, `who-can`, `path` and `graph export`, on the
demo estate (one `scan --demo` for the module) and on a hand-built estate with chains."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner, Result

from nhiscan.cli import cli
from nhiscan.scanner import snapshot as snapshots
from tests import reach_estates as chains

DEMO = "123456789012"
LOAN_ROLE = f"arn:aws:iam::{DEMO}:role/loan-review-agent"
# the admin role GitHub Actions assumes (issue #20): an administrator like LOAN_ROLE
PREVIEW_ROLE = f"arn:aws:iam::{DEMO}:role/github-preview-deploy"
REPORTING = f"arn:aws:iam::{DEMO}:user/svc-reporting-agent"
DOC_ROLE = f"arn:aws:iam::{DEMO}:role/doc-extractor-agent"


@pytest.fixture
def demo(demo_report: Path) -> Path:
    """The demo estate's snapshot (tests/conftest.py: one demo scan per run)."""
    return demo_report / "snapshot.json"


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built estate with chains (tests/reach_estates.py) as a snapshot file."""
    path = tmp_path_factory.mktemp("chain") / "snapshot.json"
    snapshots.save(chains.snapshot(), path)
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ask(*args: str) -> Any:
    """Run a query with --format json and return the parsed answer."""
    result = invoke(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fails(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2, result.output
    return result


def edges(path: list[dict[str, Any]]) -> list[str]:
    return [hop["edge"] for hop in path]


def resources(answer: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(resource label, access level) -> the entry, from a reach answer."""
    found = {}
    for service in answer["resources"]:
        for level in service["access_levels"]:
            for entry in level["resources"]:
                found[(entry["label"], level["level"])] = entry
    return found


def actions(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["action"]: a for a in entry["actions"]}


# --- reach on the demo estate ----------------------------------------------------------------


def test_reach_of_an_admin_role(demo: Path) -> None:
    answer = ask("reach", str(demo), "loan-review-agent")  # the role, not its instance profile
    assert answer["start"]["id"] == LOAN_ROLE
    assert [a["account"] for a in answer["admin"]] == [DEMO]
    assert edges(answer["admin"][0]["path"]) == ["is_admin"]
    found = resources(answer)
    secret = found[("credit-bureau-api", "Read")]
    assert secret["type"] == "secret"
    assert actions(secret)["secretsmanager:GetSecretValue"]["conditional"] is False
    assert ("construction-docs", "Permissions management") in found
    services = [s["service"] for s in answer["resources"]]
    assert services == sorted(services) and {"s3", "kms", "secretsmanager"} <= set(services)
    levels = [lv["level"] for s in answer["resources"] if s["service"] == "s3"
              for lv in s["access_levels"]]  # fmt: skip
    assert levels == ["Permissions management", "Write", "Tagging", "Read", "List"]


def test_reach_of_a_user_in_a_group(demo: Path) -> None:
    answer = ask("reach", str(demo), REPORTING)
    assert answer["admin"] == [] and answer["identities"] == []
    found = resources(answer)
    assert set(found) == {
        ("construction-docs", "Read"),
        ("construction-docs", "List"),
        ("marketing-site", "Read"),
    }
    assert set(actions(found[("construction-docs", "Read")])) == {"s3:GetObject"}
    assert set(actions(found[("construction-docs", "List")])) == {"s3:ListBucket"}
    text = invoke("reach", str(demo), "svc-reporting-agent").stdout
    assert "Administrator of: no account" in text
    assert "svc-reporting-agent --can_access--> construction-docs" in text


def test_reach_from_an_access_key_starts_at_the_key(demo: Path) -> None:
    snap = snapshots.load(demo)
    key = next(c.id for c in snap.credentials if c.identity == REPORTING)
    answer = ask("reach", str(demo), key)
    assert answer["start"] == {
        "id": key, "kind": "credential", "label": key, "account": DEMO, "type": "access-key",
    }  # fmt: skip
    assert [i["id"] for i in answer["identities"]] == [REPORTING]
    entry = resources(answer)[("marketing-site", "Read")]
    assert edges(entry["path"]) == ["has_credential", "can_access"]
    assert entry["path"][0]["from"] == key


def test_reach_of_compute_acts_as_its_role(demo: Path) -> None:
    answer = ask("reach", str(demo), "doc-extractor")
    assert answer["acts_as"]["id"] == DOC_ROLE
    assert [i["id"] for i in answer["identities"]] == [DOC_ROLE]
    entry = resources(answer)[("construction-docs", "Read")]
    assert edges(entry["path"]) == ["runs_as", "can_access"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("nobody-here", "'nobody-here' is not in the snapshot"), ("agents", "names a group")],
)
def test_reach_of_something_that_cannot_act_exits_2(demo: Path, name: str, message: str) -> None:
    assert message in fails("reach", str(demo), name).stderr


# --- who-can and path on the demo estate -----------------------------------------------------


def test_who_can_read_the_secret(demo: Path) -> None:
    answer = ask("who-can", str(demo), "secretsmanager:getsecretvalue", "credit-bureau-api")
    assert answer["action"] == "secretsmanager:GetSecretValue" and answer["known_action"]
    assert answer["resource"].startswith(f"arn:aws:secretsmanager:us-east-1:{DEMO}:secret:")
    assert [d["id"] for d in answer["direct"]] == [PREVIEW_ROLE, LOAN_ROLE]
    policies = {s["policy_id"] for s in answer["direct"][1]["statements"]}
    assert f"{answer['resource']}#policy" in policies  # the secret's own resource policy
    preview = {s["policy_id"] for s in answer["direct"][0]["statements"]}
    assert preview == {"arn:aws:iam::aws:policy/AdministratorAccess"}  # its own admin grant
    # ci-deploy-bot can pass the admin role to an instance: it reads the secret through it.
    assert [c["id"] for c in answer["chained"]] == [f"arn:aws:iam::{DEMO}:user/ci-deploy-bot"]


def test_who_can_read_the_public_bucket(demo: Path) -> None:
    answer = ask("who-can", str(demo), "s3:GetObject", "arn:aws:s3:::marketing-site/index.html")
    assert len(answer["direct"]) == 12  # every principal: the bucket policy allows "*"
    ids = [d["id"] for d in answer["direct"]]
    assert ids == sorted(ids)


def test_who_can_an_action_without_resource(demo: Path) -> None:
    answer = ask("who-can", str(demo), "iam:CreateUser", "*")
    assert [d["id"] for d in answer["direct"]] == [PREVIEW_ROLE, LOAN_ROLE]


def test_path_from_compute_to_admin(demo: Path) -> None:
    snap = snapshots.load(demo)
    instance = next(r for r in snap.resources if r.kind.value == "ec2-instance")
    instance_id = instance.id.rsplit("/", 1)[-1]
    answer = ask("path", str(demo), instance_id, "admin")
    assert answer["to"]["id"] == f"admin:{DEMO}"
    assert edges(answer["path"]) == ["runs_as", "is_admin"]
    assert answer["path"][1]["statements"][0]["policy_id"] == (
        "arn:aws:iam::aws:policy/AdministratorAccess"
    )


def test_no_path_is_exit_0_and_null(demo: Path) -> None:
    text = invoke("path", str(demo), "svc-reporting-agent", "admin")
    assert text.exit_code == 0
    assert text.stdout.startswith("no path from svc-reporting-agent")
    answer = ask("path", str(demo), "svc-reporting-agent", "admin")
    assert answer["path"] is None and answer["hops"] is None


# --- chains (hand-built estate) --------------------------------------------------------------


def test_reach_through_a_role_to_admin(chain: Path) -> None:
    answer = ask("reach", str(chain), chains.KEY_DEPLOYER)
    admin = answer["admin"]
    assert [a["node"] for a in admin] == [chains.ADMIN_SINK]
    assert edges(admin[0]["path"]) == ["has_credential", "can_assume", "is_admin"]
    assert [i["label"] for i in answer["identities"]] == ["deployer", "admin-role"]
    secret = actions(resources(answer)[("db-password", "Read")])
    assert secret["secretsmanager:GetSecretValue"]["via"] == chains.rarn("admin-role")


def test_reach_marks_conditional_hops_and_actions(chain: Path) -> None:
    answer = ask("reach", str(chain), "cond-user")
    assert [(i["label"], i["conditional"]) for i in answer["identities"]] == [("ops-role", True)]
    write = resources(answer)[("data-bucket", "Write")]
    assert actions(write)["s3:PutObject"]["conditional"] is True
    text = invoke("reach", str(chain), "cond-user").stdout
    assert "s3:PutObject (conditional)" in text
    assert "--can_assume (conditional)-->" in text


def test_reach_of_an_inactive_key_says_so(chain: Path) -> None:
    answer = ask("reach", str(chain), chains.KEY_READER_OLD)
    assert answer["notes"] == ["the credential is not active: it reaches nothing"]
    assert answer["identities"] == answer["admin"] == answer["resources"] == []


def test_ambiguous_name_lists_the_candidates(chain: Path) -> None:
    result = fails("reach", str(chain), "twin")
    assert "ambiguous" in result.stderr
    assert chains.uarn("twin") in result.stderr and chains.rarn("twin") in result.stderr
    assert ask("reach", str(chain), chains.rarn("twin"))["start"]["type"] == "iam-role"


def test_who_can_directly_and_through_chains(chain: Path) -> None:
    answer = ask("who-can", str(chain), "s3:PutObject", f"{chains.BUCKET}/report.csv")
    assert [d["label"] for d in answer["direct"]] == ["admin-role", "ops-role"]
    chained = [(c["label"], c["conditional"], c["via"]) for c in answer["chained"]]
    assert chained == [
        ("deployer", False, chains.rarn("admin-role")),
        ("escalator", False, chains.ADMIN_SINK),  # escalates to admin of the account
        ("cond-user", True, chains.rarn("ops-role")),  # conditional sorts last
    ]
    escalator = next(c for c in answer["chained"] if c["label"] == "escalator")
    assert escalator["path"][0]["method"] == "iam:CreatePolicyVersion"


def test_who_can_text_marks_conditional(chain: Path) -> None:
    text = invoke("who-can", str(chain), "s3:PutObject", f"{chains.BUCKET}/x").stdout
    assert "cond-user (arn:aws:iam::123456789012:user/cond-user) (conditional)" in text
    assert "arn:aws:iam::123456789012:policy/ops[0]" in text


def test_who_can_rejects_patterns_and_notes_unknown_actions(chain: Path) -> None:
    assert "not a pattern" in fails("who-can", str(chain), "s3:*", "*").stderr
    answer = ask("who-can", str(chain), "s3:NoSuchAction", "*")
    assert answer["known_action"] is False


def test_path_hop_by_hop_with_statements(chain: Path) -> None:
    text = invoke("path", str(chain), chains.KEY_DEPLOYER, "admin").stdout
    lines = text.splitlines()
    assert lines[0].startswith(f"path from {chains.KEY_DEPLOYER} to admin of ")
    assert "3 hop(s)" in lines[0]
    assert lines[1].strip() == f"1. {chains.KEY_DEPLOYER} --has_credential--> deployer"
    assert "statement: arn:aws:iam::123456789012:role/admin-role#trust[0]" in text
    answer = ask("path", str(chain), "deployer", "admin-role")
    assert edges(answer["path"]) == ["can_assume"] and answer["hops"] == 1
    assert ask("path", str(chain), "deployer", "deployer")["path"] == []


def test_snapshot_and_sources_together_exit_2(chain: Path) -> None:
    assert "not both" in fails("reach", str(chain), "deployer", "--demo").stderr


def test_wrong_number_of_arguments_exits_2(chain: Path) -> None:
    assert "expected [SNAPSHOT] FROM TO" in fails("path", str(chain), "a", "b", "c").stderr
    # A snapshot with the identity forgotten must not start a live AWS collection.
    assert "is a snapshot: give IDENTITY after it" in fails("reach", str(chain)).stderr
    assert "give FROM TO after it" in fails("path", str(chain), "deployer").stderr


# --- graph export ----------------------------------------------------------------------------


def test_graph_export_graphml_and_json(demo: Path, tmp_path: Path) -> None:
    graphml, doc = tmp_path / "g.graphml", tmp_path / "g.json"
    assert invoke("graph", "export", str(demo), "-o", str(graphml)).exit_code == 0
    assert invoke("graph", "export", str(demo), "--format", "json", "-o", str(doc)).exit_code == 0
    back = nx.read_graphml(graphml, force_multigraph=True)
    data = json.loads(doc.read_text())
    assert back.number_of_nodes() == len(data["nodes"])
    assert back.number_of_edges() == len(data["edges"])
    assert back.nodes[LOAN_ROLE]["label"] == "loan-review-agent"
    admin = [e for e in data["edges"] if e["edge"] == "is_admin" and e["from"].startswith("arn:")]
    assert sorted((e["from"], e["to"]) for e in admin) == [
        (PREVIEW_ROLE, f"admin:{DEMO}"),
        (LOAN_ROLE, f"admin:{DEMO}"),
    ]
    stdout = invoke("graph", "export", str(demo), "--format", "graphml", "-o", "-").stdout
    assert nx.read_graphml(io.StringIO(stdout), force_multigraph=True).number_of_nodes() == (
        back.number_of_nodes()
    )


def test_graph_export_needs_a_format(demo: Path, tmp_path: Path) -> None:
    assert "add --format" in fails("graph", "export", str(demo), "-o", str(tmp_path / "g")).stderr
