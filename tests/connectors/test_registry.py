"""Connectors own their options: a connector registered with its spec (tests/connectors/toy.py)
gets its option on the commands, its table in nhiscan.toml, and is built when its option is
given, with no change to the CLI, the orchestration or the config loader."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import nhiscan
from nhiscan import connectors
from nhiscan.app.config import Settings, load_settings
from nhiscan.app.options import SourceOptions
from nhiscan.app.sources import build_connectors
from nhiscan.connectors import ConnectorEntry, connector_specs
from nhiscan.errors import ConfigError

TOY = ConnectorEntry(
    "tests.connectors.toy", "ToyConnector", "pip install toy", "tests.connectors.toy"
)


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The toy connector registered, and the CLI imported afresh (its commands are built from
    the registry when they are defined); both are put back afterwards."""
    monkeypatch.setitem(connectors.REGISTRY, "toy", TOY)
    monkeypatch.setattr(nhiscan, "cli", sys.modules["nhiscan.cli"])
    for name in list(sys.modules):
        if name == "nhiscan.cli" or name.startswith("nhiscan.cli."):
            monkeypatch.delitem(sys.modules, name)
    from nhiscan.cli import cli

    return cli


def _options(cli: Any, *command: str) -> list[str]:
    shown = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200).output
    return [line.split()[0] for line in shown.splitlines() if line.startswith("  -")]


def test_a_registered_connector_adds_its_option_to_the_commands(toy: Any) -> None:
    scan = _options(toy, "scan")
    assert scan.index("--toy-zone") == scan.index("--dry-run") + 1  # after the built-in ones
    assert "--toy-zone" in _options(toy, "inventory")  # it yields identities (the default)
    assert "--toy-zone" in _options(toy, "reach")


def test_the_options_come_from_the_registry_in_its_order() -> None:
    from nhiscan.cli import cli

    # a shared option (the activity window) once, where it is first declared
    flags = list(
        dict.fromkeys(option.flag for spec in connector_specs() for option in spec.options)
    )
    scan = _options(cli, "scan")
    assert scan[: len(flags)] == flags
    assert flags[:2] == ["--demo", "--aws-profile"] and "--repo" in flags


def test_a_registered_connector_has_its_table_in_the_config(toy: Any, tmp_path: Path) -> None:
    path = tmp_path / "nhiscan.toml"
    path.write_text("[toy]\nzone = 'eu'\ndepth = 5\n")
    assert load_settings(path).sources["toy"].zone == "eu"
    path.write_text("[toy]\nzones = 'eu'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == (
        f"{path}: unknown key 'zones' in [toy] (did you mean 'zone'?); valid keys: depth, zone"
    )
    path.write_text("[toy]\ndepth = 10\n")
    with pytest.raises(ConfigError, match=r"\[toy\] depth: expected a whole number from 0 to 9"):
        load_settings(path)
    path.write_text("[tyo]\n")
    with pytest.raises(ConfigError, match="did you mean 'toy'"):
        load_settings(path)


def test_a_registered_connector_is_built_when_its_option_is_given(toy: Any, tmp_path: Path) -> None:
    config = tmp_path / "nhiscan.toml"
    config.write_text("[toy]\ndepth = 7\n")
    out = tmp_path / "snapshot.json"
    args = ["collect", "--toy-zone", "eu", "--config", str(config), "-o", str(out)]
    result = CliRunner().invoke(toy, args)
    assert result.exit_code == 0, result.output
    snap = json.loads(out.read_text())
    assert snap["sources"] == ["toy:eu"]  # the toy alone: no default AWS collection
    assert [gap["detail"] for gap in snap["gaps"]] == ["depth 7"]


def test_no_source_given_means_the_default_spec() -> None:
    (default,) = [spec for spec in connector_specs() if spec.default]
    assert default.name == "aws"
    built = build_connectors(SourceOptions(), Settings())
    assert [type(c).__name__ for c in built] == ["AwsConnector"]


def test_git_alone_means_no_cloud_and_a_conflict_is_refused(tmp_path: Path) -> None:
    only_git = SourceOptions(values={"git": {"repos": (str(tmp_path),)}})
    assert [type(c).__name__ for c in build_connectors(only_git, Settings())] == ["GitConnector"]
    both = SourceOptions(values={"demo": {"demo": True}, "aws": {"aws_regions": ("eu-west-1",)}})
    with pytest.raises(ConfigError, match="--demo scans the built-in estate"):
        build_connectors(both, Settings())


def test_the_specs_load_no_sdk_at_start_up() -> None:
    """The command line builds its options from every spec: none may import an SDK (nhiscan
    --help stays fast, and a missing extra is an error only when its connector is asked for)."""
    code = (
        "import sys, nhiscan.cli\n"
        "heavy = ('boto3', 'botocore', 'moto', 'ahocorasick', 'hyperscan', 'detect_secrets')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy "
        "or m.startswith('nhiscan.connectors.git.secrets')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
