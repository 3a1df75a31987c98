"""The pure GAAD transforms, on a fixture in the AWS CLI's wire shape."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from nhiscan.connectors.aws.gaad import RoleExtras, UserExtras, to_records, to_user
from nhiscan.connectors.aws.gaad_doc import GaadEntryError, accounts_in, merge_pages
from nhiscan.scanner.model import (
    CollectionGap,
    GapReason,
    Group,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Resource,
    ResourceKind,
)
from tests.connectors.aws.helpers import of

FIXTURE = Path(__file__).parents[2] / "data" / "aws" / "gaad-small.json"
ACCT = "111122223333"
BOT = f"arn:aws:iam::{ACCT}:user/service/deploy-bot"
APP = f"arn:aws:iam::{ACCT}:role/app"
DEPLOYER = f"arn:aws:iam::{ACCT}:policy/ci/deployer"
SUPPORT_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"
BOUNDARY = f"arn:aws:iam::{ACCT}:policy/boundary"


@pytest.fixture
def gaad() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    return data


def test_users(gaad: dict[str, Any]) -> None:
    identities = of(to_records(gaad), Identity)
    bot = identities[BOT]
    assert (bot.kind, bot.name, bot.account, bot.path) == (
        IdentityKind.IAM_USER,
        "deploy-bot",
        ACCT,
        "/service/",
    )
    assert bot.native_id == "AIDAEXAMPLEDEPLOYBOT1"
    assert bot.created == datetime(2021, 3, 4, 10, 20, 30, tzinfo=UTC)
    assert bot.tags == {"owner": "platform-team"}
    assert bot.policies == (
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        DEPLOYER,
        f"{BOT}#inline/ci-inline",
    )
    assert bot.member_of == (f"arn:aws:iam::{ACCT}:group/ci/deployers",)
    assert bot.permissions_boundary == BOUNDARY
    # not in a GAAD export: unknown, not "no"
    assert (bot.console_access, bot.mfa_devices, bot.password_last_used) == (None, None, None)
    assert identities[f"arn:aws:iam::{ACCT}:user/alice"].member_of == (
        f"arn:aws:iam::{ACCT}:group/admins",
    )


def test_roles(gaad: dict[str, Any]) -> None:
    identities = of(to_records(gaad), Identity)
    app = identities[APP]
    assert (app.kind, app.name, app.native_id) == (
        IdentityKind.IAM_ROLE,
        "app",
        "AROAEXAMPLEAPPROLE001",
    )
    assert app.policies == (DEPLOYER, f"{APP}#inline/read-secrets")
    assert app.permissions_boundary == BOUNDARY
    assert app.trust_policy == f"{APP}#trust"
    assert app.last_used == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert app.last_used_region == "eu-west-1"
    assert app.tags == {"team": "payments"}
    assert app.service_linked is False
    assert app.instance_profiles == (f"arn:aws:iam::{ACCT}:instance-profile/app-profile",)
    assert app.max_session_seconds is None and app.description is None
    support = next(i for i in identities.values() if i.name == "AWSServiceRoleForSupport")
    assert support.service_linked is True
    assert (support.last_used, support.last_used_region) == (None, None)


def test_groups_policies_and_instance_profiles(gaad: dict[str, Any]) -> None:
    records = list(to_records(gaad))
    group = of(records, Group)[f"arn:aws:iam::{ACCT}:group/ci/deployers"]
    assert (group.name, group.path) == ("deployers", "/ci/")
    assert group.policies == (DEPLOYER, f"{group.id}#inline/queue-access")
    policies = of(records, Policy)
    deployer = policies[DEPLOYER]
    assert (deployer.kind, deployer.account, deployer.version) == (
        PolicyKind.CUSTOMER_MANAGED,
        ACCT,
        "v2",
    )
    assert deployer.document["Statement"][0]["Action"] == [
        "ecs:UpdateService",
        "ecs:DescribeServices",
    ]
    assert deployer.updated == datetime(2023, 1, 20, 16, 45, tzinfo=UTC)
    read_only = policies["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert (read_only.kind, read_only.account, read_only.name) == (
        PolicyKind.AWS_MANAGED,
        None,
        "ReadOnlyAccess",
    )
    inline = policies[f"{BOT}#inline/ci-inline"]
    assert (inline.kind, inline.account, inline.attached_to) == (PolicyKind.INLINE, ACCT, (BOT,))
    trust = policies[f"{APP}#trust"]
    assert trust.kind is PolicyKind.TRUST
    assert trust.document == gaad["RoleDetailList"][0]["AssumeRolePolicyDocument"]
    [profile] = of(records, Resource).values()
    assert (profile.kind, profile.runs_as, profile.name) == (
        ResourceKind.INSTANCE_PROFILE,
        APP,
        "app-profile",
    )
    # The fixture's support role uses an AWS managed policy the export does not hold.
    [gap] = [r for r in records if isinstance(r, CollectionGap)]
    assert (gap.operation, gap.subject) == ("iam:GetPolicyVersion", SUPPORT_POLICY)


def test_a_referenced_aws_managed_policy_missing_from_the_export(gaad: dict[str, Any]) -> None:
    records = list(to_records(gaad))
    bundled = of(records, Policy)[SUPPORT_POLICY]
    assert bundled.kind is PolicyKind.AWS_MANAGED and bundled.document["Statement"]
    [gap] = [r for r in records if isinstance(r, CollectionGap)]
    assert gap.reason is GapReason.NOT_IN_EXPORT and "bundled with moto" in gap.detail


def test_a_referenced_customer_policy_missing_from_the_export_is_a_gap(
    gaad: dict[str, Any],
) -> None:
    gaad["Policies"] = [p for p in gaad["Policies"] if p["Arn"] != DEPLOYER]
    records = list(to_records(gaad))
    assert DEPLOYER not in of(records, Policy)
    gaps = {g.subject: g for g in records if isinstance(g, CollectionGap)}
    assert "what it grants is unknown" in gaps[DEPLOYER].detail
    assert gaps[DEPLOYER].scope == ACCT


def test_documents_as_json_strings_and_url_encoded(gaad: dict[str, Any]) -> None:
    user = gaad["UserDetailList"][0]
    document = user["UserPolicyList"][0]["PolicyDocument"]
    user["UserPolicyList"][0]["PolicyDocument"] = quote(json.dumps(document))
    role = gaad["RoleDetailList"][0]
    trust = role["AssumeRolePolicyDocument"]
    role["AssumeRolePolicyDocument"] = json.dumps(trust)
    policies = of(to_records(gaad), Policy)
    assert policies[f"{BOT}#inline/ci-inline"].document == document
    assert policies[f"{APP}#trust"].document == trust


def test_an_undecodable_document_is_a_gap_naming_the_policy(gaad: dict[str, Any]) -> None:
    gaad["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"] = "%7Bnot json"
    records = list(to_records(gaad))
    [gap] = [r for r in records if isinstance(r, CollectionGap) and r.subject != SUPPORT_POLICY]
    assert (gap.subject, gap.scope, gap.reason) == (
        f"{BOT}#inline/ci-inline",
        ACCT,
        GapReason.FAILED,
    )
    assert gap.operation == "iam:GetAccountAuthorizationDetails"
    assert BOT in of(records, Identity)  # the user is still there


def test_missing_default_version_is_a_gap(gaad: dict[str, Any]) -> None:
    gaad["Policies"][0]["PolicyVersionList"] = []
    gaps = [r for r in to_records(gaad) if isinstance(r, CollectionGap)]
    assert [g.subject for g in gaps if g.subject != SUPPORT_POLICY] == [DEPLOYER]


def test_malformed_entries_name_the_list_index_and_arn(gaad: dict[str, Any]) -> None:
    broken = copy.deepcopy(gaad)
    del broken["RoleDetailList"][0]["RoleName"]
    with pytest.raises(
        GaadEntryError,
        match=r"RoleDetailList\[0\] \(arn:aws:iam::111122223333:role/app\).*RoleName",
    ):
        list(to_records(broken))
    broken = copy.deepcopy(gaad)
    broken["UserDetailList"][1] = "alice"
    with pytest.raises(GaadEntryError, match=r"UserDetailList\[1\]: malformed entry"):
        list(to_records(broken))
    broken = copy.deepcopy(gaad)
    broken["Policies"][2]["CreateDate"] = "yesterday"
    with pytest.raises(
        GaadEntryError, match=r"Policies\[2\] \(arn:aws:iam::aws:policy/ReadOnlyAccess\)"
    ):
        list(to_records(broken))


def test_extras_fill_what_gaad_lacks(gaad: dict[str, Any]) -> None:
    used = datetime(2024, 1, 1, tzinfo=UTC)
    extras = UserExtras(console_access=True, password_last_used=used, mfa_devices=2, last_used=used)
    records = to_records(
        gaad,
        users={BOT: extras},
        roles={APP: RoleExtras(description="the app", max_session_seconds=43200)},
    )
    identities = of(records, Identity)
    bot, app = identities[BOT], identities[APP]
    assert (bot.console_access, bot.mfa_devices, bot.password_last_used, bot.last_used) == (
        True,
        2,
        used,
        used,
    )
    assert (app.description, app.max_session_seconds) == ("the app", 43200)


def test_to_user_without_group_paths_uses_root_path(gaad: dict[str, Any]) -> None:
    assert to_user(gaad["UserDetailList"][0]).member_of == (f"arn:aws:iam::{ACCT}:group/deployers",)


def test_merge_pages_and_accounts(gaad: dict[str, Any]) -> None:
    first = {"UserDetailList": gaad["UserDetailList"][:1], "IsTruncated": True, "Marker": "m"}
    second = {**gaad, "UserDetailList": gaad["UserDetailList"][1:]}
    merged = merge_pages([first, second])
    assert [u["UserName"] for u in merged["UserDetailList"]] == ["deploy-bot", "alice"]
    assert len(merged["Policies"]) == 3
    assert accounts_in(merged) == [ACCT]  # "aws" (AWS managed policies) is no account
