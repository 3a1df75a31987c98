"""Data-store and secret reach (NHI109): one summary per non-human identity."""

from __future__ import annotations

from typing import Any

from nhiscan.providers.aws.catalog import Catalog, default_catalog
from nhiscan.providers.aws.rules.data_reach import (
    DATA_KINDS,
    Access,
    DataStoreReach,
    _access,
    accesses,
)
from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph
from nhiscan.scanner.graph.model import is_hub
from nhiscan.scanner.graph.reach import unwind
from nhiscan.scanner.model import Finding, Record, ResourceKind, Severity
from tests import factories as f
from tests.scanner.graph.builders import REGION, granted, secret, trusting
from tests.scanner.graph.random_graphs import random_graph

RULE = DataStoreReach()
BUCKET = f.resource("reports", policy=None)
VAULT = secret("db-password")
KEY = f.resource(
    "key-1",
    id=f"arn:aws:kms:{REGION}:{f.ACCOUNT}:key/1111-2222",
    kind=ResourceKind.KMS_KEY,
)
# The default key policy: the account's identities may use the key if their policies allow.
KEY_POLICY = f.resource_policy(
    KEY,
    f.document(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{f.ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"}
    ),
)  # fmt: skip
OFFICE_IP = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}


def run(*records: Record | list[Record]) -> list[Finding]:
    flat: list[Record] = [BUCKET, VAULT, KEY, KEY_POLICY]
    for record in records:
        flat += record if isinstance(record, list) else [record]
    e = f.estate(*flat)
    return list(RULE.evaluate(e, f.context(graph_of=e)))


def _one(*statements: Any) -> Finding:
    (finding,) = run(granted(f.role("worker"), *statements))
    return finding


def test_read_only_access_is_low() -> None:
    finding = _one(f.allow(["s3:GetObject", "s3:ListBucket"], [BUCKET.id, f"{BUCKET.id}/*"]))
    assert finding.severity is Severity.LOW
    (store,) = finding.evidence["data_stores"]["s3-bucket"]
    assert store["resource"] == BUCKET.id
    assert store["access"] == {"List": "allowed", "Read": "allowed"}
    assert store["capabilities"] == {} and store["conditional"] is False
    assert finding.evidence["counts"] == {"s3-bucket": 1, "kms-key": 0, "secret": 0}
    assert finding.title == "Role worker can read or list 1 data store."


def test_reading_a_secret_value_is_medium() -> None:
    finding = _one(f.allow("secretsmanager:GetSecretValue", VAULT.id))
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["read_secret_value"] == {"count": 1, "sample": [VAULT.id]}
    assert finding.title == "Role worker can reach 1 data store: it can read 1 secret value."
    assert [(h["to"], h["edge"]) for h in finding.path] == [(VAULT.id, "can_access")]
    assert finding.path[0]["actions"] == ["secretsmanager:GetSecretValue"]


def test_decrypting_with_a_kms_key_is_medium() -> None:
    finding = _one(f.allow("kms:Decrypt", KEY.id))
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["kms_decrypt"]["sample"] == [KEY.id]


def test_writing_or_deleting_is_medium() -> None:
    finding = _one(f.allow("s3:DeleteObject", f"{BUCKET.id}/*"))
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["write_or_delete"]["count"] == 1


def test_conditional_access_is_marked() -> None:
    finding = _one(
        f.allow("s3:GetObject", f"{BUCKET.id}/*"),
        f.allow("s3:PutObject", f"{BUCKET.id}/*", Condition=OFFICE_IP),
    )
    (store,) = finding.evidence["data_stores"]["s3-bucket"]
    assert store["access"] == {"Read": "allowed", "Write": "conditional"}
    assert store["capabilities"] == {"write_or_delete": "conditional"}
    assert store["conditional"] is False


def test_reach_through_an_assumed_role() -> None:
    bot, reader = f.user("ci-bot"), f.role("reader")
    records = [bot, *granted(reader, f.allow("secretsmanager:GetSecretValue", VAULT.id))]
    found = {x.subject: x for x in run(records, trusting(reader, bot.id))}
    chained = found[bot.id]
    (store,) = chained.evidence["data_stores"]["secret"]
    assert store["via"] == [reader.id]
    assert [(h["from"], h["to"], h["edge"]) for h in chained.path] == [
        (bot.id, reader.id, "can_assume"),
        (reader.id, VAULT.id, "can_access"),
    ]


def test_a_conditional_hop_makes_what_lies_beyond_conditional() -> None:
    bot, reader = f.user("ci-bot"), f.role("reader")
    records = [bot, *granted(reader, f.allow("secretsmanager:GetSecretValue", VAULT.id))]
    trust = f.trust_policy(
        reader, f.document(f.assume_role_statement({"AWS": bot.id}, condition=OFFICE_IP))
    )
    found = {x.subject: x for x in run(records, trust)}
    (store,) = found[bot.id].evidence["data_stores"]["secret"]
    assert store["capabilities"] == {"read_secret_value": "conditional"}
    assert store["conditional"] is True


def test_the_most_sensitive_store_comes_first() -> None:
    finding = _one(
        f.allow("s3:GetObject", f"{BUCKET.id}/*"),
        f.allow("kms:Decrypt", KEY.id),
        f.allow("secretsmanager:GetSecretValue", VAULT.id),
    )
    assert finding.path[-1]["to"] == VAULT.id
    assert finding.evidence["counts"] == {"s3-bucket": 1, "kms-key": 1, "secret": 1}


def test_no_reach_no_finding_and_people_are_excluded() -> None:
    assert run(f.role("idle")) == []
    jane = f.user("jane.doe", console_access=True)
    assert run(granted(jane, f.allow("secretsmanager:GetSecretValue", VAULT.id))) == []


def _unwound(graph: ReachGraph, catalog: Catalog, start: str) -> list[Access]:
    """``accesses`` as it was: each source's certainty read off its whole path."""
    parents = graph.parents(start)
    hops: dict[str, list[tuple[Hop, bool]]] = {}
    for source in [start, *(n for n in parents if not graph.is_stop(n))]:
        leading = any(h.conditional for h in unwind(parents, source))
        for hop in graph.hops_from(source):
            resource = graph.estate.resources.get(hop.target)
            if hop.edge is EdgeKind.CAN_ACCESS and resource and resource.kind in DATA_KINDS:
                hops.setdefault(hop.target, []).append((hop, leading))
    found = [
        _access(graph.estate.resources[arn], grants, catalog, unwind(parents, arn))
        for arn, grants in hops.items()
    ]
    return sorted(found, key=lambda a: a.rank)


def test_certainty_along_the_walk_is_the_certainty_of_each_path() -> None:
    """Random graphs (conditional hops, hubs): each store's levels, capabilities and path are
    those read off the walk's path to every principal granting access."""
    catalog = default_catalog()
    compared = 0
    for seed in range(120):
        graph, _ = random_graph(seed)
        for start in sorted(n for n in graph.graph if not graph.is_stop(n) and not is_hub(n)):
            expected = _unwound(graph, catalog, start)
            assert accesses(graph.estate, graph, catalog, start) == expected, (seed, start)
            compared += len(expected)
    assert compared > 500
