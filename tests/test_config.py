from __future__ import annotations

from pathlib import Path

import pytest

from nhiscan.config import LifecycleSettings, Settings, load_settings
from nhiscan.errors import ConfigError
from nhiscan.scanner.model import Severity


def test_defaults_when_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(None) == Settings()


def test_reads_thresholds_and_gate(tmp_path: Path) -> None:
    path = tmp_path / "nhiscan.toml"
    path.write_text(
        'fail_on = "HIGH"\nstrict = true\n'
        "[lifecycle]\nkey_max_age_days = 30\nowner_tag_keys = ['owner', 'team']\n"
        "[aws]\nregions = ['eu-west-1']\nmax_workers = 8\n"
    )
    settings = load_settings(path)
    assert settings.fail_on is Severity.HIGH
    assert settings.strict is True
    assert settings.lifecycle == LifecycleSettings(
        key_max_age_days=30, owner_tag_keys=("owner", "team")
    )
    assert settings.aws.regions == ("eu-west-1",)
    assert settings.aws.max_workers == 8


def test_default_file_in_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nhiscan.toml").write_text("[lifecycle]\nrole_unused_days = 10\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(None).lifecycle.role_unused_days == 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[lifecycle]\nkey_max_age = 3\n", r"\[lifecycle\]: unknown key 'key_max_age'"),
        ("[lifecycle]\nkey_max_age_days = 'x'\n", "expected a whole number"),
        ("[lifecycle]\nkey_max_age_days = -1\n", "expected a whole number"),
        ('fail_on = "urgent"\n', "unknown severity 'urgent'"),
        ("strict = 1\n", "expected true or false"),
        ("[aws]\nregions = 'eu-west-1'\n", "expected a list of strings"),
        ("lifecycle = 3\n", "expected a table"),
        ("[lifecycle\n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "nhiscan.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(path)
    assert str(path) in str(info.value)
