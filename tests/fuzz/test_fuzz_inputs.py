"""Fuzzing the offline inputs: GAAD exports, snapshots and the policy documents inside them.

A seeded ``random.Random`` mutates valid inputs (delete a key, change a type, replace a value
with null / a number / a list / an object / a strange string, change a key's or a value's case,
duplicate a list item, truncate the JSON) and runs the command on each, in process. Every case
must end in one of two ways:

- exit 0 with a truthful report: as many identities, credentials (and, for snapshots, policies
  and gaps) as the mutated input really holds, never a part silently missing;
- exit 2 with a message naming the file and a place (a JSON path, a record, a line);

never a traceback, never a hang (each case has a generous bound enforced by SIGALRM; it fails
the test only if a case hangs, it measures nothing).

``NHISCAN_FUZZ_CASES=N`` runs N cases per input kind (default 400; each case names its seed
and mutation, so a failure reproduces with the same seed). The test prints a summary line
(``pytest -s`` shows it).
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from click.testing import CliRunner, Result

from nhiscan.cli import cli
from nhiscan.providers.aws.policy.syntax import problems
from nhiscan.scanner import snapshot as snap
from tests import factories as f

CASES = int(os.environ.get("NHISCAN_FUZZ_CASES", "400"))
SEED = 20261206
CASE_SECONDS = 60  # a hang, not a slow case: a case takes well under a second
GAAD_FIXTURE = Path(__file__).parent.parent / "data" / "aws" / "gaad-small.json"
GAAD_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")

STRANGE = ("", " ", "*", "null", "deny", "ALLOW", "not-a-date", "\u0000", "\u202e", "x" * 5000,
           "🙂", "arn:aws:iam::", "${aws:username}", "1e309", "-1", "[]", "{}")  # fmt: skip
Json = Any
Path_ = tuple[str | int, ...]


class Hang(BaseException):
    """A case ran past CASE_SECONDS (BaseException: CliRunner does not swallow it)."""


@dataclass(frozen=True, slots=True)
class Case:
    number: int
    seed: int
    mutation: str
    text: str
    data: Json  # the mutated document (None when the text is not JSON any more)

    def __str__(self) -> str:
        return f"case {self.number} (seed {self.seed}): {self.mutation}"


# --- mutations ---------------------------------------------------------------------------------


def nodes(value: Json, path: Path_ = ()) -> Iterator[Path_]:
    """Every path into ``value`` (the root excluded)."""
    items: Iterator[tuple[str | int, Json]]
    if isinstance(value, dict):
        items = iter(value.items())
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, child in items:
        yield (*path, key)
        yield from nodes(child, (*path, key))


def parent_of(root: Json, path: Path_) -> Json:
    for key in path[:-1]:
        root = root[key]
    return root


def replacement(rng: random.Random, old: Json) -> tuple[str, Json]:
    choice = rng.randrange(6)
    if choice == 0:
        return "null", None
    if choice == 1:
        return "a number", rng.choice([0, -1, 5, 3.5, True, 10**30])
    if choice == 2:
        return "a list", rng.choice([[], [old], [1, "a"]])
    if choice == 3:
        return "an object", rng.choice([{}, {"x": old}])
    if choice == 4 and isinstance(old, str):
        return "another case", rng.choice([old.lower(), old.upper(), old.swapcase()])
    return "a strange string", rng.choice(STRANGE)


def mutate(rng: random.Random, data: Json, within: Path_ = ()) -> tuple[str, Json]:
    """One mutation of a deep copy of ``data`` at a node under ``within``."""
    data = copy.deepcopy(data)
    paths = [p for p in nodes(data) if p[: len(within)] == within and len(p) > len(within)]
    path = rng.choice(paths)
    holder, key = parent_of(data, path), path[-1]
    shown = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path)
    operation = rng.randrange(5)
    if operation == 0:
        del holder[key]
        return f"delete {shown}", data
    if operation == 1 and isinstance(key, str):
        new_key = rng.choice([key.lower(), key.upper(), key.swapcase(), key + "s"])
        holder[new_key] = holder.pop(key)
        return f"rename {shown} to {new_key!r}", data
    if operation == 2 and isinstance(holder, list):
        holder.insert(int(key), copy.deepcopy(holder[key]))
        return f"duplicate {shown}", data
    what, value = replacement(rng, holder[key])
    holder[key] = value
    return f"replace {shown} with {what}: {value!r:.40}", data


def cases(kind: str, base: Json, within: Callable[[random.Random, Json], Path_]) -> Iterator[Case]:
    for number in range(CASES):
        seed = SEED * 1000 + number
        rng = random.Random(f"{kind}-{seed}")
        if rng.random() < 0.1:
            text = json.dumps(base, indent=1)
            cut = rng.randrange(len(text))
            yield Case(number, seed, f"truncate at {cut} of {len(text)}", text[:cut], None)
            continue
        mutation, data = mutate(rng, base, within(rng, base))
        if rng.random() < 0.2:  # sometimes two at once
            more, data = mutate(rng, data, ())
            mutation = f"{mutation}; {more}"
        yield Case(number, seed, mutation, json.dumps(data), data)


# --- running and judging -----------------------------------------------------------------------


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def invoke(args: list[str], case: Case) -> Result:
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        return CliRunner().invoke(cli, args)
    except Hang:
        pytest.fail(f"{case}: still running after {CASE_SECONDS} s (a hang)")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


PLACE = re.compile(
    r"\[\d+\]|line \d+|empty|not an nhiscan snapshot|not a GetAccountAuthorizationDetails|"
    r"arn:[^ ]+, the [a-z-]+ policy .*(?:the document|Statement)|"
    r"\b(?:schema_version|tool|collected_at|sources|identities|groups|credentials|policies|"
    r"resources|gaps|accounts|exposures|repositories|skipped|activity|activity_sources|service_access|"
    r"UserDetailList|GroupDetailList|"
    r"RoleDetailList|Policies)\b"
)


def judge(case: Case, result: Result, path: Path, truth: Callable[[Json, Json], None]) -> int:
    if not isinstance(result.exception, SystemExit | None):
        pytest.fail(f"{case}: a traceback instead of an answer: {result.exception!r}")
    if result.exit_code == 2:
        message = result.stderr
        assert str(path) in message, f"{case}: the message does not name the file: {message}"
        after = message.split(str(path), 1)[1]
        assert PLACE.search(after), f"{case}: the message names no place: {message}"
        return 2
    assert result.exit_code == 0, f"{case}: exit {result.exit_code}: {result.output}"
    assert case.data is not None, f"{case}: a truncated file read as exit 0"
    report = json.loads((path.parent / "out" / "report.json").read_text())
    try:
        truth(case.data, report)
    except AssertionError as exc:
        raise AssertionError(f"{case}: exit 0 but the report is not the input: {exc}") from exc
    return 0


def summary(kind: str, outcomes: list[int]) -> None:
    print(
        f"\nfuzz {kind}: {len(outcomes)} cases, {outcomes.count(0)} exit 0 (truthful report), "
        f"{outcomes.count(2)} exit 2 (file and place named)"
    )


def _counted(report: Json, key: str) -> int:
    return len(report[key])


# --- GAAD exports ------------------------------------------------------------------------------


def gaad_truth(data: Json, report: Json) -> None:
    users = len(data.get("UserDetailList") or [])
    roles = len(data.get("RoleDetailList") or [])
    assert _counted(report, "identities") == users + roles
    assert _counted(report, "credentials") == 0  # an export holds no keys


def gaad_within(rng: random.Random, base: Json) -> Path_:
    return (rng.choice(GAAD_LISTS),) if rng.random() < 0.8 else ()


def test_fuzz_gaad_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    base = json.loads(GAAD_FIXTURE.read_text())
    path = tmp_path / "gaad.json"
    outcomes = []
    for case in cases("gaad", base, gaad_within):
        path.write_text(case.text)
        args = ["scan", "--aws-gaad", str(path), "--no-store", "--no-agents",
                "-o", str(tmp_path / "out" / "report.json")]  # fmt: skip
        outcomes.append(judge(case, invoke(args, case), path, gaad_truth))
    summary("GAAD exports", outcomes)
    assert outcomes.count(2) > 0 and len(outcomes) == CASES


# --- snapshots and the policy documents in them ------------------------------------------------


def base_snapshot() -> Json:
    admins = f.group("admins", policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    bot = f.user("bot", policies=(f"{f.arn(f.ACCOUNT, 'user/bot')}#inline/read",),
                 member_of=(admins.id,), tags={"owner": "team@example.com"})  # fmt: skip
    deploy = f.role("deploy", policies=("arn:aws:iam::123456789012:policy/deploy",))
    bucket = f.resource("data", policy="arn:aws:s3:::data#policy")
    ec2_trust = f.assume_role_statement({"Service": "ec2.amazonaws.com"})
    records = [
        f.account(), bot, deploy, admins, bucket,
        f.access_key(bot, created=f.days_ago(400)), f.password(bot),
        f.policy(id="arn:aws:iam::aws:policy/AdministratorAccess", name="AdministratorAccess",
                 account=None, document=f.document(f.allow("*"))),
        f.policy(id=f"{bot.id}#inline/read", name="read", attached_to=(bot.id,),
                 document=f.document(f.allow(["s3:GetObject", "s3:ListBucket"],
                                             ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]),
                                     f.deny("s3:DeleteObject", Condition={
                                         "Bool": {"aws:MultiFactorAuthPresent": "false"}}))),
        f.policy(id="arn:aws:iam::123456789012:policy/deploy", name="deploy",
                 document=f.document(f.allow("iam:PassRole", Condition={
                     "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}))),
        f.trust_policy(deploy, f.document(ec2_trust)),
        f.resource_policy(bucket, f.document({**f.allow("s3:GetObject", "arn:aws:s3:::data/*"),
                                              "Principal": {"AWS": f.OTHER_ACCOUNT}})),
        f.gap(),
    ]  # fmt: skip
    data: Json = json.loads(snap.to_json(f.snapshot(*records)))
    return data


def snapshot_truth(data: Json, report: Json) -> None:
    assert _counted(report, "identities") == len(data["identities"])
    assert _counted(report, "credentials") == len(data["credentials"])
    assert _counted(report, "gaps") == len(data["gaps"])
    # Every policy was read as written: none that AWS would reject (no gap excuses it here).
    assert all(problems(policy["document"]) == () for policy in data["policies"])


def run_snapshots(
    kind: str, tmp_path: Path, within: Callable[[random.Random, Json], Path_]
) -> list[int]:
    base = base_snapshot()
    path = tmp_path / "snapshot.json"
    outcomes = []
    for case in cases(kind, base, within):
        path.write_text(case.text)
        args = ["analyze", str(path), "--no-agents", "-o", str(tmp_path / "out" / "report.json")]
        outcomes.append(judge(case, invoke(args, case), path, snapshot_truth))
    return outcomes


def snapshot_within(rng: random.Random, base: Json) -> Path_:
    lists = [k for k, v in base.items() if isinstance(v, list) and v]
    return (rng.choice(lists),) if rng.random() < 0.8 else ()


def policy_within(rng: random.Random, base: Json) -> Path_:
    return ("policies", rng.randrange(len(base["policies"])), "document")


def test_fuzz_snapshots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcomes = run_snapshots("snapshot", tmp_path, snapshot_within)
    summary("snapshots", outcomes)
    assert outcomes.count(2) > 0 and len(outcomes) == CASES


def test_fuzz_policy_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcomes = run_snapshots("policy", tmp_path, policy_within)
    summary("policy documents", outcomes)
    assert outcomes.count(2) > 0 and len(outcomes) == CASES


def test_the_base_inputs_are_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fuzzers start from inputs that read as exit 0 (else every case would be exit 2)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "snapshot.json"
    data = base_snapshot()
    path.write_text(json.dumps(data))
    case = Case(-1, 0, "none", path.read_text(), data)
    result = invoke(
        ["analyze", str(path), "--no-agents", "-o", str(tmp_path / "out" / "report.json")], case
    )
    assert judge(case, result, path, snapshot_truth) == 0
    gaad = tmp_path / "gaad.json"
    gaad.write_text(GAAD_FIXTURE.read_text())
    case = Case(-1, 0, "none", gaad.read_text(), json.loads(gaad.read_text()))
    args = ["scan", "--aws-gaad", str(gaad), "--no-store", "--no-agents",
            "-o", str(tmp_path / "out" / "report.json")]  # fmt: skip
    assert judge(case, invoke(args, case), gaad, gaad_truth) == 0
