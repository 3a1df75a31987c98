"""The least privilege GCP proposes: custom roles as ``gcloud iam roles create --file`` reads
them, the bindings granting them where each need is (a bucket under a prefix condition, a
BigQuery table under a ``resource.name`` condition on the project, a topic on itself), and the
commands; compiled from an agent file as ``nhiscan compile`` does."""

from __future__ import annotations

import shlex
from typing import Any

from nhiscan.app.agents import vocabularies
from nhiscan.providers.gcp.agents.render import least_privilege, trust_policy
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.providers.gcp.conditions import Request, decide
from nhiscan.scanner.agents.compiler import compile_agent
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.agents.plan import least_privilege as plan_documents
from nhiscan.scanner.model import Provider
from tests import factories as f
from tests.factories import parse_agents

SA = "reviewer@acme-prod.iam.gserviceaccount.com"
GS = "//storage.googleapis.com/projects/_/buckets/"
FILE = f"""\
defaults:
  gcp: {{project: acme-prod}}
  aws: {{account: "123456789012"}}
agents:
  - name: reviewer
    owner: t
    identities: [{SA}, arn:aws:iam::123456789012:role/reviewer]
    steps:
      - read: gs://docs/drafts/
      - list: gs://docs/drafts/
      - read: bq://_/lending/draws
      - publish: pubsub://topics/reviews
      - write: s3://out/*
"""


def _plan() -> Any:
    (agent,) = parse_agents(FILE, file="a.yaml")
    return compile_agent(agent, default_catalog(), default_max_key_age=90)


def _bound(document: Any) -> dict[tuple[str, str | None], set[str]]:
    """(binding's resource, its condition) -> the permissions of the role it binds."""
    roles = {r["name"]: set(r["definition"]["includedPermissions"]) for r in document["roles"]}
    return {
        (b["resource"], b.get("condition", {}).get("expression")): roles[b["role"]]
        for b in document["bindings"]
    }


BUCKET = f"{GS}docs"
DRAFTS = 'resource.name.startsWith("projects/_/buckets/docs/objects/drafts/")'
PROJECT = "//cloudresourcemanager.googleapis.com/projects/acme-prod"
TABLE = 'resource.name == "projects/acme-prod/datasets/lending/tables/draws"'
TOPIC = "//pubsub.googleapis.com/projects/acme-prod/topics/reviews"


def test_a_mixed_file_compiles_to_both_clouds_needs() -> None:
    plan = _plan()
    gcp = {(n.action, n.resource) for n in plan.needs if n.provider is Provider.GCP}
    assert gcp == {
        ("storage.objects.get", f"{GS}docs/objects/drafts/*"),
        ("storage.objects.list", f"{GS}docs/objects/*"),
        ("bigquery.tables.getData",
         "//bigquery.googleapis.com/projects/acme-prod/datasets/lending/tables/draws"),
        ("bigquery.jobs.create", "//cloudresourcemanager.googleapis.com/projects/acme-prod"),
        ("pubsub.topics.publish", "//pubsub.googleapis.com/projects/acme-prod/topics/reviews"),
    }  # fmt: skip
    assert {n.action for n in plan.needs if n.provider is Provider.AWS} == {"s3:PutObject"}


def test_each_identity_gets_its_own_cloud_s_document() -> None:
    documents = plan_documents(_plan(), vocabularies())
    aws = documents["arn:aws:iam::123456789012:role/reviewer"]
    assert [s["Action"] for s in aws["Statement"]] == ["s3:PutObject"]
    gcp = documents[SA]
    assert gcp["project"] == "acme-prod" and gcp["member"] == f"serviceAccount:{SA}"
    # roles are shared where a binding can grant nothing more by it: a role bound on a bucket
    # grants no Pub/Sub or BigQuery permission there; the project's unconditional binding, and
    # the bucket's two bindings, need roles of their own
    assert len(gcp["roles"]) == 3
    for role in gcp["roles"]:
        assert set(role["definition"]) == {"title", "description", "stage", "includedPermissions"}
        assert role["name"] == f"projects/acme-prod/roles/{role['id']}"
        assert role["id"].startswith("nhiscan_reviewer_") and len(role["id"]) <= 64
        assert role["definition"]["stage"] == "GA"


