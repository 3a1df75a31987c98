"""The live connector only reads, and README.md documents exactly what it calls."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from nhiscan.connectors.aws.last_accessed import AccessAdvisorConfig
from nhiscan.connectors.aws.live import AwsConfig
from nhiscan.connectors.aws.lookup_events import LookupConfig
from nhiscan.connectors.aws.permissions import (
    OPERATION_ACTIONS,
    REQUIRED_ACTIONS,
    is_read_only,
    readonly_policy,
)
from tests.connectors.aws.conftest import World
from tests.connectors.aws.estate import ACCOUNT, REGION, build_org
from tests.connectors.aws.helpers import collect, gaps, recording_factory

README = Path(__file__).parents[3] / "README.md"
BLOCK = re.compile(
    r"<!-- aws-readonly-policy:start -->(?P<body>.*?)<!-- aws-readonly-policy:end -->", re.S
)
TWO_REGIONS = {"Regions": [{"RegionName": REGION}, {"RegionName": "eu-west-1"}]}
# moto lacks the event history and the last-accessed jobs: answered here as AWS documents them.
JOB = "examplf1-1234-5678-9abc-0123456789ab"
ANSWERS: dict[str, Any] = {
    "LookupEvents": {"Events": []},
    "GenerateServiceLastAccessedDetails": {"JobId": JOB},
    "GetServiceLastAccessedDetails": {"JobStatus": "COMPLETED", "ServicesLastAccessed": [],
                                      "JobCreationDate": "2026-11-10T00:00:00Z"},
}  # fmt: skip


def org_run_calls() -> list[tuple[str, str]]:
    """Calls of a collection with assume_role, org_role, every enabled region, the event
    history and the last-accessed data.

    DescribeRegions is answered with two regions (moto would list thirty, slowly).
    """
    calls: list[tuple[str, str]] = []
    record = recording_factory(calls)

    def two_regions(**_: Any) -> Any:
        return AWSResponse("https://aws.invalid/", 200, {}, None), TWO_REGIONS

    def answer(model: Any, **_: Any) -> Any:
        return AWSResponse("https://aws.invalid/", 200, {}, None), ANSWERS[model.name]

    def factory(profile: str | None) -> boto3.session.Session:
        session = record(profile)
        session.events.register("before-call.ec2.DescribeRegions", two_regions)
        for name in ANSWERS:
            service = "cloudtrail" if name == "LookupEvents" else "iam"
            session.events.register(f"before-call.{service}.{name}", answer)
        return session

    build_org()
    config = AwsConfig(
        assume_role=f"arn:aws:iam::{ACCOUNT}:role/auditor",
        org_role="OrganizationAccountAccessRole",
        lookup_events=LookupConfig(interval=0),
        last_accessed=AccessAdvisorConfig(first_wait=0),
    )
    records = collect(config, session_factory=factory)
    assert gaps(records) == []
    return calls


def test_every_call_is_read_only_and_covered(world: World, moto: None) -> None:
    made = set(world.calls) | set(org_run_calls())
    unknown = made - set(OPERATION_ACTIONS)
    assert not unknown, f"calls missing from permissions.OPERATION_ACTIONS: {sorted(unknown)}"
    actions = {OPERATION_ACTIONS[call] for call in made}
    assert all(is_read_only(action) for action in actions)
    verbs = ("Get", "List", "Describe", "Lookup")
    exceptions = {"AssumeRole", "GenerateServiceLastAccessedDetails"}
    assert all(op.startswith(verbs) or op in exceptions for _, op in made)
    assert actions <= set(REQUIRED_ACTIONS)
    # and nothing in the policy goes unused
    assert set(REQUIRED_ACTIONS) == actions


def test_required_actions_are_sorted_read_only_iam_actions() -> None:
    assert list(REQUIRED_ACTIONS) == sorted(REQUIRED_ACTIONS)
    assert all(re.fullmatch(r"[a-z0-9-]+:[A-Z][A-Za-z]+", a) for a in REQUIRED_ACTIONS)
    assert all(is_read_only(a) for a in REQUIRED_ACTIONS)
    assert not is_read_only("iam:CreateUser") and not is_read_only("s3:PutBucketPolicy")


def test_readonly_policy_allows_exactly_the_required_actions() -> None:
    [statement] = readonly_policy()["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    assert tuple(statement["Action"]) == REQUIRED_ACTIONS


def test_readme_shows_the_policy() -> None:
    match = BLOCK.search(README.read_text(encoding="utf-8"))
    assert match is not None, "README.md lacks the aws-readonly-policy markers"
    blocks = re.findall(r"```json\n(.*?)\n```", match["body"], re.S)
    assert blocks == [json.dumps(readonly_policy(), indent=2)]
