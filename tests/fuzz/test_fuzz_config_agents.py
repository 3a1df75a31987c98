"""Fuzzing agent files and nhiscan.toml through the CLI, in-process.

Valid files (the demo's agents file, the example of docs/agents.md, the README's nhiscan.toml
examples) are mutated by a seeded ``random.Random``: lines and keys deleted, values of other
types, unknown keys, strange strings, truncated text, deep nesting, alias bombs and cycles.
`nhiscan compile` and `nhiscan analyze SNAPSHOT --agents … --config …` run on each case. Each
must end with exit 0 and a truthful result (a plan or report that parses, whose agents are the
file's) or exit 2 with a message naming the file and a place (a line or a key); never a
traceback, never a hang (an alarm per case, not a timing assertion).

NHISCAN_FUZZ_CASES=N runs N cases of each kind (default 250); NHISCAN_FUZZ_SEED picks the seed.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nhiscan.cli import cli
from nhiscan.scanner import snapshot as snapshots
from tests.factories import access_key, allow, managed_policy, role, snapshot, user

ROOT = Path(__file__).resolve().parents[2]
CASES = int(os.environ.get("NHISCAN_FUZZ_CASES", "250"))
SEED = int(os.environ.get("NHISCAN_FUZZ_SEED", "20261206"))
CASE_SECONDS = 30  # a hang fails the case; a healthy case takes well under a second

STRANGE = [
    "", "~", "null", "true", "0", "-1", "1e9999", "0x1F", "2026-13-45", "[]", "{}", "'", '"',
    "'unterminated", "\\", "%", "@", "`", "&anchor", "*undefined", "!!binary x", "!!python/name:os",
    "!!str", "<<", "- -", "? x", "${HOME}", "{{ x }}", "s3://", "s3://*", "arn:aws:iam::*:role/*",
    "arn:", "*", "**/..", "../../etc/passwd", "read: s3://x", "\t", "é", "\u202e", "日本語",
    "🦜", "x" * 5000, "1" * 400, "a: b: c", "[unclosed", "{unclosed", "#", "---", "...",
]  # fmt: skip

# --- seeds -----------------------------------------------------------------------------------


def _blocks(path: Path, language: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    pattern = rf"^( *)```{language}\n(.*?)^ *```"
    return [textwrap.dedent(m.group(2)) for m in re.finditer(pattern, text, re.M | re.S)]


AGENT_SEEDS = [
    (ROOT / "nhiscan/connectors/demo/agents.yaml").read_text(encoding="utf-8"),
    *_blocks(ROOT / "docs/agents.md", "yaml"),
]
TOML_SEEDS = [*_blocks(ROOT / "README.md", "toml"), 'fail_on = "low"\n[git]\nworkers = 2\n']


# --- mutations -------------------------------------------------------------------------------

Mutation = Callable[[random.Random, str], str]


def _lines(text: str) -> list[str]:
    return text.splitlines() or [""]


def delete_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines) + "\n"


def duplicate_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at])
    return "\n".join(lines) + "\n"


# Values TOML reads, of every type and of none nhiscan expects.
TOML_VALUES = [
    "1", "0", "-1", "1.5", "nan", "inf", "true", "false", '"x"', '""', '"high"', '"HIGH"',
    '"never"', '"critical"', "[]", '["a", 1]', '["owner", "team"]', "[[1]]", "{a = 1}", "{}",
    "2026-01-31", "1979-05-27T07:32:00Z", "07:32:00", "99999999999999999999999", "0x7fffffff",
    '"\\u0000"', '"${HOME}"', "'''multi\nline'''", '"arn:aws:iam::*:role/*"', '"*"',
    '"' + "a" * 300 + '"',
]  # fmt: skip


def toml_value(rng: random.Random, text: str) -> str:
    """A value of nhiscan.toml becomes one of another TOML type, or a strange one."""
    lines = _lines(text)
    candidates = [i for i, line in enumerate(lines) if re.match(r"\s*[\w.\"-]+\s*=\s*\S", line)]
    if not candidates:
        return text
    at = rng.choice(candidates)
    key = lines[at].split("=", 1)[0]
    lines[at] = f"{key}= {rng.choice(TOML_VALUES)}"
    return "\n".join(lines) + "\n"


def change_value(rng: random.Random, text: str) -> str:
    """A value (after `key:`, `key =` or `- `) becomes something of another type or shape."""
    lines = _lines(text)
    candidates = [i for i, line in enumerate(lines) if re.search(r"(:\s|=\s|-\s)\S", line)]
    if not candidates:
        return text
    at = rng.choice(candidates)
    match = re.search(r"(:\s+|=\s+|-\s+)", lines[at])
    assert match is not None
    lines[at] = lines[at][: match.end()] + rng.choice(STRANGE)
    return "\n".join(lines) + "\n"


def unknown_key(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    indent = re.match(r"\s*(- )?", lines[at])
    pad = " " * len(indent.group(0)) if indent else ""
    name = rng.choice(["foo", "stpes", "identity", "x-y", "workers", "ownr", "path", "<<"])
    sep = rng.choice([": 1", " = 1", ": [a]", " = 'a'", ":", " ="])
    lines.insert(at + rng.randint(0, 1), f"{pad}{name}{sep}")
    return "\n".join(lines) + "\n"


def unknown_section(rng: random.Random, text: str) -> str:
    section = rng.choice(["[gti]", "[git.deep]", "[[suppress]]", "[agents]", "[lifecycle.x]"])
    body = rng.choice(["foo = 1", 'workers = "x"', "path = 3", "rule = 'x'"])
    return text + f"\n{section}\n{body}\n"


def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def deep_nesting(rng: random.Random, text: str) -> str:
    depth = rng.choice([5, 50, 600, 1200, 5000])
    opener, closer = rng.choice([("[", "]"), ("{a: ", "}"), ("{a = ", "}")])
    value = opener * depth + "1" + closer * depth
    lines = _lines(text)
    at = rng.randrange(len(lines) + 1)
    lines.insert(at, rng.choice([f"x: {value}", f"x = {value}", f"- {value}"]))
    return "\n".join(lines) + "\n"


def block_nesting(rng: random.Random, text: str) -> str:
    depth = rng.choice([20, 400, 1500])
    return text + "x-deep:\n" + "".join(" " * i + "- \n" for i in range(depth))


def alias_bomb(rng: random.Random, text: str) -> str:
    """A billion laughs, a long run of aliased steps, or a cycle."""
    kind = rng.choice(["laughs", "steps", "cycle", "merge"])
    if kind == "laughs":
        levels = rng.randint(2, 9)
        bomb = ['x-l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        bomb += [f"x-l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
        return "\n".join(bomb) + "\n" + text.replace("steps:\n", f"steps: *l{levels - 1}\n#", 1)
    if kind == "steps":
        count = rng.choice([10, 1000, 40_000])
        step = "      - &st {read: 's3://construction-docs/*'}\n" + "      - *st\n" * count
        return text.replace("    steps:\n", "    steps:\n" + step, 1)
    if kind == "cycle":
        return "x-loop: &loop {<<: *loop}\n" + text
    levels = rng.randint(3, 25)
    merges = ["x-m0: &m0 {owner: team}"]
    merges += [f"x-m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}, *m{i - 1}]}}" for i in range(1, levels)]
    return (
        "\n".join(merges)
        + "\n"
        + text.replace("  - name:", f"  - <<: *m{levels - 1}\n    name:", 1)
    )


def indentation(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    lines[at] = (
        (" " * rng.choice([1, 2, 3, 8]) + lines[at]) if rng.random() < 0.5 else lines[at].lstrip()
    )
    return "\n".join(lines) + "\n"


def strange_bytes(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    return (
        text[:at] + rng.choice(["\x00", "\x07", "\ufeff", "\r", "\x85", "\u2028", "\t"]) + text[at:]
    )


AGENT_MUTATIONS: list[Mutation] = [delete_line, duplicate_line, change_value, unknown_key,
                                   truncate, deep_nesting, block_nesting, alias_bomb, indentation,
                                   strange_bytes]  # fmt: skip
TOML_MUTATIONS: list[Mutation] = [delete_line, duplicate_line, change_value, toml_value,
                                  toml_value, toml_value, unknown_key, unknown_section, truncate,
                                  deep_nesting, indentation, strange_bytes]  # fmt: skip


def mutate(rng: random.Random, seeds: list[str], mutations: list[Mutation]) -> str:
    text = rng.choice(seeds)
    for _ in range(rng.choice([1, 1, 2, 3])):
        text = rng.choice(mutations)(rng, text)
    return text


# --- running a case --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two of the demo agents' identities: a role that reads the documents, a keyed user."""
    grant = managed_policy("reader", allow("s3:GetObject", "arn:aws:s3:::construction-docs/*"))
    extractor = role("doc-extractor-agent", policies=(grant.id,), tags={"owner": "a"})
    reporting = user("svc-reporting-agent", policies=(grant.id,), tags={"owner": "a"})
    path = tmp_path_factory.mktemp("fuzz") / "snapshot.json"
    snapshots.save(snapshot(grant, extractor, reporting, access_key(reporting)), path)
    return path


