"""Which shards a sharded analysis joins into one group (``app/sharded_links.py``): the
accounts that name each other, everything when a policy admits anyone or records belong to no
account, and the organization's listing read by every group."""

from __future__ import annotations

from typing import Any

from nhiscan.app.sharded_links import ShardLinks, group_shards, read_links
from nhiscan.cluster.shards import record_item
from nhiscan.scanner.model import Account, PolicyKind, Provider
from tests import factories

A, B, C = "111111111111", "222222222222", "333333333333"


def _trust(account: str, name: str, principal: Any) -> Any:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    role = f"arn:aws:iam::{account}:role/{name}"
    return factories.policy(id=f"{role}#trust", kind=PolicyKind.TRUST, account=account,
                            document={"Statement": [statement]}, attached_to=(role,))  # fmt: skip


def _links(url: str, *records: Any) -> ShardLinks:
    return read_links(url, [record_item(r) for r in records])


def _shard(account: str, *more: Any) -> ShardLinks:
    identity = factories.identity(id=f"arn:aws:iam::{account}:user/u", account=account)
    return _links(f"s/{account}", identity, *more)


def test_accounts_that_name_each_other_join_and_the_others_stay_apart() -> None:
    shards = [
        _shard(A, _trust(A, "r", {"AWS": f"arn:aws:iam::{B}:role/ci"})),
        _shard(B),
        _shard(C, _trust(C, "r", {"AWS": "arn:aws:iam::999988887777:root"})),  # not scanned
    ]
    grouping = group_shards(shards)
    assert grouping.groups == ((0, 1), (2,))
    assert grouping.whole is None and grouping.org_wide == ()
    assert shards[0].identities_by_account == {A: 1} and shards[0].counts["policies"] == 1


def test_a_trust_of_anyone_joins_everything() -> None:
    for principal in ("*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111111111111:root", "*"]}):
        shards = [_shard(A), _shard(B), _shard(C, _trust(C, "open", principal))]
        grouping = group_shards(shards)
        assert grouping.groups == ((0, 1, 2),)
        assert grouping.whole is not None and "any principal" in grouping.whole


def test_records_of_no_account_join_everything() -> None:
    grouping = group_shards([_shard(A), _shard(B), _links("s/git", factories.exposure())])
    assert grouping.groups == ((0, 1, 2),) and grouping.whole is not None


def test_the_organization_listing_is_read_by_every_group() -> None:
    org = _links(
        "s/org",
        Account(provider=Provider.AWS, id=A),
        Account(provider=Provider.AWS, id=B),
        factories.scp("deny", {"Effect": "Deny", "Action": "*", "Resource": "*"},
                      attached_to=(A, B)),
        factories.gap(scope="o-123"),
    )  # fmt: skip
    grouping = group_shards([org, _shard(A), _shard(B)])
    assert org.org_wide and grouping.org_wide == (0,)
    assert grouping.groups == ((1,), (2,))  # the SCP names both: it links neither
    assert [a["id"] for a in org.accounts] == [A, B] and len(org.gaps) == 1


def test_an_scp_among_an_accounts_records_joins_everything() -> None:
    scp = factories.scp("deny", {"Effect": "Deny", "Action": "*", "Resource": "*"},
                        attached_to=(A,))  # fmt: skip
    grouping = group_shards([_shard(A, scp), _shard(B)])
    assert grouping.groups == ((0, 1),) and grouping.whole is not None
