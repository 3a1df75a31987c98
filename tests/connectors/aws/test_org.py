"""Organizations as a member account sees it (stubbed: moto answers members with empty lists
where AWS refuses them with AccessDeniedException).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.stub import Stubber

from nhiscan.connectors.aws.org import OrgView, fetch_organization, to_account, to_scp
from nhiscan.scanner.model import GapReason, PolicyKind

MEMBER = "222233334444"
MANAGEMENT = "111122223333"
DENIED = "You don't have permissions to access this resource."


class OneClient:
    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str, region: str | None = None) -> Any:
        return self._client


def organizations() -> Any:
    return boto3.client(
        "organizations", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )


def test_member_account_records_that_scps_could_not_be_read() -> None:
    org = organizations()
    described = {
        "Organization": {
            "Id": "o-abcdefghij",
            "Arn": f"arn:aws:organizations::{MANAGEMENT}:organization/o-abcdefghij",
            "MasterAccountId": MANAGEMENT,
        }
    }
    with Stubber(org) as stub:
        stub.add_response("describe_organization", described)
        stub.add_client_error("list_parents", "AccessDeniedException", DENIED, 400)
        stub.add_client_error("list_policies", "AccessDeniedException", DENIED, 400)
        view = fetch_organization(OneClient(org), MEMBER, all_accounts=False, progress=print)  # type: ignore[arg-type]
    assert (view.org_id, view.management_id, view.scps) == ("o-abcdefghij", MANAGEMENT, ())
    by_operation = {g.operation: g for g in view.gaps}
    scps = by_operation["organizations:ListPolicies"]
    assert (scps.scope, scps.reason) == (MEMBER, GapReason.ACCESS_DENIED)
    assert scps.detail.startswith(f"SCPs could not be read from member account {MEMBER}")
    assert scps.detail.endswith(f"AccessDeniedException: {DENIED}")
    assert "organizations:ListParents" in by_operation
    account = to_account(MEMBER, view)
    assert (account.org_id, account.is_management, account.parents) == ("o-abcdefghij", False, ())


def test_outside_an_organization_is_not_a_gap() -> None:
    org = organizations()
    with Stubber(org) as stub:
        stub.add_client_error(
            "describe_organization", "AWSOrganizationsNotInUseException", "not in use", 400
        )
        view = fetch_organization(OneClient(org), MEMBER, all_accounts=False, progress=print)  # type: ignore[arg-type]
    assert view == OrgView()
    assert to_account(MEMBER, view).is_management is False


def test_refused_describe_organization_leaves_management_unknown() -> None:
    org = organizations()
    with Stubber(org) as stub:
        stub.add_client_error("describe_organization", "AccessDeniedException", DENIED, 400)
        view = fetch_organization(OneClient(org), MEMBER, all_accounts=False, progress=print)  # type: ignore[arg-type]
    [gap] = view.gaps
    assert gap.operation == "organizations:DescribeOrganization"
    assert to_account(MEMBER, view).is_management is None


def test_to_scp() -> None:
    arn = f"arn:aws:organizations::{MANAGEMENT}:policy/o-abcdefghij/service_control_policy/p-1"
    content = json.dumps({"Version": "2012-10-17", "Statement": []})
    scp = to_scp({"Id": "p-1", "Arn": arn, "Name": "guard"}, content, ["ou-ab12-cdef3456"])
    assert (scp.id, scp.kind, scp.account, scp.attached_to) == (
        arn,
        PolicyKind.SCP,
        MANAGEMENT,
        ("ou-ab12-cdef3456",),
    )
    aws_arn = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
    full = to_scp({"Id": "p-FullAWSAccess", "Arn": aws_arn, "Name": "FullAWSAccess"}, content, [])
    assert full.account is None