class Hung(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hung(f"a case ran past {CASE_SECONDS} s")


@pytest.fixture(autouse=True)
def _alarm_handler() -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _alarm)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def invoke(*args: str) -> Result:
    signal.alarm(CASE_SECONDS)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        signal.alarm(0)


# Where an error may point: a line (file:12, "line 3"), the end of the document, a table
# ([git], [[suppress]] #2) or a key ('foo', workers: expected ...).
PLACE = {
    "agents": r":\d+: ",
    "config": r"line \d+|end of document|\[[a-z_]+\]|\[\[suppress\]\] #\d+|'[^']*'|\w+: expected",
}


def check(result: Result, *, file: Path, kind: str) -> str | None:
    """What is wrong with a case's result (exit 0 or 2 naming the mutated file and a place,
    never a traceback), or None."""
    if not isinstance(result.exception, (SystemExit, type(None))):
        raised = type(result.exception).__name__
        return f"traceback: {raised}: {str(result.exception)[:300]}"
    if result.exit_code == 2:
        message = result.output
        if str(file) not in message or not re.search(PLACE[kind], message):
            return f"exit 2 without the file and a place: {message[-500:]}"
        return None
    if result.exit_code != 0:
        return f"exit {result.exit_code}: {result.output[-500:]}"
    return None


