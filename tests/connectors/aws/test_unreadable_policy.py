"""A live scan that collects a policy AWS's grammar rejects records an unreadable-policy gap.

IAM refuses such documents (moto too: MalformedPolicyDocument), but S3 keeps a bucket policy
with an unknown condition operator as written; the live connector keeps the policy as collected,
records the gap (so the result is incomplete) and the snapshot it writes reads back.
"""

from __future__ import annotations

import json
from dataclasses import replace

import boto3
import pytest

from nhiscan.app import snapshots
from nhiscan.errors import SnapshotError
from nhiscan.scanner import snapshot as snap
from nhiscan.scanner.model import GapReason, Policy, ToolInfo
from tests.connectors.aws.estate import ACCOUNT, doc
from tests.connectors.aws.helpers import NOW, collect, gaps

BUCKET = "odd-bucket"
POLICY_ID = f"arn:aws:s3:::{BUCKET}#policy"
ODD = {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/*",
    "Condition": {"StringFrobnicates": {"aws:SourceVpc": "vpc-1"}},
}


def test_a_policy_that_cannot_be_evaluated_is_a_gap(moto: None) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(doc(ODD)))
    records = collect()
    policies = [r for r in records if isinstance(r, Policy) and r.id == POLICY_ID]
    assert len(policies) == 1  # kept as collected, never dropped
    (gap,) = [g for g in gaps(records) if g.reason is GapReason.UNREADABLE_POLICY]
    assert gap.subject == POLICY_ID and gap.scope == ACCOUNT
    assert "Statement[0]" in gap.detail and "StringFrobnicates" in gap.detail
    assert f"s3-bucket arn:aws:s3:::{BUCKET}" in gap.detail  # what carries it

    written = snap.build_snapshot(
        records, tool=ToolInfo(name="nhiscan", version="t"), collected_at=NOW, sources=()
    )
    again = snapshots.from_json(snap.to_json(written), source="live.json")
    assert POLICY_ID in {p.id for p in again.policies}
    without_gap = replace(written, gaps=tuple(g for g in written.gaps if g != gap))
    with pytest.raises(SnapshotError, match=r"live\.json: policies\[\d+\] \(arn:aws:s3:::odd"):
        snapshots.from_json(snap.to_json(without_gap), source="live.json")


def test_well_formed_policies_are_no_gap(moto: None) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(doc({**ODD, "Condition": {}})))
    records = collect()
    assert not [g for g in gaps(records) if g.reason is GapReason.UNREADABLE_POLICY]
    assert POLICY_ID in {r.id for r in records if isinstance(r, Policy)}
