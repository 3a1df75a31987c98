"""The gap analysis on hand-built estates: what is granted against what a workflow needs.

Each estate is small and pure (no moto); every test states the grants, the steps and exactly
which items must be excess, excess scope, conditional or missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.gaps import AgentGap, IdentityGap
from nhiscan.scanner.gaps.analysis import AgentResult, analyze_agents
from nhiscan.scanner.model import Identity, IdentityKind, Policy, Provider, Record, ResourceKind
from nhiscan.scanner.provider import ProviderSet
from tests.factories import (
    ACCOUNT,
    agent_context,
    agent_file,
    allow,
    assume_role_statement,
    deny,
    document,
    estate,
    identity,
    managed_policy,
    parse_agents,
    providers,
    reach_graph,
    resource,
    resource_policy,
    role,
    service_linked_role,
    trust_policy,
    user,
)

TABLE = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/reviews"
DOCS = (allow("s3:GetObject", "arn:aws:s3:::docs/*"), allow("s3:ListBucket", "arn:aws:s3:::docs"))


def _holding(
    who: Identity, *statements: Mapping[str, Any], name: str | None = None
) -> tuple[Identity, Policy]:
    policy = managed_policy(name or f"{who.name}-grant-{len(who.policies)}", *statements)
    return replace(who, policies=(*who.policies, policy.id)), policy


def _lambda_role(name: str, *statements: Mapping[str, Any]) -> list[Record]:
    who, policy = _holding(role(name), *statements)
    return [
        who,
        policy,
        trust_policy(who, document(assume_role_statement({"Service": "lambda.amazonaws.com"}))),
    ]


def _analyse(records: Sequence[Record], agents: str) -> dict[str, AgentResult]:
    e = estate(*records)
    ctx = agent_context(e, agent_file(agents))
    assert ctx.agents is not None
    return {r.agent.name: r for r in ctx.agents.results}


def _agent(name: str, identity: str, *steps: str) -> str:
    lines = "".join(f"      - {s}\n" for s in steps)
    return f"  - name: {name}\n    owner: t\n    identities: [{identity}]\n    steps:\n{lines}"


def _gap(result: AgentResult) -> AgentGap:
    assert result.gap is not None
    return result.gap


def _only(result: AgentResult) -> IdentityGap:
    (gap,) = _gap(result).identities
    return gap


def _pairs(items: Sequence[Any]) -> set[tuple[str, str]]:
    return {(i.action, i.resource) for i in items}


def test_exactly_the_needed_grants_leave_nothing_over_or_missing() -> None:
    records = _lambda_role("exact", *DOCS)
    result = _analyse(records, _agent("a", records[0].id, "read: s3://docs/*"))["a"]
    gap = _only(result)
    assert (gap.excess, gap.excess_scope, gap.conditional, gap.missing) == ((), (), (), ())
    assert gap.granted == 2
    assert result.score is not None and result.score.value == 0 and result.score.band is None


def test_a_service_wildcard_is_excess_actions_and_excess_scope() -> None:
    records = _lambda_role("wide", allow("s3:*"))
    result = _analyse(records, _agent("a", records[0].id, "read: s3://docs/*"))["a"]
    gap = _only(result)
    from nhiscan.providers.aws.catalog import default_catalog

    s3 = {a for a in default_catalog().expand("s3:*")}
    assert {i.action for i in gap.excess} == s3 - {"s3:GetObject", "s3:ListBucket"}
    assert _pairs(gap.excess_scope) == {("s3:GetObject", "*"), ("s3:ListBucket", "*")}
    (get,) = [i for i in gap.excess_scope if i.action == "s3:GetObject"]
    assert get.needed_on == ("arn:aws:s3:::docs/*",)
    assert get.statements[0].policy_id.endswith("policy/wide-grant-0")
    assert gap.missing == ()


def test_a_statement_naming_a_bucket_and_its_objects_grants_each_action_where_it_acts() -> None:
    both = ["arn:aws:s3:::docs", "arn:aws:s3:::docs/*"]
    records = _lambda_role("both", allow(["s3:GetObject", "s3:ListBucket"], both))
    result = _analyse(records, _agent("a", records[0].id, "read: s3://docs/*"))["a"]
    gap = _only(result)
    assert gap.granted == 2  # GetObject on the objects, ListBucket on the bucket: nothing else
    assert (gap.excess, gap.excess_scope) == ((), ())


def test_a_deny_removes_what_it_denies_from_the_grants() -> None:
    open_, grant = _holding(role("fenced"), *DOCS, allow("s3:DeleteObject", "arn:aws:s3:::docs/*"))
    closed, fence = _holding(open_, deny("s3:DeleteObject"))
    unfenced = _only(_analyse([open_, grant], _agent("a", open_.id, "read: s3://docs/*"))["a"])
    fenced = _only(
        _analyse([closed, grant, fence], _agent("a", closed.id, "read: s3://docs/*"))["a"]
    )
    assert _pairs(unfenced.excess) == {("s3:DeleteObject", "arn:aws:s3:::docs/*")}
    assert fenced.excess == ()


def test_a_conditional_grant_is_listed_apart_from_the_excess() -> None:
    condition = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    records = _lambda_role("cond", *DOCS, allow("sns:Publish", "*", Condition=condition))
    gap = _only(_analyse(records, _agent("a", records[0].id, "read: s3://docs/*"))["a"])
    assert gap.excess == ()
    assert _pairs(gap.conditional) == {("sns:Publish", "*")}
    assert gap.conditional[0].conditional


def test_missing_access_names_the_step_and_the_reason() -> None:
    records = _lambda_role("short", *DOCS)
    text = _agent("a", records[0].id, "read: s3://docs/*", "write: dynamodb://reviews")
    result = _analyse(records, text)["a"]
    missing = _gap(result).missing
    assert {(m.action, m.resource, m.steps) for m in missing} == {
        ("dynamodb:PutItem", TABLE, (2,)),
        ("dynamodb:UpdateItem", TABLE, (2,)),
        ("dynamodb:BatchWriteItem", TABLE, (2,)),
    }
    assert all(m.reason for m in missing)


def test_grants_through_an_assumable_role_count_and_say_via() -> None:
    bot = user("bot")
    worker = role("worker")
    bot, assume = _holding(bot, allow("sts:AssumeRole", worker.id))
    worker, grant = _holding(worker, *DOCS, allow("sns:Publish"))
    trust = trust_policy(worker, document(assume_role_statement({"AWS": bot.id})))
    records = [bot, assume, worker, grant, trust]
    gap = _only(_analyse(records, _agent("a", bot.id, "read: s3://docs/*"))["a"])
    assert gap.roles == (worker.id,)
    assert gap.missing == ()  # met through the role
    (publish,) = [i for i in gap.excess if i.action == "sns:Publish"]
    assert publish.via == (worker.id,)
    # Assuming the role is not needed: the agent declared only the user.
    assert ("sts:AssumeRole", worker.id) in _pairs(gap.excess)


def test_a_declared_chain_needs_the_assumption_and_each_side_gets_its_own_policy() -> None:
    bot = user("bot")
    worker = role("worker")
    bot, assume = _holding(bot, allow("sts:AssumeRole", worker.id))
    worker, grant = _holding(worker, *DOCS)
    trust = trust_policy(worker, document(assume_role_statement({"AWS": bot.id})))
    text = (
        f"  - name: a\n    owner: t\n    identities: [{bot.id}, {worker.id}]\n"
        "    steps:\n      - read: s3://docs/*\n"
    )
    result = _analyse([bot, assume, worker, grant, trust], text)["a"]
    by_id = {g.identity: g for g in _gap(result).identities}
    assert by_id[bot.id].excess == () and by_id[bot.id].missing == ()
    assert by_id[bot.id].policy == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Need1", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": worker.id}
        ],
    }
    assert by_id[worker.id].trust is not None
    assert by_id[worker.id].trust["Statement"][0]["Principal"] == {"AWS": bot.id}


def test_a_resource_policy_naming_the_identity_is_a_grant_and_a_public_one_is_not() -> None:
    worker = role("reader")
    bucket = resource("shared", region="eu-west-1")
    public = resource("site", region="eu-west-1")
    named = resource_policy(
        bucket,
        document({"Effect": "Allow", "Principal": {"AWS": worker.id},
                  "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shared/*"}),
    )  # fmt: skip
    open_to_all = resource_policy(
        public,
        document({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::site/*"}),
    )  # fmt: skip
    records: list[Record] = [*_lambda_role("reader", *DOCS), bucket, named, public, open_to_all]
    gap = _only(_analyse(records, _agent("a", worker.id, "read: s3://docs/*"))["a"])
    assert _pairs(gap.excess) == {("s3:PutObject", "arn:aws:s3:::shared/*")}
    assert gap.excess[0].statements[0].policy_id == named.id


def test_a_secret_named_without_its_suffix_is_checked_on_the_collected_secret() -> None:
    secret_arn = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:bureau-Ab12Cd"
    secret = resource("bureau", id=secret_arn, kind=ResourceKind.SECRET, policy=None)
    records: list[Record] = [
        *_lambda_role("s", allow("secretsmanager:GetSecretValue", secret_arn)),
        secret,
    ]
    gap = _only(
        _analyse(records, _agent("a", records[0].id, "get-secret: secretsmanager://bureau"))["a"]
    )
    assert gap.missing == () and gap.excess == ()


def test_a_key_named_by_alias_is_met_by_a_grant_scoped_to_the_alias() -> None:
    scoped = allow(
        "kms:Decrypt",
        f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/*",
        Condition={"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/docs"}},
    )
    records = _lambda_role("k", scoped)
    gap = _only(_analyse(records, _agent("a", records[0].id, "decrypt: kms://alias/docs"))["a"])
    assert gap.missing == () and gap.conditional_needs == ()
    other = _lambda_role("k2", allow("kms:Decrypt", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234"))
    gap = _only(_analyse(other, _agent("b", other[0].id, "decrypt: kms://alias/docs"))["b"])
    assert [m.action for m in gap.missing] == ["kms:Decrypt"]


def test_an_identity_that_can_escalate_says_so() -> None:
    records = _lambda_role("esc", *DOCS, allow("iam:PutRolePolicy", role("esc").id))
    gap = _only(_analyse(records, _agent("a", records[0].id, "read: s3://docs/*"))["a"])
    assert [e.method for e in gap.escalations] == ["iam:PutRolePolicy"]
    assert _pairs(gap.excess) == {("iam:PutRolePolicy", role("esc").id)}


def test_the_score_weighs_permissions_management_above_write_above_read() -> None:
    def score(action: str) -> int:
        records = _lambda_role(f"w-{action.split(':')[1].lower()}", *DOCS, allow(action, TABLE))
        result = _analyse(records, _agent("a", records[0].id, "read: s3://docs/*"))["a"]
        assert result.score is not None
        return result.score.value

    read, write = score("dynamodb:GetItem"), score("dynamodb:PutItem")
    tagging = score("dynamodb:TagResource")
    pm = score("dynamodb:PutResourcePolicy")
    assert 0 < tagging < read < write < pm


def test_an_administrator_scores_critical() -> None:
    records = _lambda_role("root-like", allow("*"))
    result = _analyse(records, _agent("a", records[0].id, "read: s3://docs/*"))["a"]
    assert result.score is not None and result.score.admin
    assert result.score.band is not None and result.score.band.value == "critical"


def test_identities_the_agent_names_but_that_do_not_exist_are_unmatched() -> None:
    records = _lambda_role("here", *DOCS)
    text = _agent("a", f"arn:aws:iam::{ACCOUNT}:role/gone", "read: s3://docs/*")
    text += _agent("b", "etl@proj.iam.gserviceaccount.com", "read: s3://docs/*")
    results = _analyse(records, text)
    assert [r.value for r in results["a"].unmatched] == [f"arn:aws:iam::{ACCOUNT}:role/gone"]
    assert results["b"].unmatched == ()  # no GCP inventory in this scan: not looked at
    assert [r.value for r in results["b"].unchecked] == ["etl@proj.iam.gserviceaccount.com"]


def test_a_policy_that_was_not_collected_makes_the_grants_incomplete_not_empty() -> None:
    who, grant = _holding(role("partial"), *DOCS)
    who = replace(who, policies=(*who.policies, "arn:aws:iam::aws:policy/NotExported"))
    gap = _only(_analyse([who, grant], _agent("a", who.id, "read: s3://docs/*"))["a"])
    assert gap.uncollected == ("arn:aws:iam::aws:policy/NotExported",)


def _without_region(identity: str) -> AgentFile:
    text = (
        f'defaults:\n  aws: {{account: "{ACCOUNT}"}}\nagents:\n'
        f"  - name: a\n    owner: t\n    identities: [{identity}]\n"
        "    steps:\n      - read: dynamodb://ledger\n"
    )
    return AgentFile(agents=parse_agents(text, file="a.yaml"), sources=(), source_hash="x")


def test_a_need_without_a_region_is_met_by_a_grant_in_one_region() -> None:
    table = f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/ledger"
    reads = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
             "dynamodb:DescribeTable"]  # fmt: skip
    for name, extra, missing in (
        ("regional", (), []),
        ("fenced-regional", (deny("dynamodb:Scan", table),), ["dynamodb:Scan"]),  # a deny counts
    ):
        records = _lambda_role(name, allow(reads, table), *extra)
        e = estate(*records)
        ctx = agent_context(e, _without_region(records[0].id))
        assert ctx.agents is not None
        (result,) = ctx.agents.results
        (need,) = {n.resource for n in result.plan.needs}
        assert need == f"arn:aws:dynamodb:*:{ACCOUNT}:table/ledger"  # any region
        gap = _only(result)
        assert [m.action for m in gap.missing] == missing
        assert gap.excess == () and gap.excess_scope == ()


def test_a_not_resource_grant_is_everything_but_what_it_names() -> None:
    statement = {"Effect": "Allow", "Action": "s3:DeleteObject",
                 "NotResource": "arn:aws:s3:::vault/*"}  # fmt: skip
    records = _lambda_role("not-resource", *DOCS, statement)
    gap = _only(_analyse(records, _agent("a", records[0].id, "read: s3://docs/*"))["a"])
    (item,) = gap.excess
    assert (item.action, item.resource) == ("s3:DeleteObject", "*")
    assert item.except_resources == ("arn:aws:s3:::vault/*",)


def test_a_role_that_compute_runs_as_gets_a_trust_for_that_service_only() -> None:
    records = _lambda_role("fn-role", *DOCS)
    fn_arn = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:fn"
    function = resource(
        "fn", id=fn_arn, kind=ResourceKind.LAMBDA_FUNCTION, runs_as=records[0].id, policy=None
    )
    agents = _agent("a", records[0].id, "read: s3://docs/*")
    gap = _only(_analyse([*records, function], agents)["a"])
    assert gap.trust is not None
    service = {"Service": "lambda.amazonaws.com"}
    assert gap.trust["Statement"] == [
        {"Effect": "Allow", "Principal": service, "Action": "sts:AssumeRole"}
    ]


def test_an_identity_whose_provider_cannot_analyse_it_is_reported_not_analysed() -> None:
    """Azure's analysis compares service principals' grants only: its gap_support says so of an
    application (its service principal is what signs in)."""
    sa = identity(provider=Provider.AZURE, kind=IdentityKind.ENTRA_APPLICATION, name="etl",
                  id="5f2b6c1e-0000-4000-8000-000000000001", account="sub")  # fmt: skip
    records: list[Record] = [*_lambda_role("here", *DOCS), sa]
    result = _analyse(records, _agent("a", sa.id, "read: s3://docs/*"))["a"]
    (gap,) = _gap(result).identities
    assert (gap.identity, gap.analysed) == (sa.id, False)
    assert gap.reason == (
        "gap analysis of Azure entra-application identities is not supported: service "
        "principals and managed identities only"
    )
    assert _gap(result).missing == () and result.score is not None and result.score.value == 0


def test_without_the_providers_analyses_identities_are_not_analysable_not_a_crash() -> None:
    records = _lambda_role("here", *DOCS)
    e = estate(*records)
    agents = agent_file(_agent("a", records[0].id, "read: s3://docs/*"))
    registered = providers()  # the AWS provider, but no analysis of this estate
    for found in (registered, ProviderSet()):
        analysis = analyze_agents(agents, e, reach_graph(e), found, default_max_key_age=90)
        (result,) = analysis.results
        (gap,) = _gap(result).identities
        assert not gap.analysed
        assert gap.reason == "gap analysis for aws iam-role is not supported yet"
        assert result.plan.needs  # the plan is still compiled


def test_identities_the_provider_manages_itself_are_not_unclaimed() -> None:
    records: list[Record] = [*_lambda_role("claimed", *DOCS), role("idle"), service_linked_role()]
    e = estate(*records)
    ctx = agent_context(e, agent_file(_agent("a", records[0].id, "read: s3://docs/*")))
    assert ctx.agents is not None
    assert [u.identity for u in ctx.agents.unclaimed] == [role("idle").id]
