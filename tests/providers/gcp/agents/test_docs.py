"""The README's GCP agent tables list every scheme and every supported verb with the permissions
it needs, as the tables in the code say: the documentation cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from nhiscan.providers.gcp.agents.schemes import KINDS
from nhiscan.providers.gcp.agents.verbs import TABLE, Access
from nhiscan.providers.gcp.catalog import default_catalog

README = (Path(__file__).parents[4] / "README.md").read_text()


def test_every_supported_pair_is_documented_with_its_permissions() -> None:
    for (verb, kind), found in TABLE.items():
        if isinstance(found, Access):
            info = KINDS[kind]
            needs = "; ".join(f"{', '.join(acts)} on the {part}" for part, acts in found.on.items())
            assert f"| `{info.scheme}://` {info.noun} | `{verb}` | {needs} |" in README


def test_every_scheme_is_documented_with_examples_that_read() -> None:
    for info in KINDS.values():
        assert f"| `{info.scheme}://` |" in README


def test_the_figures_the_readme_gives_are_the_catalogue_s() -> None:
    editor = len(default_catalog().roles()["roles/editor"])
    assert f"{editor:,} grants on the project" in README
