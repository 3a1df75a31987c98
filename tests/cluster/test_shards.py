"""The shard store: records round-trip exactly, a shard cut short is refused (and written again
by ``--resume``), long keys get short distinct file names, and S3 (moto) works as a folder does."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from nhiscan.cluster.executor import LocalExecutor
from nhiscan.cluster.run import Cluster, UnitOutcome, run_units, shard_records, split_records
from nhiscan.cluster.shards import (
    MAX_NAME,
    ShardRef,
    ShardStore,
    file_name,
    item_record,
    record_item,
)
from nhiscan.cluster.units import Later, UnitContext
from nhiscan.errors import ClusterError
from nhiscan.scanner import snapshot
from nhiscan.scanner.activity import ServiceAccess
from nhiscan.scanner.model import (
    Provider,
    Record,
    Repository,
    SkippedFile,
    SkipReason,
    WorkflowCredential,
    WorkflowTrigger,
)
from tests import factories as f
from tests.cluster import jobs

RUN = "20250601T120000Z-abc123"
KIND = "aws-account"


def every_list() -> list[Record]:
    """One record (or more) of every snapshot list, with nested values, optional fields,
    datetimes and enums set."""
    user = f.user("deployer", tags={"owner": "team-a"}, last_used=f.days_ago(3))
    role = f.role("ci-role")
    key = f.access_key(user, last_used=f.days_ago(2))
    records: list[Record] = [
        f.org_account(),
        user,
        role,
        f.group(),
        key,
        f.password(user),
        f.policy(document=f.document(f.allow(["s3:GetObject"], "arn:aws:s3:::b/*"))),
        f.trust_policy(role),
        f.resource(),
        f.gap(),
        f.exposure(),
        Repository(id="git@example.com:acme/app.git", mode="history", head="a" * 40, commits=3,
                   blobs=10, bytes=2048, skipped=1, slug="acme/app"),
        SkippedFile(repository="git@example.com:acme/app.git", path="big.bin",
                    reason=SkipReason.TOO_LARGE, size=10_000_000, blob="b" * 40),
        WorkflowCredential(id="r#.github/workflows/d.yml#deploy#0", repository="r",
                           slug="acme/app", path=".github/workflows/d.yml", line=12,
                           job="deploy", step=0, action="aws-actions/configure-aws-credentials@v4",
                           cloud=Provider.AWS, target=role.id, inputs={"aws-region": "eu-west-1"},
                           triggers=(WorkflowTrigger(event="push", branches=("main",)),),
                           environment="prod", id_token=True),
        f.trail_session(role.id, f.trail_use("s3:GetObject", "arn:aws:s3:::b/k", count=4)),
        f.trail_scope(),
        ServiceAccess(provider=Provider.AWS, identity=role.id, service="s3",
                      last_accessed=f.days_ago(5), tracked_since=f.days_ago(400),
                      account=f.ACCOUNT),
    ]  # fmt: skip
    lists = {snapshot.list_of(r) for r in records}
    assert lists == set(snapshot._FIELD_FOR.values()), "a snapshot list has no sample here"
    return records


@pytest.fixture
def store(tmp_path: Path) -> ShardStore:
    return ShardStore.at(str(tmp_path / "shards"))


def write(store: ShardStore, key: str, records: list[Record | Later]) -> ShardRef:
    return store.write(RUN, KIND, key, (record_item(r) for r in records))


def read(store: ShardStore, ref: ShardRef) -> list[Record | Later]:
    return list(shard_records(store, ref))


def test_every_snapshot_list_and_later_round_trip_exactly(store: ShardStore) -> None:
    records: list[Record | Later] = [*every_list(), Later(record=jobs.later_gap("acme"))]
    ref = write(store, "123456789012", records)
    assert (ref.items, ref.kind, ref.key) == (len(records), KIND, "123456789012")
    assert read(store, ref) == records
    assert store.find(RUN, KIND, "123456789012") == ref
    assert store.has_run(RUN) and not store.has_run("20250601T120000Z-000000")


def test_a_snapshot_built_from_shards_is_the_snapshot_built_from_the_records(
    store: ShardStore,
) -> None:
    records = every_list()
    ref = write(store, "a", [*records])
    direct = snapshot.build_snapshot(records, tool=f.TOOL, collected_at=f.NOW, sources=())
    outcome = [_outcome(ref)]
    split = snapshot.build_snapshot(split_records(store, (), outcome, ()), tool=f.TOOL,
                                    collected_at=f.NOW, sources=())  # fmt: skip
    assert snapshot.to_json(split) == snapshot.to_json(direct)


def _outcome(ref: ShardRef) -> UnitOutcome:
    return UnitOutcome(unit=jobs.tenant_unit(Path("."), ref.key), shard=ref)


def _cut(path: Path, keep: int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:keep])


def test_a_truncated_shard_is_refused_and_not_found(store: ShardStore) -> None:
    ref = write(store, "a", list(every_list()))
    _cut(Path(ref.url), ref.size // 2)
    with pytest.raises(ClusterError, match="cannot read the shard") as caught:
        read(store, ref)
    assert ref.url in str(caught.value)
    assert store.find(RUN, KIND, "a") is None  # so --resume writes it again


def test_a_shard_without_its_trailer_is_refused_and_not_found(store: ShardStore) -> None:
    records = every_list()
    ref = write(store, "a", list(records))
    lines = gzip.decompress(Path(ref.url).read_bytes()).splitlines(keepends=True)
    assert lines[-1].startswith(b'{"end"')
    Path(ref.url).write_bytes(gzip.compress(b"".join(lines[:-1])))
    with pytest.raises(ClusterError, match=r"cut short .* run again with --resume"):
        read(store, ref)
    assert store.find(RUN, KIND, "a") is None


def test_a_trailer_that_miscounts_is_refused(store: ShardStore) -> None:
    ref = write(store, "a", list(every_list()))
    lines = gzip.decompress(Path(ref.url).read_bytes()).splitlines(keepends=True)
    Path(ref.url).write_bytes(gzip.compress(b"".join(lines[:2] + lines[-1:])))
    with pytest.raises(ClusterError, match=r"the trailer counts .* --resume"):
        read(store, ref)
    assert store.find(RUN, KIND, "a") is None


def test_a_failed_write_leaves_no_shard(store: ShardStore) -> None:
    def items() -> Iterator[dict[str, object]]:
        yield record_item(f.user())
        raise RuntimeError("the worker's task failed half way")

    with pytest.raises(RuntimeError):
        store.write(RUN, KIND, "a", items())
    assert store.find(RUN, KIND, "a") is None
    assert list(Path(store.url, RUN, KIND).iterdir()) == []  # no temporary file left


def test_an_os_error_of_the_task_is_its_own_not_the_stores(store: ShardStore) -> None:
    """A connection reset in the unit's task is the task's failure (retried, then a gap
    quoting it), not "cannot write the shard"."""

    def items() -> Iterator[dict[str, object]]:
        yield record_item(f.user())
        raise ConnectionResetError("the IAM endpoint reset the connection")

    with pytest.raises(ConnectionResetError, match="IAM endpoint"):
        store.write(RUN, KIND, "a", items())
    assert list(Path(store.url, RUN, KIND).iterdir()) == []


def test_a_store_that_cannot_be_written_is_a_cluster_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ClusterError, match="cannot write the shard"):
        write(ShardStore.at(str(tmp_path / "file")), "a", [f.user()])


def test_long_keys_get_short_distinct_file_names(store: ShardStore) -> None:
    base = "https://git.example.com/acme/" + "very-long-group-name/" * 12
    one, two = (
        (base + "service-one.git").ljust(300, "x"),
        (base + "service-two.git").ljust(300, "x"),
    )
    assert len(one) == len(two) == 300
    assert len(file_name(one)) <= MAX_NAME + len(".jsonl.gz")
    assert file_name(one) != file_name(two)
    users = {one: f.user("one"), two: f.user("two")}
    refs = {key: write(store, key, [user]) for key, user in users.items()}
    assert {key: read(store, ref) for key, ref in refs.items()} == {
        key: [user] for key, user in users.items()
    }
    assert store.find(RUN, KIND, one) == refs[one]


def test_a_record_item_that_is_not_a_record_is_refused() -> None:
    with pytest.raises(ClusterError, match="not a record item"):
        item_record({"x": 1}, source="s")
    with pytest.raises(ClusterError, match="'things' is not a snapshot list"):
        item_record({"l": "things", "r": {}}, source="s")


@pytest.fixture
def s3_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[ShardStore]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    from nhiscan.cluster import shards

    shards._s3.cache_clear()
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="nhiscan-shards")
        yield ShardStore.at("s3://nhiscan-shards/scans")
    shards._s3.cache_clear()


def test_the_s3_store_round_trips_and_resumes(s3_store: ShardStore, tmp_path: Path) -> None:
    records: list[Record | Later] = [*every_list(), Later(record=jobs.later_gap("acme"))]
    ref = write(s3_store, "123456789012", records)
    assert ref.url == f"s3://nhiscan-shards/scans/{RUN}/{KIND}/123456789012.jsonl.gz"
    assert read(s3_store, ref) == records
    assert s3_store.find(RUN, KIND, "123456789012") == ref
    assert s3_store.find(RUN, KIND, "210987654321") is None
    assert s3_store.has_run(RUN) and not s3_store.has_run("other")

    # units on the local executor write their shards to S3, and a resumed run skips them
    units = [jobs.tenant_unit(tmp_path, t) for t in ("acme", "globex")]
    cluster = Cluster(executor=LocalExecutor(), store=s3_store, run="run-1")
    first = run_units(cluster, units, UnitContext(now=f.NOW))
    resumed = Cluster(executor=LocalExecutor(), store=s3_store, run="run-1", resume=True)
    again = run_units(resumed, units, UnitContext(now=f.NOW))
    assert [o.resumed for o in again] == [True, True]
    assert [o.shard for o in again] == [o.shard for o in first]
    assert jobs.runs(tmp_path, "run-acme") == 1
    back = list(split_records(s3_store, (), again, ()))
    assert back == [*jobs.tenant_records_of("acme"), *jobs.tenant_records_of("globex"),
                    jobs.later_gap("acme"), jobs.later_gap("globex")]  # fmt: skip
