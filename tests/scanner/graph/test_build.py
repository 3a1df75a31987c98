"""build_graph: one test per edge kind, and the nodes every estate gets."""

from __future__ import annotations

from nhiscan.scanner.graph import EdgeKind, NodeKind, admin_node
from nhiscan.scanner.model import CredentialStatus, ResourceKind
from tests import factories as f
from tests.scanner.graph.builders import (
    ADMIN,
    escalations,
    function,
    granted,
    graph,
    hops,
    pairs,
    secret,
    trusting,
)

ADMIN_POLICY = f.managed_policy("admin", f.allow("*"))


def test_nodes_carry_kind_label_and_account() -> None:
    bot = f.user("bot")
    key = f.access_key(bot, id="AKIAK")
    g = graph(bot, key, f.group("devs"), f.resource("data"))
    assert g.kind(bot.id) is NodeKind.IDENTITY and g.label(bot.id) == "bot"
    assert g.kind("AKIAK") is NodeKind.CREDENTIAL
    assert g.kind(f.group("devs").id) is NodeKind.GROUP
    assert g.kind("arn:aws:s3:::data") is NodeKind.RESOURCE
    assert g.kind(ADMIN) is NodeKind.ADMIN and g.graph.nodes[ADMIN]["account"] == f.ACCOUNT


def test_active_keys_lead_to_their_identity_and_inactive_ones_do_not() -> None:
    bot = f.user("bot")
    live = f.access_key(bot, id="AKIALIVE")
    dead = f.access_key(bot, id="AKIADEAD", status=CredentialStatus.INACTIVE)
    g = graph(bot, live, dead)
    assert pairs(g, EdgeKind.HAS_CREDENTIAL) == {("AKIALIVE", bot.id)}


def test_membership_and_compute_edges() -> None:
    devs = f.group("devs")
    alice = f.user("alice", member_of=(devs.id,))
    fn_role = f.role("fn-role")
    fn = function("worker", fn_role)
    g = graph(devs, alice, fn_role, fn)
    assert pairs(g, EdgeKind.MEMBER_OF) == {(alice.id, devs.id)}
    assert pairs(g, EdgeKind.RUNS_AS) == {(fn.id, fn_role.id)}
    assert g.hops_from(alice.id) == ()  # member_of and runs_as are not followed


def test_an_instance_runs_as_the_role_of_its_profile() -> None:
    app = f.role("app")
    profile = f.resource(
        "app-profile",
        id=f.arn(f.ACCOUNT, "instance-profile/app-profile"),
        kind=ResourceKind.INSTANCE_PROFILE,
        runs_as=app.id,
        policy=None,
    )
    vm = f.resource(
        "i-1",
        id=f"arn:aws:ec2:eu-west-1:{f.ACCOUNT}:instance/i-1",
        kind=ResourceKind.EC2_INSTANCE,
        runs_as=profile.id,
        policy=None,
    )
    assert (vm.id, app.id) in pairs(graph(app, profile, vm), EdgeKind.RUNS_AS)


def test_an_administrator_gets_an_is_admin_hop_with_its_statement() -> None:
    ops = f.role("ops", policies=(ADMIN_POLICY.id,))
    (hop,) = hops(graph(ops, ADMIN_POLICY), EdgeKind.IS_ADMIN)
    assert (hop.source, hop.target, hop.conditional) == (ops.id, ADMIN, False)
    assert [s.policy_id for s in hop.statements] == [ADMIN_POLICY.id]


def test_can_assume_is_decided_by_trust_and_identity_policies() -> None:
    caller = f.user("caller")
    target = f.role("target")
    g = graph(granted(caller, f.allow("sts:AssumeRole")), target, trusting(target, caller.id))
    (hop,) = hops(g, EdgeKind.CAN_ASSUME)
    assert (hop.source, hop.target) == (caller.id, target.id)
    assert {s.policy_id for s in hop.statements} >= {target.trust_policy}


def test_can_access_lists_actions_and_conditional_ones() -> None:
    bot = f.user("bot")
    vault = secret("db")
    office_ip = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    records = granted(
        bot,
        f.allow("secretsmanager:DescribeSecret", vault.id),
        f.allow("secretsmanager:GetSecretValue", vault.id, Condition=office_ip),
    )
    (hop,) = hops(graph(*records, vault), EdgeKind.CAN_ACCESS)
    assert hop.actions == ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")
    assert hop.conditional_actions == ("secretsmanager:GetSecretValue",)
    assert hop.conditional is False  # one action is certain


