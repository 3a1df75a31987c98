"""AwsAnalysis answers the graph builder's questions (GraphSource): assume, runs-as, access
requests, the narrowing of candidates, and the steps that pass a role."""

from __future__ import annotations

from nhiscan.providers.aws.provider import PROVIDER, AwsAnalysis
from nhiscan.scanner.graph import EdgeKind
from nhiscan.scanner.model import Record, ResourceKind
from tests import factories as f
from tests.scanner.graph.builders import function, granted, secret, trusting


def analysis(*records: Record | list[Record]) -> AwsAnalysis:
    flat: list[Record] = []
    for record in records:
        flat += record if isinstance(record, list) else [record]
    found = PROVIDER.analyse(f.estate(*flat))
    assert isinstance(found, AwsAnalysis)
    return found


def test_act_as_edges_are_the_trusted_callers_the_evaluator_allows() -> None:
    caller, other, target = f.user("caller"), f.user("other"), f.role("target")
    aws = analysis(
        granted(caller, f.allow("sts:AssumeRole")), other, target, trusting(target, caller.id)
    )
    (hop,) = aws.act_as_edges([caller.id, other.id, target.id])
    assert (hop.source, hop.target, hop.edge) == (caller.id, target.id, EdgeKind.CAN_ASSUME)
    assert list(aws.act_as_edges([other.id])) == []  # only the callers asked about


def test_runs_as_follows_an_instance_profile_to_its_role() -> None:
    app = f.role("app")
    profile = f.resource(
        "p",
        id=f.arn(f.ACCOUNT, "instance-profile/p"),
        kind=ResourceKind.INSTANCE_PROFILE,
        runs_as=app.id,
        policy=None,
    )
    vm = f.resource("vm", kind=ResourceKind.EC2_INSTANCE, runs_as=profile.id, policy=None)
    fn = function("worker", app)
    aws = analysis(app, profile, vm, fn)
    assert aws.runs_as(vm) == (app.id,) and aws.runs_as(fn) == (app.id,)
    assert aws.runs_as(f.resource("bucket")) == ()


def test_access_requests_ask_a_bucket_and_its_objects_and_skip_other_kinds() -> None:
    bucket = f.resource("app-bucket", policy=None)
    aws = analysis(bucket)
    requests = aws.access_requests(bucket)
    assert [(r.resource, r.service) for r in requests] == [
        (bucket.id, "s3"),
        (f"{bucket.id}/*", "s3"),
    ]
    assert "s3:GetObject" in requests[1].actions and requests[1].granted_by_resource == set()
    assert aws.access_requests(function("worker", f.role("r"))) != ()
    assert aws.access_requests(f.resource("vm", kind=ResourceKind.EC2_INSTANCE)) == ()


def test_could_grant_narrows_to_the_principals_own_allows() -> None:
    bot = f.user("bot")
    vault = secret("db")
    aws = analysis(granted(bot, f.allow("secretsmanager:GetSecretValue", vault.id)), vault)
    assert aws.could_grant(bot.id, "secretsmanager") == {"secretsmanager:GetSecretValue"}
    assert aws.could_grant(bot.id, "s3") == set()
    lacking = f.user("lacking", policies=("arn:aws:iam::123456789012:policy/not-collected",))
    assert analysis(lacking).could_grant(lacking.id, "s3") is None  # ask about all


def test_passes_are_the_passrole_steps_of_an_escalation() -> None:
    bot = f.user("bot")
    worker = f.role("worker")
    records = granted(bot, f.allow(["iam:PassRole", "lambda:CreateFunction", "lambda:Invoke*"]))
    aws = analysis(records, worker, trusting(worker, {"Service": "lambda.amazonaws.com"}))
    found = [e for e in aws.escalations([bot.id]) if e.target == worker.id]
    assert found
    steps = [s for e in found for s in aws.passes(e)]
    assert steps and {(s.action.lower(), s.resource) for s in steps} == {
        ("iam:passrole", worker.id)
    }
