"""AWS Organizations: the organization, its accounts, where each sits, and its SCPs.

Read from the management account (or a delegated administrator). From a member account,
DescribeOrganization works but the rest is refused: that is a gap saying SCPs could not be
read. An account outside any organization (AWSOrganizationsNotInUseException) is not a gap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors.aws.calls import Answer, call, pages
from nhiscan.connectors.aws.clients import Clients
from nhiscan.connectors.aws.wire import DocumentError, arn_account, decode_document
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    GapReason,
    Policy,
    PolicyKind,
    Provider,
)

SCP_FILTER = "SERVICE_CONTROL_POLICY"
NOT_IN_ORG = "AWSOrganizationsNotInUseException"
MAX_DEPTH = 8  # AWS allows five OU levels under the root
MEMBER_NOTE = "SCPs could not be read from member account {account} (only the management "
MEMBER_NOTE += "account or a delegated administrator can read them): "


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgView:
    """What one account could see of its organization (all None/empty outside one)."""

    org_id: str | None = None
    management_id: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)  # account id -> name
    parents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # root first
    accounts: tuple[str, ...] = ()  # ACTIVE accounts listed (management account only)
    scps: tuple[Policy, ...] = ()
    gaps: tuple[CollectionGap, ...] = ()


def fetch_organization(
    clients: Clients, account: str, *, all_accounts: bool, progress: Callable[[str], None]
) -> OrgView:
    """The organization as seen from ``account``; ``all_accounts``: parents of every account."""
    org = clients.client("organizations")
    described = call(org, "DescribeOrganization", scope=account, absent={NOT_IN_ORG})
    if described.absent:
        return OrgView()
    if described.gap is not None:
        return OrgView(gaps=(described.gap,))
    info = described.value["Organization"]
    management = str(info.get("MasterAccountId") or "") or None
    is_management = management == account
    gaps: list[CollectionGap] = []
    note = "" if is_management else MEMBER_NOTE.format(account=account)
    listed = pages(org, "ListAccounts", scope=account) if is_management else Answer(value=[])
    _keep(listed, gaps)
    entries = listed.items("Accounts")
    active = tuple(str(a["Id"]) for a in entries if a.get("Status", "ACTIVE") == "ACTIVE")
    wanted = active if all_accounts and active else (account,)
    progress(f"aws {account}: organization {info.get('Id')}, {len(entries)} accounts")
    return OrgView(
        org_id=info.get("Id"),
        management_id=management,
        names={str(a["Id"]): str(a["Name"]) for a in entries if a.get("Name")},
        parents=fetch_parents(org, wanted, scope=account, note=note, gaps=gaps),
        accounts=active,
        scps=tuple(fetch_scps(org, scope=account, note=note, gaps=gaps)),
        gaps=tuple(gaps),
    )


def fetch_parents(
    org: Any, accounts: tuple[str, ...], *, scope: str, note: str, gaps: list[CollectionGap]
) -> dict[str, tuple[str, ...]]:
    """Each account's path from the root down to its direct parent (OU parents cached)."""
    parent_of: dict[str, str | None] = {}
    found: dict[str, tuple[str, ...]] = {}
    for account in accounts:
        chain: list[str] = []
        child: str | None = account
        for _ in range(MAX_DEPTH):
            if child is None or child.startswith("r-"):
                break
            if child not in parent_of:
                answer = call(
                    org, "ListParents", scope=scope, subject=child, note=note, ChildId=child
                )
                _keep(answer, gaps)
                parents = answer.items("Parents")
                parent_of[child] = str(parents[0]["Id"]) if parents else None
            child = parent_of[child]
            if child is not None:
                chain.append(child)
        if chain:
            found[account] = tuple(reversed(chain))
    return found


def fetch_scps(org: Any, *, scope: str, note: str, gaps: list[CollectionGap]) -> list[Policy]:
    listed = pages(org, "ListPolicies", scope=scope, note=note, Filter=SCP_FILTER)
    _keep(listed, gaps)
    scps = []
    for summary in listed.items("Policies"):
        policy_id = str(summary["Id"])
        arn = str(summary.get("Arn") or policy_id)
        described = call(org, "DescribePolicy", scope=scope, subject=arn, PolicyId=policy_id)
        targets = pages(org, "ListTargetsForPolicy", scope=scope, subject=arn, PolicyId=policy_id)
        _keep(described, gaps)
        _keep(targets, gaps)
        if not described.ok:
            continue
        content = described.value["Policy"].get("Content")
        try:
            scps.append(to_scp(summary, content, [t["TargetId"] for t in targets.items("Targets")]))
        except DocumentError as exc:
            gaps.append(_undecodable(scope, arn, exc))
    return scps


def to_scp(summary: Mapping[str, Any], content: Any, targets: list[str]) -> Policy:
    """An SCP from its ListPolicies summary, its DescribePolicy Content and its targets."""
    arn = str(summary.get("Arn") or summary["Id"])
    owner = arn_account(arn) if arn.startswith("arn:") else None
    return Policy(
        provider=Provider.AWS,
        id=arn,
        name=str(summary.get("Name") or summary["Id"]),
        kind=PolicyKind.SCP,
        account=None if owner in (None, "", "aws") else owner,
        document=decode_document(content),
        attached_to=tuple(str(t) for t in targets),
    )


def to_account(account: str, view: OrgView) -> Account:
    return Account(
        provider=Provider.AWS,
        id=account,
        name=view.names.get(account),
        org_id=view.org_id,
        parents=view.parents.get(account, ()),
        is_management=_is_management(account, view),
    )


def account_view(view: OrgView, account: str) -> OrgView:
    """What ``to_account`` reads of ``view`` for ``account``: a work unit carries this, not
    every account's names and parents (thousands of them in a large organization)."""
    return OrgView(
        org_id=view.org_id,
        management_id=view.management_id,
        names={account: view.names[account]} if account in view.names else {},
        parents={account: view.parents[account]} if account in view.parents else {},
        gaps=view.gaps if view.org_id is None else (),
    )


def _is_management(account: str, view: OrgView) -> bool | None:
    if view.org_id is not None:
        return view.management_id == account
    return None if view.gaps else False  # refused: unknown; not in an organization: no


def _keep(answer: Answer, gaps: list[CollectionGap]) -> None:
    if answer.gap is not None:
        gaps.append(answer.gap)


def _undecodable(scope: str, arn: str, exc: DocumentError) -> CollectionGap:
    return CollectionGap(
        provider=Provider.AWS,
        scope=scope,
        operation="organizations:DescribePolicy",
        reason=GapReason.FAILED,
        detail=f"SCP content could not be decoded: {exc}",
        subject=arn,
    )
