"""The gap analysis of GCP service accounts on hand-built snapshots: grants from the bindings
naming the account against the agent's needs, through the agent rules (NHI300 excess, NHI301
missing) and the least privilege they propose."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from nhiscan.providers.gcp.analysis import GcpAnalysis
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.rules.agent_gaps import AgentExcessAccess, AgentMissingAccess
from nhiscan.rules.base import RuleContext
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.gaps import IdentityGap
from nhiscan.scanner.gaps.analysis import AgentResult
from nhiscan.scanner.model import Finding, IdentityKind
from tests import factories as f
from tests.providers.gcp import factories as g

AGENT = g.sa("reviewer")
CI = g.sa("ci")
DOCS = g.bucket("acme-docs")
OBJECTS = "//storage.googleapis.com/projects/_/buckets/acme-docs/objects/drafts/*"
PROJECT = f"{g.CRM}projects/{g.PROJECT}"


def member(identity: Any) -> str:
    return f"serviceAccount:{identity.id}"


def base(*policies: Any) -> list[Any]:
    return [g.project(), g.folder(), AGENT, CI, DOCS, *policies]


def agents(identity: str, *steps: str) -> str:
    lines = "".join(f"      - {s}\n" for s in steps)
    return (f"  - name: reviewer\n    owner: t\n    identities: [{identity}]\n"
            f"    steps:\n{lines}")  # fmt: skip


def analyse(records: list[Any], text: str) -> tuple[Estate, RuleContext, AgentResult]:
    e = g.estate(*records)
    ctx = f.agent_context(e, f.agent_file(text))
    assert ctx.agents is not None
    (result,) = ctx.agents.results
    return e, ctx, result


def only(result: AgentResult) -> IdentityGap:
    assert result.gap is not None
    (gap,) = result.gap.identities
    return gap


def findings(rule: Any, e: Estate, ctx: RuleContext) -> list[Finding]:
    return list(rule.evaluate(e, ctx))


EDITOR = g.allow(g.PROJECT, g.binding("roles/editor", member(AGENT)))
VIEWER = g.allow(DOCS.id, g.binding("roles/storage.objectViewer", member(AGENT)))


def test_editor_on_the_project_for_one_bucket_read_is_excess_with_a_custom_role() -> None:
    e, ctx, result = analyse(base(EDITOR, VIEWER), agents(AGENT.id, "read: gs://acme-docs/drafts/"))
    assert result.identities == (AGENT.id,)  # linked to its account by `identities`
    gap = only(result)
    assert gap.analysed and gap.reason is None and not gap.missing
    assert [(n.action, n.resource) for n in gap.needed] == [("storage.objects.get", OBJECTS)]
    # one item per permission (the core keys them case-blind: networkservices.httpFilters.get
    # and networkservices.httpfilters.get are both in the catalogue)
    editor = len({p.lower() for p in default_catalog().roles()["roles/editor"]})
    excess = {(i.action, i.resource) for i in gap.excess}
    assert ("compute.instances.create", PROJECT) in excess
    assert len([i for i in gap.excess if i.resource == PROJECT]) == editor
    bucket_objects = "//storage.googleapis.com/projects/_/buckets/acme-docs/objects/*"
    assert ("storage.objects.list", bucket_objects) in excess  # the viewer's other permission
    # the needed permission, granted on the whole bucket: excess scope, not excess
    ((scope_item),) = gap.excess_scope
    assert (scope_item.action, scope_item.resource) == ("storage.objects.get", bucket_objects)
    assert scope_item.needed_on == (OBJECTS,)
    # every grant of the editor binding points at it: role and scope, not a statement per grant
    refs = {s for i in gap.excess if i.resource == PROJECT for s in i.statements}
    assert {(r.sid, r.index) for r in refs} == {("roles/editor", 0)}
    assert all(i.broad for i in gap.excess if i.resource == PROJECT)

    (finding,) = findings(AgentExcessAccess(), e, ctx)
    assert finding.rule_id == "NHI300" and finding.subject == AGENT.id
    assert finding.evidence["excess"] == len(gap.excess)
    assert finding.evidence["more_services"] > 0  # counted, not listed: the finding stays small
    policy = finding.evidence["least_privilege"]
    assert policy["member"] == member(AGENT)
    (role,) = policy["roles"]
    assert role["definition"]["includedPermissions"] == ["storage.objects.get"]
    (binding,) = policy["bindings"]
    assert binding["resource"] == DOCS.id and binding["role"] == role["name"]
    assert binding["condition"]["expression"] == (
        'resource.name.startsWith("projects/_/buckets/acme-docs/objects/drafts/")'
    )
    assert not findings(AgentMissingAccess(), e, ctx)


def test_a_need_nothing_grants_is_missing() -> None:
    # basic roles hold no object access (only the legacy bucket roles do)
    e, ctx, result = analyse(base(EDITOR), agents(AGENT.id, "read: gs://acme-docs/drafts/"))
    (missing,) = only(result).missing
    assert (missing.action, missing.resource, missing.steps) == (
        "storage.objects.get",
        OBJECTS,
        (1,),
    )
    assert missing.reason == "no binding grants it"
    (finding,) = findings(AgentMissingAccess(), e, ctx)
    assert finding.rule_id == "NHI301" and finding.subject == "agent:reviewer"
    assert finding.provider.value == "gcp"
    assert finding.evidence["missing"][0]["action"] == "storage.objects.get"


def test_a_conditional_binding_stays_conditional() -> None:
    tagged = g.binding("roles/storage.objectViewer", member(AGENT),
                       condition="resource.matchTag('123/env', 'prod')")  # fmt: skip
    e, ctx, result = analyse(
        base(g.allow(DOCS.id, tagged)), agents(AGENT.id, "read: gs://acme-docs/drafts/")
    )
    gap = only(result)
    assert not gap.missing  # not missing: met under a condition nhiscan cannot decide
    assert [(n.action, n.resource) for n in gap.conditional_needs] == [
        ("storage.objects.get", OBJECTS)
    ]
    conditional = {i.action for i in gap.conditional}
    assert {"storage.objects.list", "storage.objects.get"} <= conditional  # get: on all objects
    assert not gap.excess and not findings(AgentMissingAccess(), e, ctx)
    (finding,) = findings(AgentExcessAccess(), e, ctx)
    viewer = default_catalog().roles()["roles/storage.objectViewer"]
    on_buckets = viewer & default_catalog().actions_for_resource(DOCS.id)
    assert "resourcemanager.projects.get" in viewer - on_buckets  # IAM ignores it on a bucket
    assert finding.evidence["conditional"] == len(gap.conditional) == len(on_buckets)


def test_a_condition_the_snapshot_decides_is_decided() -> None:
    expired = g.binding("roles/storage.objectViewer", member(AGENT),
                        condition="request.time < timestamp('2020-01-01T00:00:00Z')")  # fmt: skip
    _, _, result = analyse(
        base(g.allow(DOCS.id, expired)), agents(AGENT.id, "read: gs://acme-docs/drafts/")
    )
    gap = only(result)
    assert [m.action for m in gap.missing] == ["storage.objects.get"]
    assert not gap.conditional and not gap.excess  # an expired binding grants nothing


def test_a_prefix_condition_meets_the_need_and_is_not_excess() -> None:
    prefix = g.binding("roles/storage.objectViewer", member(AGENT),
                       condition='resource.name.startsWith("projects/_/buckets/acme-docs/objects/'
                                 'drafts/")')  # fmt: skip
    _, _, result = analyse(
        base(g.allow(DOCS.id, prefix)), agents(AGENT.id, "read: gs://acme-docs/drafts/")
    )
    assert not only(result).missing and not only(result).conditional_needs


def test_a_binding_narrowed_by_a_name_condition_grants_on_those_names_only() -> None:
    drafts = 'resource.name.startsWith("projects/_/buckets/acme-docs/objects/drafts/")'
    admin = g.binding("roles/storage.objectAdmin", member(AGENT), condition=drafts)
    one_table = "resource.name == 'projects/acme-prod/datasets/d/tables/t'"
    table = g.binding("roles/bigquery.dataViewer", member(AGENT), condition=one_table)
    _, _, result = analyse(
        base(g.allow(g.PROJECT, admin, table)), agents(AGENT.id, "read: gs://acme-docs/drafts/")
    )
    gap = only(result)
    assert not gap.missing and not gap.excess_scope
    excess = {(i.action, i.resource) for i in gap.excess}
    assert ("storage.objects.delete", OBJECTS) in excess  # the role's other object permissions
    assert ("storage.objects.get", OBJECTS) not in excess  # needed, exactly there
    assert not [a for a, _ in excess if a == "storage.objects.list"]  # checked on the bucket
    assert not [r for _, r in excess if r == PROJECT]  # nothing on the whole project
    table_grants = {a for a, r in excess if r.endswith("/datasets/d/tables/t")}
    assert "bigquery.tables.getData" in table_grants
    assert not [a for a in table_grants if not a.startswith("bigquery.")]


def test_needs_are_bound_to_the_account_s_project_and_a_chain_needs_a_token() -> None:
    token = g.allow(g.sa_name(AGENT),
                    g.binding("roles/iam.serviceAccountTokenCreator", member(CI)))  # fmt: skip
    publisher = g.allow(g.PROJECT, g.binding("roles/pubsub.publisher", member(AGENT)))
    text = (f"  - name: reviewer\n    owner: t\n    identities: [{CI.id}, {AGENT.id}]\n"
            "    steps:\n      - publish: pubsub://topics/reviews\n")  # fmt: skip
    _, _, result = analyse(base(token, publisher), text)
    assert result.gap is not None
    gaps = {gap.identity: gap for gap in result.gap.identities}
    topic = f"//pubsub.googleapis.com/projects/{g.PROJECT}/topics/reviews"
    assert [(n.action, n.resource) for n in gaps[AGENT.id].needed] == [
        ("pubsub.topics.publish", topic)
    ]
    assert not gaps[AGENT.id].missing
    assert gaps[CI.id].roles == (AGENT.id,)  # CI acts as the agent's account
    token_need = ("iam.serviceAccounts.getAccessToken", g.sa_name(AGENT))
    assert token_need in {(n.action, n.resource) for n in gaps[CI.id].needed}
    assert not result.gap.missing
    ci_policy = gaps[CI.id].policy
    assert ci_policy is not None
    (role,) = ci_policy["roles"]
    assert role["definition"]["includedPermissions"] == ["iam.serviceAccounts.getAccessToken"]
    assert ci_policy["bindings"][0]["resource"] == g.sa_name(AGENT)
    trust = gaps[AGENT.id].trust  # the agent's account: only CI may act as it
    assert trust == {"bindings": [{"role": "roles/iam.serviceAccountTokenCreator",
                                   "members": [member(CI)]}]}  # fmt: skip


def test_public_bindings_are_not_the_account_s_grants() -> None:
    public = g.allow(DOCS.id, g.binding("roles/storage.objectViewer", "allUsers"))
    _, _, result = analyse(base(public), agents(AGENT.id, "read: gs://acme-docs/drafts/"))
    gap = only(result)
    assert gap.granted == 0 and not gap.excess
    assert not gap.missing  # anyone may read it, the agent too


def test_owner_grants_are_counted_once_per_permission_and_shared() -> None:
    owner = g.allow(g.PROJECT, g.binding("roles/owner", member(AGENT), member(CI)))
    e = g.estate(*base(owner))
    analysis = GcpAnalysis(e, default_catalog())
    mine = list(analysis.grants(e.identities[AGENT.id], ()))
    theirs = list(analysis.grants(e.identities[CI.id], ()))
    assert len(mine) == len(default_catalog().roles()["roles/owner"]) == 13_568
    assert mine == theirs and mine[0] is theirs[0]  # one binding, expanded once
    assert len({id(grant.evidence) for grant in mine}) == 1
    assert mine[0].evidence == {"role": "roles/owner", "on": PROJECT}


def test_a_role_nhiscan_does_not_know_is_a_conditional_grant_of_anything() -> None:
    unknown = g.allow(g.PROJECT, g.binding("projects/acme-prod/roles/gone", member(AGENT)))
    _, _, result = analyse(base(unknown), agents(AGENT.id, "read: gs://acme-docs/drafts/"))
    gap = only(result)
    ((item),) = gap.conditional
    assert (item.action, item.resource, item.statements[0].sid) == (
        "*",
        PROJECT,
        "projects/acme-prod/roles/gone",
    )
    assert not gap.missing and gap.conditional_needs  # it may grant the need too


def test_a_bucket_named_as_cloud_asset_inventory_names_it_is_the_same_bucket() -> None:
    # an export names a bucket //storage.googleapis.com/B; needs and IAM say projects/_/buckets/B
    cai = replace(DOCS, id="//storage.googleapis.com/acme-docs")
    viewer = g.allow(cai.id, g.binding("roles/storage.objectViewer", member(AGENT)))
    editor = g.allow(g.PROJECT, g.binding("roles/storage.objectCreator", member(AGENT)))
    records = [g.project(), g.folder(), AGENT, cai, viewer, editor]
    text = agents(AGENT.id, "read: gs://acme-docs/drafts/", "write: gs://acme-docs/out/")
    _, _, result = analyse(records, text)
    assert not only(result).missing  # the bucket's binding, and the project's above it


def test_only_service_accounts_are_analysed() -> None:
    workload = g.sa("pool", kind=IdentityKind.WORKLOAD_IDENTITY,
                    id="principal://iam.googleapis.com/projects/1/locations/global/"
                       "workloadIdentityPools/p/subject/x")  # fmt: skip
    e = g.estate(g.project(), workload, AGENT)
    analysis = GcpAnalysis(e, default_catalog())
    assert analysis.gap_support(e.identities[AGENT.id]) is None
    reason = analysis.gap_support(e.identities[workload.id])
    assert reason is not None and "workload-identity" in reason
    assert list(analysis.grants(e.identities[workload.id], ())) == []


def applied(policy: Any) -> list[Any]:
    """The records an estate holds once the proposed custom roles and bindings are applied."""
    roles = [g.custom_role(r["name"], *r["definition"]["includedPermissions"])
             for r in policy["roles"]]  # fmt: skip
    on: dict[str, list[dict[str, Any]]] = {}
    for b in policy["bindings"]:
        binding: dict[str, Any] = {"role": b["role"], "members": [b["member"]]}
        if "condition" in b:
            binding["condition"] = b["condition"]
        on.setdefault(b["resource"], []).append(binding)
    return [*roles, *(g.allow(resource, *bindings) for resource, bindings in on.items())]


def test_once_the_least_privilege_is_applied_nothing_is_excess_or_missing() -> None:
    steps = ("read: gs://acme-docs/drafts/", "list: gs://acme-docs", "read: bq://_/lending/draws",
             "publish: pubsub://topics/reviews", "get-secret: secret://api-key")  # fmt: skip
    _, _, before = analyse(base(), agents(AGENT.id, *steps))
    gap = only(before)
    assert len(gap.missing) == len(gap.needed) == 6  # nothing granted yet
    assert gap.policy is not None
    _, _, after = analyse(base(*applied(gap.policy)), agents(AGENT.id, *steps))
    done = only(after)
    assert done.granted == 6
    assert (done.missing, done.excess, done.excess_scope, done.conditional) == ((), (), (), ())
    assert done.policy == gap.policy  # the same proposal: a fixed point
