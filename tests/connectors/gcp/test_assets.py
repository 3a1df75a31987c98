"""GcpAssetsConnector: Cloud Asset Inventory exports and IAM policy search results, offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.app.snapshots import load
from nhiscan.cli import cli
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.gcp.offline.reader import GcpAssetsConnector
from nhiscan.errors import ConnectorError
from nhiscan.scanner.fingerprint import gcp_sa_key
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    CredentialKind,
    CredentialStatus,
    GapReason,
    Group,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Record,
    Resource,
    ResourceKind,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "gcp" / "assets"
RESOURCES = DATA / "resources.ndjson"
POLICIES = DATA / "iam-policies.ndjson"
FORSETI = DATA / "forseti-style.ndjson"
SEARCH = DATA / "search-results.json"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
DEPLOY = "deploy@acme-prod.iam.gserviceaccount.com"
EXPOSED_KEY = "3f1c9b7e0a2d4c6b8e5f7a9c1d3e5f7a9b1c3d5e"
PROJECT_POLICY = "//cloudresourcemanager.googleapis.com/projects/acme-prod"


def read(*paths: Path, lines: list[str] | None = None) -> list[Record]:
    progress = lines.append if lines is not None else (lambda _: None)
    return list(GcpAssetsConnector(list(paths)).collect(CollectContext(now=NOW, progress=progress)))


def by_id(records: list[Record], cls: type[Any]) -> dict[str, Any]:
    return {r.id: r for r in records if isinstance(r, cls)}


def gaps(records: list[Record]) -> dict[tuple[str, str], CollectionGap]:
    return {(g.scope, g.operation): g for g in records if isinstance(g, CollectionGap)}


def write(tmp_path: Path, *lines: Any, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{json.dumps(x) if not isinstance(x, str) else x}\n" for x in lines))
    return path


def snake(value: Any) -> Any:
    """The proto spellings of an exported line's own keys (forseti's dumps)."""
    names = {"assetType": "asset_type", "iamPolicy": "iam_policy", "updateTime": "update_time",
             "discoveryName": "discovery_name"}  # fmt: skip
    out = {names.get(k, k): v for k, v in value.items()}
    if isinstance(out.get("resource"), dict):
        out["resource"] = {names.get(k, k): v for k, v in out["resource"].items()}
    return out


OLD_NAMES = {
    "cloudresourcemanager.googleapis.com/Organization": "google.cloud.resourcemanager.Organization",
    "cloudresourcemanager.googleapis.com/Folder": "google.cloud.resourcemanager.Folder",
    "cloudresourcemanager.googleapis.com/Project": "google.cloud.resourcemanager.Project",
    "iam.googleapis.com/ServiceAccount": "google.iam.ServiceAccount",
    "iam.googleapis.com/ServiceAccountKey": "google.iam.ServiceAccountKey",
    "iam.googleapis.com/Role": "google.iam.Role",
}


def _respelt(tmp_path: Path, keys: str, names: str) -> list[Record]:
    out = []
    for source in (RESOURCES, POLICIES):
        for text in source.read_text().splitlines():
            line = json.loads(text)
            if names == "old":
                line["assetType"] = OLD_NAMES.get(line["assetType"], line["assetType"])
            out.append(snake(line) if keys == "snake" else line)
    return read(write(tmp_path, *out))


@pytest.mark.parametrize("keys", ["camel", "snake"])
@pytest.mark.parametrize("names", ["current", "old"])
def test_every_asset_type_in_both_spellings_and_both_type_names(
    tmp_path: Path, keys: str, names: str
) -> None:
    records = _respelt(tmp_path, keys, names)
    expected = read(RESOURCES, POLICIES)
    assert [r for r in records if not isinstance(r, CollectionGap)] == [
        r for r in expected if not isinstance(r, CollectionGap)
    ]
    assert set(gaps(records)) == set(gaps(expected))
    resources = by_id(records, Resource)
    assert resources["organizations/93422"].kind is ResourceKind.GCP_ORGANIZATION
    assert resources["organizations/93422"].name == "acme.example"
    assert resources["folders/82001"].kind is ResourceKind.GCP_FOLDER
    assert resources["folders/82001"].account == "organizations/93422"
    assert resources["projects/acme-prod"].kind is ResourceKind.GCP_PROJECT
    assert resources["projects/acme-prod"].policy == f"{PROJECT_POLICY}#iam"
    identities = by_id(records, Identity)
    assert set(identities) == {DEPLOY, "old-batch@acme-prod.iam.gserviceaccount.com"}
    policies = by_id(records, Policy)
    assert policies["projects/acme-prod/roles/deployer"].kind is PolicyKind.CUSTOM_ROLE
    assert policies["organizations/93422/roles/auditor"].document["deleted"] is True
    assert len(by_id(records, Credential)) == 3


def test_project_account_with_parents_root_down_and_number() -> None:
    records = read(RESOURCES, POLICIES)
    accounts = by_id(records, Account)
    assert accounts == {
        "acme-prod": Account(
            provider="gcp",
            id="acme-prod",
            name="Acme Production",  # type: ignore[arg-type]
            org_id="organizations/93422",
            parents=("organizations/93422", "folders/82001"),
            native_id="411224356",
        )
    }


def test_service_accounts() -> None:
    identities = by_id(read(RESOURCES), Identity)
    deploy = identities[DEPLOY]
    assert (deploy.kind, deploy.name, deploy.account, deploy.native_id) == (
        IdentityKind.SERVICE_ACCOUNT, "deploy", "acme-prod", "104216071823740812390",
    )  # fmt: skip
    assert (deploy.path, deploy.description, deploy.is_human) == (
        "deploy", "deploys the web tier", False,
    )  # fmt: skip
    assert deploy.disabled is False
    assert identities["old-batch@acme-prod.iam.gserviceaccount.com"].disabled is True


def test_keys_disable_reason_no_expiry_and_system_keys() -> None:
    keys = by_id(read(RESOURCES), Credential)
    exposed = keys[EXPOSED_KEY]
    assert exposed.kind is CredentialKind.SA_KEY
    assert exposed.identity == DEPLOY
    assert exposed.status is CredentialStatus.INACTIVE
    assert exposed.status_reason == "exposed"
    assert exposed.expires is None  # 9999-12-31: never expires
    assert exposed.created == datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
    assert exposed.fingerprint == gcp_sa_key(EXPOSED_KEY)
    assert exposed.origin == "google-provided"
    system = keys["8a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b"]
    assert system.kind is CredentialKind.SA_SYSTEM_KEY
    assert system.status is CredentialStatus.EXPIRED  # before NOW
    assert system.created == datetime(2026, 11, 1, 0, 0, 0, 123456, tzinfo=UTC)
    # the SA is named by its unique id in the key's name: joined to its e-mail
    uploaded = keys["c0ffee0000000000000000000000000000000001"]
    assert uploaded.identity == "old-batch@acme-prod.iam.gserviceaccount.com"
    assert uploaded.origin == "user-provided"
    assert uploaded.status_reason is None


def test_a_conditional_binding_is_kept_in_the_policy_document() -> None:
    policies = by_id(read(RESOURCES, POLICIES), Policy)
    project = policies[f"{PROJECT_POLICY}#iam"]
    assert project.kind is PolicyKind.IAM_ALLOW
    assert project.attached_to == (PROJECT_POLICY,)
    assert project.account == "acme-prod"
    assert project.version == "3"
    binding = project.document["bindings"][0]
    assert binding["condition"]["expression"] == (
        "request.time < timestamp('2027-01-01T00:00:00Z')"
    )
    # a service account's policy is named by its e-mail, not the export's unique id
    sa = f"//iam.googleapis.com/projects/acme-prod/serviceAccounts/{DEPLOY}"
    assert policies[f"{sa}#iam"].attached_to == (sa,)
    assert policies["//cloudresourcemanager.googleapis.com/folders/82001#iam"].account is None
    bucket = by_id(read(RESOURCES, POLICIES), Resource)[
        "//storage.googleapis.com/acme-prod-artifacts"
    ]
    assert (bucket.kind, bucket.account) == (ResourceKind.GCS_BUCKET, "acme-prod")
    assert bucket.policy == "//storage.googleapis.com/acme-prod-artifacts#iam"


def test_forseti_style_lines_without_ancestors() -> None:
    records = read(FORSETI)
    account = by_id(records, Account)["legacy-one"]
    assert (account.parents, account.native_id, account.name) == (
        ("organizations/555000111",), "700100200", "Legacy One",
    )  # fmt: skip
    assert (
        by_id(records, Identity)["etl@legacy-one.iam.gserviceaccount.com"].account == "legacy-one"
    )
    key = by_id(records, Credential)["0123456789abcdef0123456789abcdef01234567"]
    assert (key.status, key.status_reason, key.expires) == (CredentialStatus.INACTIVE, None, None)
    found = gaps(records)
    reason = found[
        ("organizations/555000111", "iam.projects.serviceAccounts.keys.list#disableReason")
    ]
    assert str(FORSETI) in reason.detail
    # an asset the export does not place is a gap naming it, and is not read
    orphan = found[("//spanner.googleapis.com/instances/orphan", "gcp-assets:ancestors")]
    assert orphan.subject == "//spanner.googleapis.com/instances/orphan"
    assert f"{FORSETI}:9" in orphan.detail
    assert not [p for p in by_id(records, Policy) if "spanner" in p]


def test_search_results_list() -> None:
    records = read(SEARCH)
    account = by_id(records, Account)["acme-data"]
    assert (account.parents, account.native_id) == (
        ("organizations/93422", "folders/82001"), "622100300",
    )  # fmt: skip
    policies = by_id(records, Policy)
    assert "//cloudresourcemanager.googleapis.com/projects/acme-data#iam" in policies
    assert not by_id(records, Identity)
    assert by_id(records, Group)["group:analysts@acme.example"].account == "organizations/93422"
    operations = {op for scope, op in gaps(records) if scope == "organizations/93422"}
    assert {
        "gcp-assets:iam.googleapis.com/ServiceAccount",
        "gcp-assets:iam.googleapis.com/ServiceAccountKey",
        "gcp-assets:deny-policies",
        "gcp-assets:group-memberships",
    } <= operations
    assert ("acme-data", "gcp-assets:last-use") in gaps(records)  # per project


def test_search_results_as_a_response_object(tmp_path: Path) -> None:
    path = tmp_path / "response.json"
    path.write_text(json.dumps({"results": json.loads(SEARCH.read_text())}, indent=2))
    records, expected = read(path), read(SEARCH)
    assert [r for r in records if not isinstance(r, CollectionGap)] == [
        r for r in expected if not isinstance(r, CollectionGap)
    ]


def test_what_an_export_lacks_is_a_gap_naming_the_files() -> None:
    found = gaps(read(RESOURCES, POLICIES))
    scope = "organizations/93422"
    assert set(found) == {
        ("acme-prod", "gcp-assets:last-use"),  # per project: what a key's account names
        (scope, "gcp-assets:deny-policies"),
        (scope, "gcp-assets:group-memberships"),
    }
    for gap in found.values():
        assert gap.reason is GapReason.NOT_IN_EXPORT
        assert str(RESOURCES) in gap.detail or str(POLICIES) in gap.detail
    # a resource export alone has no allow policies; a policy export alone no accounts or keys
    assert (scope, "gcp-assets:iam-policies") in gaps(read(RESOURCES))
    assert (scope, "gcp-assets:iam.googleapis.com/ServiceAccountKey") in gaps(read(POLICIES))


def test_unknown_types_are_skipped_and_counted() -> None:
    lines: list[str] = []
    records = read(RESOURCES, lines=lines)
    assert f"gcp-assets {RESOURCES}: skipped 1 assets of types nhiscan does not read" in lines
    assert not [r for r in records if "networks" in getattr(r, "id", "")]


def test_the_same_asset_twice_keeps_the_later_line(tmp_path: Path) -> None:
    line = json.loads(RESOURCES.read_text().splitlines()[3])
    newer = json.loads(json.dumps(line))
    newer["updateTime"] = "2026-11-03T00:00:00Z"
    newer["resource"]["data"]["displayName"] = "deploy v2"
    identities = by_id(read(write(tmp_path, newer, line)), Identity)
    assert identities[DEPLOY].path == "deploy v2"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", ":2: not valid JSON"),
        ({"name": "//x"}, ":2: assetType: missing"),
        ([1, 2], ":2: the line: expected an object"),
        (
            {"name": "//x", "assetType": "t", "iamPolicy": {"bindings": [
                {"role": "r", "members": ["a"]}, {"role": "r", "members": ["b"]},
                {"role": "r", "members": "user:c"}]}},
            ":2: iamPolicy.bindings[2].members: expected a list of strings",
        ),
        (
            {"name": "//k", "assetType": "iam.googleapis.com/ServiceAccountKey",
             "resource": {"data": {"validAfterTime": "yesterday"}}},
            ":2: resource.data.validAfterTime: expected an RFC 3339 time",
        ),
    ],
)  # fmt: skip
def test_a_malformed_line_names_file_and_line(tmp_path: Path, line: Any, message: str) -> None:
    good = RESOURCES.read_text().splitlines()[0]
    path = write(tmp_path, good, line)
    with pytest.raises(ConnectorError) as raised:
        read(path)
    assert str(raised.value).startswith(f"{path}{message}")


@pytest.mark.parametrize("content", ["", "\n  \n", "[]", '{"results": []}'])
def test_an_empty_export_is_an_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.json"
    path.write_text(content)
    with pytest.raises(ConnectorError, match="no assets"):
        read(path)


def test_a_list_of_something_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('[{"resource": "//x"}]')
    with pytest.raises(ConnectorError, match=r"result \[0\]: policy: missing"):
        read(path)


def test_cli_collect_writes_a_snapshot_that_loads(tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    args = ["collect", "--gcp-assets", str(RESOURCES), "--gcp-assets", str(POLICIES),
            "--gcp-assets", str(SEARCH), "-o", str(snap)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    snapshot = load(snap)
    assert snapshot.sources == (
        f"gcp-assets:{RESOURCES}", f"gcp-assets:{POLICIES}", f"gcp-assets:{SEARCH}",
    )  # fmt: skip
    assert {a.id for a in snapshot.accounts} == {"acme-prod", "acme-data"}
    keys = {c.id: c for c in snapshot.credentials}
    assert keys[EXPOSED_KEY] == by_id(read(RESOURCES), Credential)[EXPOSED_KEY]
    assert keys[EXPOSED_KEY].status_reason == "exposed"
    assert {i.id for i in snapshot.identities} == {
        DEPLOY, "old-batch@acme-prod.iam.gserviceaccount.com",
    }  # fmt: skip
    assert f"{PROJECT_POLICY}#iam" in {p.id for p in snapshot.policies}
    assert {g.operation for g in snapshot.gaps} >= {"gcp-assets:last-use"}


def test_cli_analyze_of_the_snapshot_says_what_it_did_not_analyse(tmp_path: Path) -> None:
    snap, out = tmp_path / "snap.json", tmp_path / "report.json"
    runner = CliRunner()
    collected = runner.invoke(cli, ["collect", "--gcp-assets", str(RESOURCES), "-o", str(snap)])
    assert collected.exit_code == 0, collected.output
    analyzed = runner.invoke(cli, ["analyze", str(snap), "--no-agents", "--format", "json",
                                   "-o", str(out)])  # fmt: skip
    assert analyzed.exit_code == 0, analyzed.output
    report = json.loads(out.read_text())
    assert report["summary"]["identities"] == 2
    assert {g["reason"] for g in report["gaps"]} >= {"not-in-export"}


def test_a_byte_order_mark_and_blank_lines_are_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_text("\ufeff" + RESOURCES.read_text().replace("\n", "\n\n"), encoding="utf-8")
    assert by_id(read(path), Identity).keys() == by_id(read(RESOURCES), Identity).keys()


def test_cli_malformed_line_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, RESOURCES.read_text().splitlines()[0], {"assetType": "x"})
    result = CliRunner().invoke(cli, ["collect", "--gcp-assets", str(path), "-o",
                                      str(tmp_path / "s.json")])  # fmt: skip
    assert result.exit_code == 2
    assert f"{path}:2: name: missing" in result.output


def test_cli_empty_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_text("")
    result = CliRunner().invoke(cli, ["collect", "--gcp-assets", str(path), "-o",
                                      str(tmp_path / "s.json")])  # fmt: skip
    assert result.exit_code == 2
    assert "no assets" in result.output


def test_an_export_never_reads_as_never_used(tmp_path: Path) -> None:
    """An export has no last use: an old, enabled user-managed key is too old (NHI001), but
    never "never used" (NHI002), because the export's last-use gap covers its project."""
    line = next(x for x in RESOURCES.read_text().splitlines() if EXPOSED_KEY in x)
    asset = json.loads(line)
    data = asset["resource"]["data"]
    data.pop("disableReason", None)
    data["disabled"] = False
    lines = [x for x in RESOURCES.read_text().splitlines() if EXPOSED_KEY not in x]
    export = write(tmp_path, *lines, asset)
    snap, out = tmp_path / "snap.json", tmp_path / "report.json"
    runner = CliRunner()
    collected = runner.invoke(cli, ["collect", "--gcp-assets", str(export), "-o", str(snap)])
    assert collected.exit_code == 0, collected.output
    analyzed = runner.invoke(cli, ["analyze", str(snap), "--no-agents", "--format", "json",
                                   "-o", str(out)])  # fmt: skip
    assert analyzed.exit_code in (0, 1), analyzed.output
    findings = json.loads(out.read_text())["findings"]
    on_key = {f["rule_id"] for f in findings if EXPOSED_KEY in f["title"] or
              f["evidence"].get("key") == EXPOSED_KEY}  # fmt: skip
    assert "NHI001" in on_key, findings
    assert "NHI002" not in on_key
