"""The README's Azure agent tables list every scheme and every supported verb with the data
actions it needs, as the tables in the code say: the documentation cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from nhiscan.providers.azure.agents.schemes import KINDS, SCHEMES
from nhiscan.providers.azure.agents.verbs import TABLE, Access
from nhiscan.providers.azure.catalog import default_catalog

README = (Path(__file__).parents[4] / "README.md").read_text()
SECTION = README.split("### Azure in agent files", 1)[1].split("\n## ", 1)[0]


def test_every_supported_pair_is_documented_with_its_actions() -> None:
    for (verb, kind), found in TABLE.items():
        if isinstance(found, Access):
            info = KINDS[kind]
            needs = "; ".join(f"{', '.join(acts)} on the {part}" for part, acts in found.on.items())
            assert f"| `{info.scheme}://` {info.noun} | `{verb}` | {needs} |" in SECTION


def test_every_scheme_is_documented() -> None:
    for scheme in SCHEMES:
        assert f"| `{scheme}://` |" in SECTION


def test_the_figures_the_readme_gives_are_the_catalogue_s() -> None:
    catalog = default_catalog()
    role = catalog.role("Contributor")
    assert role is not None
    assert f"{len(catalog.role_actions(role).control):,} grants on the subscription" in SECTION
