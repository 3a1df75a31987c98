from __future__ import annotations

from pathlib import Path

import pytest

from nhiscan.app.config import Settings, load_settings
from nhiscan.errors import ConfigError
from nhiscan.rules.thresholds import LifecycleThresholds
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
    assert settings.lifecycle == LifecycleThresholds(
        key_max_age_days=30, owner_tag_keys=("owner", "team")
    )
    assert settings.sources["aws"].regions == ("eu-west-1",)
    assert settings.sources["aws"].max_workers == 8


def test_default_file_in_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nhiscan.toml").write_text("[lifecycle]\nrole_unused_days = 10\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(None).lifecycle.role_unused_days == 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[lifecycle]\nkey_max_age = 3\n", r"unknown key 'key_max_age' in \[lifecycle\]"),
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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[git]\nfoo = 1\n", "unknown key 'foo' in [git]; valid keys: max_file_size, workers"),
        ("[gti]\nworkers = 1\n", "unknown key 'gti' at the top level (did you mean 'git'?); "
         "valid keys: activity, agents, aws, aws-cloudtrail, azure, azure-activity-log, fail_on, "
         "federation, gcp, gcp-audit-log, git, lifecycle, strict, "
         "suppress"),
        ("[aws]\nregion = ['x']\n", "unknown key 'region' in [aws] (did you mean 'regions'?); "
         "valid keys: assume_role, last_accessed, last_accessed_wait, lookup_events, "
         "lookup_events_max, max_workers, org_role, profiles, regions"),
        ("[agents]\nfolder = 'a'\n", "unknown key 'folder' in [agents]; valid keys: path"),
        ("[lifecycle.deep]\nx = 1\n", "unknown key 'deep' in [lifecycle]; valid keys: "
         "broad_groups, certificate_max_lifetime_days, client_secret_max_lifetime_days, "
         "credential_expiry_warning_days, key_max_age_days, key_never_used_grace_days, "
         "key_unused_days, owner_tag_keys, role_unused_days"),
        ("[[suppress]]\nrule = 'NHI001'\nreason = 'r'\nwhy = 1\n",
         "[[suppress]] #1: unknown key 'why'; valid keys: fingerprint, rule, subject"),
        ('[git]\nworkers = "x"\n',
         "[git] workers: expected a whole number from 0 to 1024, got 'x'"),
        ("[aws]\nmax_workers = 1.5\n", "[aws] max_workers: expected a whole number"),
        ("[agents]\npath = 3\n", "[agents] path: expected a string, got 3"),
        ("[aws]\nprofiles = [1]\n", "[aws] profiles: expected a list of strings, got [1]"),
        ("strict = 'yes'\n", "strict: expected true or false, got 'yes'"),
        ("git = 3\n", "[git]: expected a table"),
        # Past about 100 years, days overflow the date arithmetic: refused here, by name.
        ("[lifecycle]\nkey_unused_days = 100000000000000000000\n",
         "[lifecycle] key_unused_days: expected a whole number from 0 to 36500, got 1000000"),
        ("x = 1\na = " + "[" * 2000 + "]" * 2000 + "\n", "nested too deeply (from line 2)"),
        ("a = " + "{b = " * 2000 + "1" + "}" * 2000 + "\n", "nested too deeply"),
        (b"fail_on = '\xff'\n", "not UTF-8"),
    ],
)  # fmt: skip
def test_config_errors_name_the_file_the_level_and_the_valid_keys(
    tmp_path: Path, text: str | bytes, message: str
) -> None:
    path = tmp_path / "nhiscan.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    shown = str(info.value)
    assert str(path) in shown
    assert message in shown, shown
