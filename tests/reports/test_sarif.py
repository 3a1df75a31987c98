"""SARIF 2.1.0: valid against the official schema, locations code scanning can show, stable
fingerprints, gaps as notifications, and no secret in clear."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.app.rules import all_rules
from nhiscan.cli import cli
from nhiscan.reports.model import Report
from nhiscan.reports.sarif import FINGERPRINT_KEY, LEVELS, REPORTER, SECURITY_SEVERITY, artifact_uri
from nhiscan.scanner import snapshot
from nhiscan.scanner.model import Severity
from tests import factories as f

SCHEMA_FILE = Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json"
SECRET_RULES = {"NHI200", "NHI201", "NHI202"}
TOKEN = "ghp_" + "Kq7" * 12
KEY = "AKIAZ7VRSQ5DXJQ4YEPX"


def _validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _validate(doc: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(doc)]
    assert errors == []


@pytest.fixture(scope="module")
def demo_sarif(demo_report: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`nhiscan analyze snapshot.json -o r.sarif`: the format comes from the suffix."""
    out = tmp_path_factory.mktemp("sarif") / "r.sarif"
    result = CliRunner().invoke(cli, ["analyze", str(demo_report / "snapshot.json"), "-o",
                                      str(out)], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def demo_findings(demo_report: Path) -> dict[str, dict[str, Any]]:
    """The scan's findings that `analyze` judges again: not the behaviour drift (NHI706), which
    the scan judged against its previous run in the history store."""
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    return {f["fingerprint"]: f for f in doc["findings"] if f["rule_id"] != "NHI706"}


def test_the_vendored_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["id"].endswith("/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert len(schema["definitions"]) == 52
    # the validator is not a rubber stamp: a result without a message is refused
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{}]}]}
    assert not _validator().is_valid(bad)


def test_demo_sarif_is_valid_sarif_2_1_0(demo_sarif: dict[str, Any]) -> None:
    _validate(demo_sarif)
    assert demo_sarif["version"] == "2.1.0" and len(demo_sarif["runs"]) == 1
    driver = demo_sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "nhiscan" and driver["version"]
    assert driver["informationUri"].startswith("https://")