def _truthful(names: list[str], agents_text: str) -> str | None:
    """The agents of a plan or report are the file's: each name is in its text."""
    missing = [n for n in names if n not in agents_text]
    return f"agents that the file does not declare: {missing}" if missing else None


def run_compile(case: Path, kind: str, agents: Path, config: Path) -> tuple[int, str | None]:
    plan = case / "plan.json"
    result = invoke("compile", str(agents), "-o", str(plan), "--config", str(config))
    problem = check(result, file=agents if kind == "agents" else config, kind=kind)
    if problem or result.exit_code:
        return result.exit_code, problem
    names = [a["name"] for a in json.loads(plan.read_text())["agents"]]
    return 0, _truthful(names, agents.read_text(encoding="utf-8"))


def run_analyze(
    case: Path, kind: str, agents: Path, config: Path, snap: Path
) -> tuple[int, str | None]:
    out = case / "out"
    result = invoke("analyze", str(snap), "--agents", str(agents), "--config", str(config),
                    "-o", str(out), "--format", "json", "--fail-on", "never")  # fmt: skip
    problem = check(result, file=agents if kind == "agents" else config, kind=kind)
    if problem or result.exit_code:
        return result.exit_code, problem
    report = json.loads((out / "report.json").read_text())
    names = [a["name"] for a in report["agents"] or []]
    return 0, _truthful(names, agents.read_text(encoding="utf-8"))


def _cases(kind: str) -> list[tuple[int, str]]:
    rng = random.Random(f"{SEED}-{kind}")
    seeds, mutations = (AGENT_SEEDS, AGENT_MUTATIONS) if kind == "agents" else (
        TOML_SEEDS, TOML_MUTATIONS)  # fmt: skip
    return [(n, mutate(rng, seeds, mutations)) for n in range(CASES)]


@pytest.mark.parametrize("kind", ["agents", "config"])
def test_fuzzed_files_end_in_a_result_or_a_located_error(
    kind: str, small_snapshot: Path, tmp_path: Path
) -> None:
    good_agents = tmp_path / "good-agents.yaml"
    good_agents.write_text(AGENT_SEEDS[0], encoding="utf-8")
    good_config = tmp_path / "good.toml"
    good_config.write_text(TOML_SEEDS[-1], encoding="utf-8")
    failures = []
    exits: dict[int, int] = {}
    for number, text in _cases(kind):
        case = tmp_path / f"case-{number}"
        case.mkdir()
        mutated = case / ("agents.yaml" if kind == "agents" else "nhiscan.toml")
        mutated.write_text(text, encoding="utf-8")
        agents, config = (mutated, good_config) if kind == "agents" else (good_agents, mutated)
        for name, (code, problem) in (
            ("compile", run_compile(case, kind, agents, config)),
            ("analyze", run_analyze(case, kind, agents, config, small_snapshot)),
        ):
            exits[code] = exits.get(code, 0) + 1
            if problem:
                failures.append(f"{kind} case {number}, {name}: {problem}\n--- file:\n{text[:600]}")
    print(f"\n{kind}: {CASES} cases, seed {SEED}: exit codes {dict(sorted(exits.items()))}")
    assert not failures, f"{len(failures)} failing runs; the first:\n" + "\n\n".join(failures[:3])
    assert exits.get(0) and exits.get(2), "the cases should both pass and fail validation"