def test_bindings_go_where_the_need_is_narrowed_by_conditions() -> None:
    bound = _bound(plan_documents(_plan(), vocabularies())[SA])
    assert set(bound) == {
        (BUCKET, DRAFTS),  # objects under the prefix
        (BUCKET, None),  # listing is bucket-wide
        (PROJECT, TABLE),  # BigQuery reads resource.name conditions
        (PROJECT, None),  # queries run as jobs of the project
        (TOPIC, None),
    }
    assert bound[(PROJECT, None)] == {"bigquery.jobs.create"}  # nothing else project-wide
    storage = {k: {p for p in v if p.startswith("storage.")} for k, v in bound.items()}
    assert storage[(BUCKET, DRAFTS)] == {"storage.objects.get"}
    assert storage[(BUCKET, None)] == {"storage.objects.list"}
    bigquery = {p for p in bound[(PROJECT, TABLE)] if p.startswith("bigquery.")}
    assert bigquery == {"bigquery.tables.getData"}
    assert {p for p in bound[(TOPIC, None)] if p.startswith("pubsub.")} == {"pubsub.topics.publish"}


def test_the_conditions_mean_what_they_say_to_the_evaluator() -> None:
    def on(name: str) -> bool | None:
        return decide(DRAFTS, Request(time=f.NOW, name=name, service=None))

    assert on("projects/_/buckets/docs/objects/drafts/a.pdf") is True
    assert on("projects/_/buckets/docs/objects/final/a.pdf") is False


def test_the_commands_create_the_roles_then_bind_them() -> None:
    document = plan_documents(_plan(), vocabularies())[SA]
    commands = [shlex.split(c) for c in document["commands"]]
    creates = [c for c in commands if c[:4] == ["gcloud", "iam", "roles", "create"]]
    assert len(creates) == len(document["roles"]) and commands[: len(creates)] == creates
    assert all("--project=acme-prod" in c and c[6].startswith("--file=nhiscan_") for c in creates)
    binds = commands[len(creates) :]
    assert len(binds) == len(document["bindings"])
    on_bucket = ["gcloud", "storage", "buckets", "add-iam-policy-binding", "gs://docs"]
    bucket = [c for c in binds if c[:5] == on_bucket]
    assert len(bucket) == 2
    conditioned = [c for c in bucket if any(w.startswith("--condition=") for w in c)]
    (flag,) = [w for w in conditioned[0] if w.startswith("--condition=")]
    assert flag.startswith(
        '--condition=expression=resource.name.startsWith("projects/_/buckets/docs/objects/drafts/"),'
    )
    project = [c for c in binds if c[:4] == ["gcloud", "projects", "add-iam-policy-binding",
                                              "acme-prod"]]  # fmt: skip
    assert any("--condition=None" in c for c in project)
    topic = [c for c in binds if c[:4] == ["gcloud", "pubsub", "topics", "add-iam-policy-binding"]]
    (words,) = topic
    assert words[4:7] == ["reviews", "--project=acme-prod", f"--member=serviceAccount:{SA}"]
    assert words[7].startswith("--role=projects/acme-prod/roles/nhiscan_reviewer_")


def test_a_comma_in_a_prefix_switches_gcloud_s_delimiter() -> None:
    need = Need(provider=Provider.GCP, action="storage.objects.get",
                resource=f"{GS}docs/objects/a,b/*", steps=(1,))  # fmt: skip
    document = least_privilege([need], "acme-prod", SA)
    assert document is not None
    (command,) = [c for c in document["commands"] if "add-iam-policy-binding" in c]
    (flag,) = [w for w in shlex.split(command) if w.startswith("--condition=")]
    assert flag.startswith("--condition=^;^expression=") and ";title=" in flag


def test_without_the_identity_the_document_says_what_to_fill_in() -> None:
    need = Need(provider=Provider.GCP, action="pubsub.topics.publish",
                resource="//pubsub.googleapis.com/projects/*/topics/reviews", steps=(1,),
                account_implicit=True)  # fmt: skip
    document = least_privilege([need], "*")
    assert document is not None
    assert document["member"] == "serviceAccount:SA_EMAIL"
    assert document["bindings"][0]["resource"] == (
        "//pubsub.googleapis.com/projects/PROJECT_ID/topics/reviews"
    )
    assert any(n.startswith("PROJECT_ID:") for n in document["notes"])
    bound = least_privilege([need], "acme-prod", SA)
    assert bound is not None
    assert bound["bindings"][0]["resource"] == (
        "//pubsub.googleapis.com/projects/acme-prod/topics/reviews"
    )


def test_nothing_to_grant_is_none_and_other_clouds_needs_are_ignored() -> None:
    aws = Need(provider=Provider.AWS, action="s3:GetObject", resource="arn:aws:s3:::b/*", steps=())
    assert least_privilege([aws], "acme-prod", SA) is None
    assert least_privilege([], "acme-prod", SA) is None


def test_the_trust_admits_exactly_the_callers() -> None:
    assert trust_policy([], ["lambda.amazonaws.com"]) is None
    caller = "ci@acme-build.iam.gserviceaccount.com"
    assert trust_policy([caller], []) == {
        "bindings": [
            {"role": "roles/iam.serviceAccountTokenCreator",
             "members": [f"serviceAccount:{caller}"]}
        ]
    }  # fmt: skip
