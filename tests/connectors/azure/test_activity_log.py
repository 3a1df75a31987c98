"""The Azure Activity Log and Entra sign-in readers: a diagnostic setting's files and az's
JSON, Graph's sign-ins and their diagnostic records; callers by object id, actions spelled as
the Azure catalogue spells them, refusals, Azure acting for itself, broken files named at their
line; joined to the demo's Azure inventory in report.json; the shared activity window."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from nhiscan.connectors.activity_window import Window
from nhiscan.connectors.azure.activity_log import (
    AzureActivityLogConfig,
    AzureActivityLogConnector,
)
from nhiscan.connectors.base import CollectContext
from nhiscan.errors import ConnectorError
from nhiscan.scanner.activity import ActivityScope, ActivitySummary, Outcome
from nhiscan.scanner.model import Record
from tests.connectors.auditlog_data import (
    CLAIMS_AGENT,
    GRAPH_APP,
    PLATFORM_MI,
    STORAGE,
    SUBSCRIPTION,
    TENANT,
    activity_path,
    activity_record,
    az_event,
    diagnostic_sign_in,
    sign_in,
    write_array,
    write_lines,
)

NOW = datetime(2026, 11, 10, tzinfo=UTC)
DAY = datetime(2026, 11, 2, 10, 5, tzinfo=UTC)


def collect(
    activity: tuple[str, ...] = (), sign_ins: tuple[str, ...] = (), window: Window | None = None
) -> list[Record]:
    config = AzureActivityLogConfig(
        activity_logs=activity, sign_in_logs=sign_ins, window=window or Window()
    )
    return list(AzureActivityLogConnector(config).collect(CollectContext(now=NOW)))


def summaries(records: list[Record]) -> list[ActivitySummary]:
    return [r for r in records if isinstance(r, ActivitySummary)]


def scopes(records: list[Record]) -> list[ActivityScope]:
    return [r for r in records if isinstance(r, ActivityScope)]


def one(records: list[Record], identity: str, **fields: Any) -> ActivitySummary:
    (found,) = [
        s
        for s in summaries(records)
        if s.identity == identity and all(getattr(s, k) == v for k, v in fields.items())
    ]
    return found


def test_a_diagnostic_settings_files_become_summaries_by_object_id(tmp_path: Path) -> None:
    write_lines(
        activity_path(tmp_path, DAY),
        [
            activity_record(DAY),
            activity_record(
                DAY + timedelta(minutes=3),
                refused=True,
                operation="MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
                correlation="c0ffee00-0000-4000-8000-0000000000ff",
            ),
            activity_record(DAY, oid=PLATFORM_MI.upper(), managed=True),
            activity_record(
                DAY, oid="11111111-2222-4333-8444-555555555555", person="ana@acme.example"
            ),
            activity_record(
                DAY, category="Policy", operation="MICROSOFT.AUTHORIZATION/POLICIES/AUDIT/ACTION"
            ),
        ],
    )
    records = collect(activity=(str(tmp_path),))
    agent = one(records, CLAIMS_AGENT)
    assert (agent.principal, agent.account, agent.count) == ("service-principal", TENANT, 2)
    uses = {u.outcome: u for u in agent.uses}
    allowed, denied = uses[Outcome.ALLOWED], uses[Outcome.DENIED]
    # the catalogue's spelling of the RBAC operation; the log's own spelling kept as the event
    assert allowed.action == "Microsoft.Storage/storageAccounts/listKeys/action"
    assert allowed.event == "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION"
    assert allowed.resource == STORAGE.lower()  # the inventory's lower-case ARM id
    assert allowed.samples[0].id == "c0ffee00-0000-4000-8000-000000000001"
    assert denied.action == "Microsoft.Authorization/roleAssignments/write"
    assert denied.error == "AuthorizationFailed"
    assert agent.source_ips == ("20.1.2.3",)
    assert [(d.service, d.count) for d in agent.daily] == [
        ("Microsoft.Authorization", 1),
        ("Microsoft.Storage", 1),
    ]
    assert one(records, PLATFORM_MI).principal == "managed-identity"
    assert one(records, "11111111-2222-4333-8444-555555555555").principal == "user"
    (found,) = scopes(records)
    assert found.accounts == (SUBSCRIPTION,) and found.events == 5
    assert found.service_events == {"Policy": 1}


def test_az_activity_log_list_output_and_the_older_records_files(tmp_path: Path) -> None:
    write_array(tmp_path / "az.json", [az_event(DAY), az_event(DAY, failed=True)])
    older = activity_path(tmp_path / "older", DAY)
    older.parent.mkdir(parents=True)
    older.write_text(json.dumps({"records": [activity_record(DAY)]}))
    records = collect(activity=(str(tmp_path / "az.json"), str(tmp_path / "older")))
    agent = one(records, CLAIMS_AGENT)
    outcomes = {(u.action, u.outcome, u.error) for u in agent.uses}
    assert outcomes == {
        ("Microsoft.Storage/storageAccounts/write", Outcome.ALLOWED, None),
        ("Microsoft.Storage/storageAccounts/write", Outcome.DENIED, "Forbidden"),
        ("Microsoft.Storage/storageAccounts/listKeys/action", Outcome.ALLOWED, None),
    }
    assert "20.9.9.9" in agent.source_ips
    assert [s.events for s in scopes(records)] == [2, 1]


def test_a_failure_that_is_no_refusal_passed_authorization(tmp_path: Path) -> None:
    record = activity_record(DAY, result="Failure", signature="Failed.Conflict")
    write_lines(activity_path(tmp_path, DAY), [record])
    (use,) = one(collect(activity=(str(tmp_path),)), CLAIMS_AGENT).uses
    assert use.outcome is Outcome.ALLOWED


def test_sign_ins_from_graph_and_from_a_diagnostic_setting(tmp_path: Path) -> None:
    write_array(tmp_path / "graph.json", [])
    (tmp_path / "graph.json").write_text(
        json.dumps(
            {
                "value": [
                    sign_in(DAY),
                    sign_in(
                        DAY + timedelta(hours=1),
                        error=7000215,
                        sign_in_id="5a1e0000-0000-4000-8000-000000000002",
                    ),
                ]
            }
        )
    )
    write_lines(
        tmp_path / "diag" / "PT1H.json",
        [
            diagnostic_sign_in(
                DAY,
                "ManagedIdentitySignInLogs",
                sp=PLATFORM_MI,
                kind="managedIdentity",
                resource="cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
                resource_name="Azure Key Vault",
            ),
            diagnostic_sign_in(DAY, "ServicePrincipalSignInLogs", sp=None),
        ],
    )
    records = collect(sign_ins=(str(tmp_path / "graph.json"), str(tmp_path / "diag")))
    agent = one(records, CLAIMS_AGENT)
    assert agent.principal == "service-principal" and agent.account == TENANT
    uses = {u.outcome: u for u in agent.uses}
    assert uses[Outcome.ALLOWED].action == f"signin:{GRAPH_APP}"
    assert uses[Outcome.ALLOWED].event == "signin:Microsoft Graph"
    assert uses[Outcome.DENIED].error == "7000215"
    assert [(d.service, d.count) for d in agent.daily] == [("signin", 2)]
    managed = one(records, PLATFORM_MI)
    assert managed.principal == "managed-identity"
    assert managed.uses[0].event == "signin:Azure Key Vault"
    diag = scopes(records)[1]
    assert diag.unattributed == {"(application sign-in without servicePrincipalId)": 1}
    assert diag.accounts == (TENANT,)


def test_activity_and_sign_ins_of_one_identity_are_one_summary(tmp_path: Path) -> None:
    write_lines(activity_path(tmp_path / "a", DAY), [activity_record(DAY)])
    write_array(tmp_path / "s.json", [sign_in(DAY)])
    records = collect(activity=(str(tmp_path / "a"),), sign_ins=(str(tmp_path / "s.json"),))
    agent = one(records, CLAIMS_AGENT)
    assert agent.count == 2 and len(agent.uses) == 2


def test_broken_records_are_errors_naming_the_file_and_line(tmp_path: Path) -> None:
    path = activity_path(tmp_path, DAY)
    good = json.dumps(activity_record(DAY))
    path.parent.mkdir(parents=True)
    path.write_text(f"{good}\n{good[:-30]}\n")
    with pytest.raises(ConnectorError, match=r"PT1H\.json:2: not an Activity Log record"):
        collect(activity=(str(tmp_path),))
    record = activity_record(DAY)
    del record["time"]
    write_lines(path, [activity_record(DAY), activity_record(DAY), record])
    with pytest.raises(ConnectorError, match=r"PT1H\.json:3: an Activity Log record with neither"):
        collect(activity=(str(tmp_path),))


def test_the_window_skips_hour_folders_outside_it(tmp_path: Path) -> None:
    early = DAY - timedelta(days=10)
    write_lines(activity_path(tmp_path, early), [activity_record(early)])
    write_lines(activity_path(tmp_path, DAY), [activity_record(DAY)])
    records = collect(
        activity=(str(tmp_path),), window=Window(since=DAY - timedelta(days=1), until=NOW)
    )
    (found,) = scopes(records)
    assert (found.files, found.skipped_files, found.events) == (1, 1, 1)


def _scan(*args: str) -> Any:
    return CliRunner().invoke(cli, ["scan", "--no-store", "--no-agents", *args])


def test_the_activity_window_is_one_option_for_every_reader(tmp_path: Path) -> None:
    result = _scan("--activity-since", "2026-11-01", "-o", str(tmp_path / "x.json"))
    assert result.exit_code == 2
    assert "--activity-since goes with --aws-cloudtrail or --gcp-audit-log or " in result.output
    result = CliRunner().invoke(cli, ["scan", "--help"])
    assert result.output.count("--activity-since") == 1
    # it goes with any reader: here sign-ins alone
    write_array(tmp_path / "s.json", [sign_in(DAY)])
    result = _scan(
        "--entra-signin-log",
        str(tmp_path / "s.json"),
        "--activity-since",
        "2026-11-01",
        "--activity-until",
        "2026-11-05",
        "-o",
        str(tmp_path / "r.json"),
    )
    assert result.exit_code in (0, 1), result.output
    (scope,) = json.loads((tmp_path / "r.json").read_text())["activity"]["sources"]
    assert scope["since"].startswith("2026-11-01") and scope["until"].startswith("2026-11-05")


def test_report_json_names_the_inventorys_service_principals(tmp_path: Path) -> None:
    from nhiscan.connectors.demo import azure as demo_azure

    recent = datetime.now(UTC) - timedelta(days=1)
    write_lines(
        activity_path(tmp_path / "logs", recent),
        [
            activity_record(recent),
            activity_record(recent, oid="99999999-8888-4777-8666-555555555555"),
        ],
    )
    write_array(
        tmp_path / "signins.json", [sign_in(recent, sp=PLATFORM_MI, kind="managedIdentity")]
    )
    out = tmp_path / "out"
    result = _scan(
        "--azure-export",
        str(demo_azure.EXPORT),
        "--azure-activity-log",
        str(tmp_path / "logs"),
        "--entra-signin-log",
        str(tmp_path / "signins.json"),
        "--activity-since",
        f"{recent - timedelta(days=1):%Y-%m-%d}",
        "-o",
        str(out),
        "--format",
        "json",
    )
    assert result.exit_code in (0, 1), result.output
    activity = json.loads((out / "report.json").read_text())["activity"]
    entries = {entry["identity"]: entry for entry in activity["identities"]}
    assert entries[CLAIMS_AGENT]["in_inventory"] is True
    assert entries[CLAIMS_AGENT]["kind"] == "service-principal"
    assert entries[PLATFORM_MI]["in_inventory"] is True
    assert entries[PLATFORM_MI]["kind"] == "managed-identity"
    assert entries["99999999-8888-4777-8666-555555555555"]["in_inventory"] is False
    assert [s["source"] for s in activity["sources"]] == [
        str(tmp_path / "logs"),
        str(tmp_path / "signins.json"),
    ]