def test_rules_are_every_registered_rule_with_levels_and_security_severity(
    demo_sarif: dict[str, Any],
) -> None:
    run = demo_sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.meta.id for rule in all_rules()]
    for descriptor, rule in zip(rules, all_rules(), strict=True):
        meta = rule.meta
        assert descriptor["name"] == meta.name
        assert descriptor["shortDescription"]["text"] == meta.summary
        assert descriptor["help"]["text"] == meta.remediation
        assert descriptor["defaultConfiguration"]["level"] == LEVELS[meta.severity]
        assert descriptor["properties"]["security-severity"] == SECURITY_SEVERITY[meta.severity]
        assert "security" in descriptor["properties"]["tags"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_severity_tables() -> None:
    assert {s: LEVELS[s] for s in Severity} == {
        Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
        Severity.LOW: "note", Severity.INFO: "note",
    }  # fmt: skip
    scores = [float(SECURITY_SEVERITY[s]) for s in Severity]  # critical first
    assert scores == sorted(scores, reverse=True) and scores[0] >= 9.0 and scores[1] >= 7.0
    assert 4.0 <= float(SECURITY_SEVERITY[Severity.MEDIUM]) < 7.0


def test_one_result_per_finding_with_the_findings_fingerprint(
    demo_sarif: dict[str, Any], demo_findings: dict[str, dict[str, Any]]
) -> None:
    """The SARIF of `analyze` has the same fingerprints as the report of the earlier `scan`:
    stable across runs."""
    results = demo_sarif["runs"][0]["results"]
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert sorted(prints) == sorted(demo_findings)
    for result in results:
        finding = demo_findings[result["partialFingerprints"][FINGERPRINT_KEY]]
        assert result["ruleId"] == finding["rule_id"]
        assert result["message"]["text"] == finding["title"]
        assert result["level"] == LEVELS[Severity(finding["severity"])]
        assert result["properties"]["subject"] == finding["subject"]


def test_secrets_in_code_are_located_at_their_file_and_line(
    demo_sarif: dict[str, Any], demo_findings: dict[str, dict[str, Any]]
) -> None:
    secrets = [r for r in demo_sarif["runs"][0]["results"] if r["ruleId"] in SECRET_RULES]
    assert {r["ruleId"] for r in secrets} == {"NHI200", "NHI201"}
    for result in secrets:
        exposures = demo_findings[result["partialFingerprints"][FINGERPRINT_KEY]]["evidence"][
            "exposures"
        ]
        places = [result["locations"][0], *result.get("relatedLocations", [])]
        assert len(places) == len(exposures)
        for place, exposure in zip(places, exposures, strict=True):
            physical = place["physicalLocation"]
            assert physical["artifactLocation"]["uri"] == exposure["path"]
            assert physical["region"]["startLine"] == exposure["line"]
            assert place["properties"]["repository"] == exposure["repository"]
    leaked = next(r for r in secrets if r["ruleId"] == "NHI201")  # a live key: its identity too
    logical = leaked["locations"][0]["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == leaked["properties"]["subject"]
    assert logical["fullyQualifiedName"].startswith("arn:aws:iam::")


def test_cloud_findings_are_located_by_their_arn(demo_sarif: dict[str, Any]) -> None:
    cloud = [r for r in demo_sarif["runs"][0]["results"] if r["ruleId"] not in SECRET_RULES]
    assert len(cloud) > 20
    for result in cloud:
        (location,) = result["locations"]
        assert "physicalLocation" not in location  # no pseudo-file
        (logical,) = location["logicalLocations"]
        assert logical["fullyQualifiedName"] == result["properties"]["subject"]
        assert logical["kind"] in {"member", "resource", "module"}
    kinds = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r["locations"][0][
        "logicalLocations"][0]["kind"] for r in cloud}  # fmt: skip
    assert kinds["arn:aws:iam::123456789012:user/ci-deploy-bot"] == "member"
    assert kinds["arn:aws:s3:::marketing-site"] == "resource"


def test_fingerprints_are_identical_across_renders_a_day_apart(demo_report: Path) -> None:
    snap = snapshot.load(demo_report / "snapshot.json")
    first = analyze(snap, settings=Settings(), now=f.NOW)
    later = analyze(snap, settings=Settings(), now=f.NOW + timedelta(days=1, hours=3))

    def prints(report: Report) -> list[str]:
        doc = json.loads(REPORTER.render(report))
        return [r["partialFingerprints"][FINGERPRINT_KEY] for r in doc["runs"][0]["results"]]

    assert prints(first) == [x.fingerprint for x in first.findings]
    assert sorted(prints(first)) == sorted(prints(later))


def test_demo_sarif_holds_no_secret_in_clear(demo_report: Path) -> None:
    text = (demo_report / "report.json").read_text(encoding="utf-8")
    sarif = REPORTER.render(
        analyze(snapshot.load(demo_report / "snapshot.json"), settings=Settings(), now=f.NOW)
    ).decode()
    assert "…(" in sarif  # redacted forms are there
    assert not re.search(r"ghp_[A-Za-z0-9]{36}", sarif)
    # AWS secret keys (40 characters of base64) are shown as 4 characters and a length; the
    # only 40-character words are commit ids
    words = re.findall(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])", sarif)
    assert words and all(re.fullmatch("[0-9a-f]{40}", w) for w in words)
    assert "secret_hash" not in sarif and json.loads(text)["exposures"]


def _hand_built() -> Report:
    bot = f.user("svc-ci")
    records = [
        bot,
        f.access_key(bot, id=KEY),
        f.exposure(KEY, path="deploy/ci settings.env"),
        f.exposure(TOKEN, path="src\\notify#1.py", line=7, at_head=False),
        f.gap(),
        f.gap(scope=f"{f.ACCOUNT}/eu-west-1", operation="lambda:ListFunctions",
              detail="Region is disabled"),
    ]  # fmt: skip
    return analyze(f.snapshot(*records), settings=Settings(), now=f.NOW)  # type: ignore[arg-type]


