"""``--gcp-project``, ``--gcp-folder``, ``--gcp-organization``, ``--gcp-impersonate`` and the
``[gcp]`` table: how the connector is asked for and built, and the errors of bad input."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhiscan.app.config import Settings, load_settings
from nhiscan.app.options import SourceOptions
from nhiscan.app.sources import build_connectors
from nhiscan.cli import cli
from nhiscan.connectors.gcp.live import GcpConfig, GcpConnector
from nhiscan.errors import ConfigError

README = Path(__file__).resolve().parents[4] / "README.md"
NONE = {"gcp_projects": (), "gcp_folder": None, "gcp_organization": None, "gcp_impersonate": None}


def built(settings: Settings, **given: object) -> GcpConfig:
    values = SourceOptions(values={"gcp": NONE | given})
    (connector,) = build_connectors(values, settings)
    assert isinstance(connector, GcpConnector)
    config: GcpConfig = connector._config
    return config


def test_the_command_line_scopes() -> None:
    config = built(Settings(), gcp_projects=("acme-prod", "acme-data"),
                   gcp_impersonate="nhiscan@acme-sec.iam.gserviceaccount.com")  # fmt: skip
    assert config.projects == ("acme-prod", "acme-data") and config.folder is None
    assert config.impersonate == "nhiscan@acme-sec.iam.gserviceaccount.com"
    assert config.max_workers == 8
    connector = GcpConnector(GcpConfig(folder="82001"))
    assert connector.sources == ("gcp:folders/82001",)


def test_the_readme_table_is_read_and_stands_in_for_what_is_not_given(tmp_path: Path) -> None:
    (block,) = (b for b in re.findall(r"```toml\n(.*?)```", README.read_text(), re.S)
                if b.startswith("[gcp]"))  # fmt: skip
    path = tmp_path / "nhiscan.toml"
    path.write_text(block)
    settings = load_settings(path)
    # GCP is asked for by a --gcp-* option; given none naming a scope, the table's scope
    config = built(settings, gcp_impersonate="other@acme-sec.iam.gserviceaccount.com")
    assert config.projects == ("acme-prod",) and config.quota_project == "acme-sec"
    assert config.impersonate == "other@acme-sec.iam.gserviceaccount.com"
    assert built(settings, gcp_projects=("x",)).impersonate == (
        "nhiscan@acme-sec.iam.gserviceaccount.com"
    )
    assert built(settings, gcp_folder="82001").projects == ()  # the command line wins


def test_impersonation_needs_a_scope(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--gcp-impersonate needs a scope"):
        built(Settings(), gcp_impersonate="nhiscan@acme-sec.iam.gserviceaccount.com")
    result = CliRunner().invoke(cli, [
        "collect", "--gcp-impersonate", "nhiscan@acme-sec.iam.gserviceaccount.com",
        "-o", str(tmp_path / "s.json"),
    ])  # fmt: skip
    assert result.exit_code == 2 and "--gcp-impersonate needs a scope" in result.output


def test_a_folder_and_an_organization_together_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [
        "collect", "--gcp-folder", "82001", "--gcp-organization", "93422",
        "-o", str(tmp_path / "s.json"),
    ])  # fmt: skip
    assert result.exit_code == 2
    assert "choose one of --gcp-folder and --gcp-organization" in result.output


def test_no_credentials_is_exit_2_saying_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    result = CliRunner().invoke(
        cli, ["collect", "--gcp-project", "acme-prod", "-o", str(tmp_path / "s.json")]
    )
    assert result.exit_code == 2
    assert "gcloud auth application-default login" in result.output


def test_the_spec_loads_no_google_sdk_at_start_up() -> None:
    code = (
        "import sys, nhiscan.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('google', 'googleapiclient')"
        " or m.startswith('nhiscan.connectors.gcp.live')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