def test_escalation_hops_carry_method_and_statements() -> None:
    bot = f.user("bot")
    records = granted(bot, f.allow("iam:PutUserPolicy", bot.id))
    g = graph(*records)
    (hop,) = hops(g, EdgeKind.ESCALATES_TO)
    assert (hop.source, hop.target, hop.method) == (bot.id, ADMIN, "iam:PutUserPolicy")
    assert [s.policy_id for s in hop.statements] == [records[1].id]


def test_pass_role_hops_come_from_passrole_escalations() -> None:
    bot = f.user("bot")
    worker = f.role("worker", policies=(ADMIN_POLICY.id,))
    records = granted(bot, f.allow(["iam:PassRole", "lambda:CreateFunction", "lambda:Invoke*"]))
    g = graph(*records, worker, trusting(worker, {"Service": "lambda.amazonaws.com"}), ADMIN_POLICY)
    assert pairs(g, EdgeKind.CAN_PASS_ROLE) == {(bot.id, worker.id)}
    assert ("PassRole+lambda:CreateFunction+InvokeFunction", worker.id) in escalations(g, bot)


def test_a_group_an_escalation_leads_into_is_admin_when_its_policies_are() -> None:
    admins = f.group("admins", policies=(ADMIN_POLICY.id,))
    readers = f.group("readers", policies=(f.policy().id,))
    bot = f.user("bot")
    records = granted(bot, f.allow("iam:AddUserToGroup"))
    g = graph(*records, admins, readers, ADMIN_POLICY, f.policy())
    assert escalations(g, bot) == {
        ("iam:AddUserToGroup", admins.id),
        ("iam:AddUserToGroup", readers.id),
    }
    (hop,) = hops(g, EdgeKind.IS_ADMIN)
    assert (hop.source, hop.target) == (admins.id, ADMIN)
    assert [s.policy_id for s in hop.statements] == [ADMIN_POLICY.id]
    path = g.admin_path(bot.id)
    assert path is not None and [h.target for h in path] == [admins.id, ADMIN]


def test_groups_nobody_escalates_into_get_no_admin_hop() -> None:
    admins = f.group("admins", policies=(ADMIN_POLICY.id,))
    alice = f.user("alice", member_of=(admins.id,))
    g = graph(admins, alice, ADMIN_POLICY)
    assert pairs(g, EdgeKind.IS_ADMIN) == {(alice.id, ADMIN)}


def test_a_group_admin_hop_respects_scps() -> None:
    admins = f.group("admins", policies=(ADMIN_POLICY.id,))
    bot = f.user("bot")
    no_iam = f.scp("no-iam", f.allow("*"), f.deny("iam:DeleteUser"), attached_to=(f.ROOT,))
    records = granted(bot, f.allow("iam:AddUserToGroup"))
    g = graph(*records, admins, ADMIN_POLICY, f.org_account(), no_iam)
    assert ("iam:AddUserToGroup", admins.id) in escalations(g, bot)
    assert pairs(g, EdgeKind.IS_ADMIN) == set()


def test_every_account_with_identities_gets_an_admin_sink() -> None:
    g = graph(f.user("a"), f.user("b", account=f.OTHER_ACCOUNT))
    sinks = {n for n in g.graph.nodes if g.kind(n) is NodeKind.ADMIN}
    assert sinks == {ADMIN, admin_node(f.OTHER_ACCOUNT)}


def test_a_role_whose_trust_was_not_collected_is_conditionally_assumable() -> None:
    # role() points at "<arn>#trust"; leaving that policy out is a trust nhiscan never saw.
    hidden = f.role("hidden")
    assume_all = f.managed_policy("assume", f.allow("sts:AssumeRole"))
    caller = f.user("caller", policies=(assume_all.id,))
    g = graph(hidden, caller, assume_all)
    [hop] = [h for h in hops(g, EdgeKind.CAN_ASSUME) if h.target == hidden.id]
    assert hop.source == caller.id and hop.conditional


def test_a_resource_whose_policy_was_not_collected_is_conditionally_reachable() -> None:
    bucket = f.resource("vault", policy="arn:aws:s3:::vault#policy")  # policy not in snapshot
    outsider = f.user("outsider")  # no identity policy at all
    g = graph(bucket, outsider)
    [hop] = [h for h in hops(g, EdgeKind.CAN_ACCESS) if h.source == outsider.id]
    assert hop.target == bucket.id and hop.conditional