def test_no_secret_value_appears_in_the_sarif() -> None:
    text = REPORTER.render(_hand_built()).decode()
    assert TOKEN not in text and TOKEN[4:12] not in text
    assert "ghp_…(40 chars)" in text


def test_collection_gaps_are_tool_execution_notifications() -> None:
    doc = json.loads(REPORTER.render(_hand_built()))
    _validate(doc)
    (invocation,) = doc["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    gaps = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "warning"]
    assert [(n["properties"]["operation"], n["properties"]["scope"]) for n in gaps] == [
        ("iam:ListAccessKeys", f.ACCOUNT),
        ("lambda:ListFunctions", f"{f.ACCOUNT}/eu-west-1"),
    ]
    assert "Region is disabled" in gaps[1]["message"]["text"]
    assert "unknown, not absent" in gaps[0]["message"]["text"]
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["notifications"][gaps[0]["descriptor"]["index"]]["id"] == "collection-gap"
    assert doc["runs"][0]["properties"]["collection_gaps"] == 2


def test_paths_become_relative_uris() -> None:
    doc = json.loads(REPORTER.render(_hand_built()))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
        if "physicalLocation" in r["locations"][0]
    }
    assert uris == {"deploy/ci%20settings.env", "src/notify%231.py"}
    assert artifact_uri("./a/b c/é.py") == "a/b%20c/%C3%A9.py"
    assert artifact_uri("/abs/x.env") == "abs/x.env"


def test_baselined_runs_mark_new_results_and_list_accepted_ones_as_suppressed() -> None:
    from nhiscan.app.pipeline import apply_baseline
    from nhiscan.scanner import baseline as b

    report = _hand_built()
    plain = json.loads(REPORTER.render(report))["runs"][0]["results"]
    assert all("baselineState" not in r and "suppressions" not in r for r in plain)
    accepted = b.create(report.findings[:1])
    doc = json.loads(REPORTER.render(apply_baseline(report, accepted, source="b.json")))
    _validate(doc)
    results = doc["runs"][0]["results"]
    assert len(results) == len(plain)  # nothing lost: the accepted finding is still listed
    new = [r for r in results if "suppressions" not in r]
    (kept,) = [r for r in results if "suppressions" in r]
    assert {r["baselineState"] for r in new} == {"new"} and len(new) == len(plain) - 1
    assert kept["baselineState"] == "unchanged"
    assert kept["partialFingerprints"][FINGERPRINT_KEY] == report.findings[0].fingerprint
    assert kept["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "accepted in the baseline b.json",
        }
    ]


def test_findings_suppressed_in_nhiscan_toml_are_suppressed_results_with_the_reason() -> None:
    from nhiscan.scanner.suppress import Suppression

    report = _hand_built()
    target = report.findings[0]
    rule = Suppression(reason="vendor owns it", where="nhiscan.toml [[suppress]] #1",
                       fingerprint=target.fingerprint)  # fmt: skip
    suppressed = analyze(report.snapshot, settings=replace(Settings(), suppressions=(rule,)),
                         now=report.scanned_at)  # fmt: skip
    doc = json.loads(REPORTER.render(suppressed))
    _validate(doc)
    (kept,) = [r for r in doc["runs"][0]["results"] if "suppressions" in r]
    assert kept["partialFingerprints"][FINGERPRINT_KEY] == target.fingerprint
    assert "vendor owns it" in kept["suppressions"][0]["justification"]


def test_no_reach_and_skipped_files_are_noted() -> None:
    report = replace(_hand_built(), reach=False)
    doc = json.loads(REPORTER.render(report))
    _validate(doc)
    notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("--no-reach" in n["message"]["text"] and n["level"] == "note" for n in notes)
