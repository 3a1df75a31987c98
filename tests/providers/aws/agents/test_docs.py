"""docs/agents.md lists every scheme and every supported verb with the actions it needs, as the
tables say: the documentation cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from nhiscan.providers.aws.agents.schemes import SCHEMES
from nhiscan.providers.aws.agents.verbs import TABLE, Access
from nhiscan.scanner.agents.vocabulary import Verb
from tests.factories import parse_agents

DOC = (Path(__file__).parents[4] / "docs" / "agents.md").read_text()


def test_every_supported_pair_is_documented_with_its_actions() -> None:
    for (verb, scheme), found in TABLE.items():
        if isinstance(found, Access):
            needs = "; ".join(f"{', '.join(acts)} on the {part}" for part, acts in found.on.items())
            assert f"| `{scheme}://` | `{verb}` | {needs} |" in DOC, (verb, scheme)


def test_every_scheme_and_verb_is_documented() -> None:
    for name, scheme in SCHEMES.items():
        assert f"| `{name}://` | {scheme.noun} |" in DOC
    for verb in Verb:
        assert f"`{verb}`" in DOC


def test_the_example_file_in_the_doc_loads() -> None:
    example = DOC.split("```yaml\n", 1)[1].split("```", 1)[0]
    (agent,) = parse_agents(example, file="docs/agents.md")
    assert agent.name == "loan-review" and len(agent.steps) == 5
    assert [p.verb.value for p in agent.steps[3].phrases] == ["read", "publish"]
