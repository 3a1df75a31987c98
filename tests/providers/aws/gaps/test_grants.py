"""What the AWS provider says an identity is granted (``AwsAnalysis.grants``): one neutral
``Grant`` per action and resource a statement names, each policy document parsed once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from nhiscan.providers.aws.gaps import grants as aws_grants
from nhiscan.providers.aws.provider import PROVIDER, AwsAnalysis
from nhiscan.scanner.facts import AccessLevel
from nhiscan.scanner.grants import Probe
from nhiscan.scanner.model import IdentityKind, Provider, Record
from tests import factories as f

# Object actions a bucket policy grants on the objects, one statement each.
OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
    "s3:DeleteObjectTagging",
    "s3:GetObjectAcl",
    "s3:PutObjectAcl",
    "s3:GetObjectVersion",
    "s3:DeleteObjectVersion",
    "s3:RestoreObject",
    "s3:AbortMultipartUpload",
)


def analysis(*records: Record) -> AwsAnalysis:
    found = PROVIDER.analyse(f.estate(*records))
    assert isinstance(found, AwsAnalysis)
    return found


def test_a_statement_is_one_grant_per_action_where_it_acts_with_its_source() -> None:
    docs = {"Sid": "Docs", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::docs", "arn:aws:s3:::docs/*"]}  # fmt: skip
    but_vault = {"Effect": "Allow", "Action": "s3:DeleteObject",
                 "NotResource": "arn:aws:s3:::vault/*"}  # fmt: skip
    pol = f.managed_policy("p", docs, but_vault, f.deny("s3:PutObject"))
    app = f.user("app", policies=(pol.id,))
    found = list(analysis(app, pol).grants(app, ()))
    assert [(g.action, g.resource, g.source.index, g.source.sid) for g in found] == [
        ("s3:GetObject", "arn:aws:s3:::docs/*", 0, "Docs"),
        ("s3:ListBucket", "arn:aws:s3:::docs", 0, "Docs"),
        ("s3:DeleteObject", "*", 1, None),
    ]
    assert all(g.source.policy_id == pol.id and g.service == "s3" for g in found)
    assert [g.access_level for g in found] == [
        AccessLevel.READ,
        AccessLevel.LIST,
        AccessLevel.WRITE,
    ]
    assert found[2].except_resources == ("arn:aws:s3:::vault/*",)
    assert found[0].except_resources == ()
    assert found[0].evidence == {
        "Effect": "Allow",
        "Sid": "Docs",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::docs", "arn:aws:s3:::docs/*"],
    }


def test_other_clouds_identities_and_other_kinds_hold_no_aws_grants() -> None:
    pol = f.managed_policy("p", f.allow("*"))
    sa = f.identity(provider=Provider.GCP, kind=IdentityKind.SERVICE_ACCOUNT, id="sa@p",
                    account="p", policies=(pol.id,))  # fmt: skip
    aws = analysis(sa, pol)
    assert list(aws.grants(sa, ())) == []
    assert aws.gap_support(sa) == "gcp identities are not analysed by the AWS provider"
    assert aws.gap_support(f.role("r")) is None


def test_the_probe_fills_in_the_policy_variables_of_the_identity() -> None:
    app = f.user("app", native_id="AIDAEXAMPLE")
    aws = analysis(app)
    home = "arn:aws:s3:::home/${aws:username}/${aws:userid}/*"
    assert aws.probe(app, home) == Probe(resource="arn:aws:s3:::home/app/AIDAEXAMPLE/*")
    assert aws.probe(app, "arn:aws:s3:::docs/*") == Probe(resource="arn:aws:s3:::docs/*")


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[Mapping[str, Any] | None]:
    """Every document the gap analysis parses, in order."""
    parsed: list[Mapping[str, Any] | None] = []
    real = aws_grants.indexed_statements

    def counting(document: Mapping[str, Any] | None) -> Any:
        parsed.append(document)
        return real(document)

    monkeypatch.setattr(aws_grants, "indexed_statements", counting)
    return parsed


def test_each_policy_is_parsed_once_however_many_statements_and_holders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed = _counting(monkeypatch)
    shared = f.managed_policy("shared", *(f.allow(a) for a in ("sns:Publish", "sqs:SendMessage")))
    reader = replace(f.role("reader"), policies=(shared.id,))
    writer = replace(f.role("writer"), policies=(shared.id,))
    bucket = f.resource("files")
    objects = f"{bucket.id}/*"
    both = {"AWS": [reader.id, writer.id]}
    statements = [
        {"Sid": f"S{n}", "Effect": "Allow", "Principal": both, "Action": a, "Resource": objects}
        for n, a in enumerate(OBJECT_ACTIONS)
    ]
    named = f.resource_policy(bucket, f.document(*statements))
    text = "".join(
        f"  - name: {who.name}\n    owner: t\n    identities: [{who.id}]\n"
        "    steps:\n      - read: s3://docs/*\n"
        for who in (reader, writer)
    )
    ctx = f.agent_context(f.estate(reader, writer, shared, bucket, named), f.agent_file(text))
    assert ctx.agents is not None
    for result in ctx.agents.results:
        assert result.gap is not None
        (gap,) = result.gap.identities
        on_files = [i for i in (*gap.excess, *gap.excess_scope) if i.resource == objects]
        # every statement of the bucket policy was read, through one parse of it
        assert sorted(i.statements[0].index for i in on_files) == list(range(len(statements)))
        assert {(i.action, i.resource) for i in gap.excess} >= {("sns:Publish", "*")}
    assert [d == named.document for d in parsed].count(True) == 1
    assert [d == shared.document for d in parsed].count(True) == 1
    assert len(parsed) == 2
