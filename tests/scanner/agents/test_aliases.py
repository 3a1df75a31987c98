"""YAML aliases in agent files: repeated steps are read and compiled once each, and an alias
bomb (or a cycle, or runaway nesting) is refused with its file and line before anything walks
it. No timing assertion: the sizes here would take minutes (or never end) without the guard,
and a generous alarm turns such a hang into a failure."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from nhiscan.errors import PolicyFileError
from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.scanner.agents import yamlnodes
from nhiscan.scanner.agents.compiler import compile_agent
from nhiscan.scanner.agents.loader import load_agents
from tests.factories import parse_agents, vocabularies

HEAD = (
    "version: 1\n"
    "agents:\n"
    "  - name: a\n"
    "    owner: team@example.com\n"
    "    identities: [arn:aws:iam::123456789012:role/a]\n"
    "    steps:\n"
)


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """A hang fails the test after 60 s instead of stalling the suite."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError("agent file reading hung")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _repeated(step: str, count: int) -> str:
    return HEAD + f"      - &step {step}\n" + "      - *step\n" * (count - 1)


@pytest.mark.parametrize(
    "step",
    ["{read: 's3://construction-docs/*'}",
     "Extract the draw amounts from the construction documents in s3://construction-docs/*",
     "{actions: [s3:GetObject], resources: ['arn:aws:s3:::docs/*']}"],
)  # fmt: skip
def test_ten_thousand_aliased_steps_are_read_with_their_own_index(step: str) -> None:
    (agent,) = parse_agents(_repeated(step, 10_000), file="a.yaml")
    assert [s.index for s in agent.steps] == list(range(1, 10_001))
    assert {s.where.line for s in agent.steps} == {7}  # every use is the anchored step
    plan = compile_agent(agent, default_catalog(), default_max_key_age=90)
    assert plan.needs, "the repeated step needs something"
    for need in plan.needs:
        assert need.steps == tuple(range(1, 10_001))


def test_the_users_953_000_aliased_steps_are_refused_naming_file_and_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "agents.yaml"
    path.write_text(_repeated("{read: 's3://x/*'}", 953_000))
    with pytest.raises(PolicyFileError) as info:
        load_agents(path, vocabularies())
    message = str(info.value)
    assert f"{path}:7:" in message  # the steps list
    assert "more than 100,000 YAML nodes" in message


def test_a_billion_laughs_is_refused_at_the_list_that_explodes() -> None:
    lines = ['x-0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"x-{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    text = "\n".join(lines) + "\n" + HEAD + "      - *l8\n"
    with pytest.raises(PolicyFileError) as info:
        parse_agents(text, file="lol.yaml")
    # x-5 is the first level past 100,000 nodes (9**6 = 531,441 leaves): line 6.
    assert "lol.yaml:6: this expands to more than 100,000 YAML nodes" in str(info.value)


def test_merge_key_bombs_are_refused_before_they_are_flattened() -> None:
    lines = ["x-0: &m0 {a: 1, b: 2, c: 3}"]
    lines += [f"x-{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}, *m{i - 1}, *m{i - 1}]}}" for i in
              range(1, 30)]  # fmt: skip
    text = "\n".join(lines) + "\n" + HEAD.replace("  - name: a\n", "  - <<: *m29\n    name: a\n")
    with pytest.raises(PolicyFileError, match=r"lol\.yaml:\d+: this expands to more than"):
        parse_agents(text + "      - {read: 's3://x/*'}\n", file="lol.yaml")


def test_an_alias_to_a_node_containing_it_is_refused() -> None:
    text = "x-loop: &loop {<<: *loop}\n" + HEAD + "      - {read: 's3://x/*'}\n"
    with pytest.raises(PolicyFileError, match=r"a\.yaml:1: .*cycle"):
        parse_agents(text, file="a.yaml")
    steps = HEAD + "      - &s [*s]\n"
    with pytest.raises(PolicyFileError, match=r"a\.yaml:7: .*cycle"):
        parse_agents(steps, file="a.yaml")


@pytest.mark.parametrize("loader", [yaml.SafeLoader, getattr(yaml, "CSafeLoader", None)])
def test_deep_nesting_is_refused_not_a_recursion_error(
    monkeypatch: pytest.MonkeyPatch, loader: type[yaml.SafeLoader] | None
) -> None:
    if loader is None:
        pytest.skip("PyYAML without libyaml")
    monkeypatch.setattr(yamlnodes, "_LOADER", loader)
    for deep in ("x: " + "[" * 5000 + "]" * 5000 + "\n", "x:\n" + "".join(
            " " * i + "- \n" for i in range(3000))):  # fmt: skip
        with pytest.raises(PolicyFileError, match=r"deep\.yaml:\d+: .*(nest|depth)"):
            parse_agents(deep, file="deep.yaml")


def test_the_limit_is_counted_with_every_use_of_an_alias() -> None:
    root = yaml.compose("a: &a [1, 2, 3]\nb: [*a, *a]\n", Loader=yaml.SafeLoader)
    assert root is not None
    # map + 2 keys + list a (4) + list b (1 + 4 + 4)
    assert yamlnodes.expanded_size(root, "f.yaml") == 1 + 2 + 4 + 9
    with pytest.raises(yamlnodes.Invalid, match=r"f\.yaml:2: this expands to more than 8 "):
        yamlnodes.expanded_size(root, "f.yaml", limit=8)
