"""The shard store: where workers write what each unit produced, and the client reads it back.

A shard is one gzip file of JSON lines: a header naming the unit, one line per item, and a
trailer with the item count (a shard cut short, by a worker killed while writing, is refused
when read, never half-read). A shard is written under a temporary name and renamed (a folder)
or put in one request (S3), so one that exists is whole: ``--resume`` skips it.

Layout: ``ROOT/RUN_ID/KIND/KEY.jsonl.gz``, ROOT a folder (shared by the workers: a network
file system on a cluster) or ``s3://bucket/prefix``. The store is plain data (its URL): it is
sent to workers, which open it themselves.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from nhiscan.errors import ClusterError, SnapshotError
from nhiscan.scanner import snapshot
from nhiscan.scanner.codec import encode
from nhiscan.scanner.model import Record

from .units import Later

FORMAT = 1
SUFFIX = ".jsonl.gz"
MAX_NAME = 120  # longer keys (repository URLs) are cut and given a hash, to fit file systems
RUN_ID_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.")


@dataclass(frozen=True, slots=True, kw_only=True)
class ShardRef:
    """A shard written: where, which unit, how many items, how many bytes (compressed)."""

    url: str
    kind: str
    key: str
    items: int
    size: int


def new_run_id(now: datetime) -> str:
    """A run's id: its start time and a random suffix ("20261206T221500Z-3f9a0c")."""
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def check_run_id(run: str) -> str:
    if not run or len(run) > 80 or not set(run) <= RUN_ID_CHARS or run.startswith("."):
        raise ClusterError(
            f"--resume {run!r}: not a run id (letters, digits, '-', '_', '.'; as printed by the "
            "scan that wrote the shards, for example 20261206T221500Z-3f9a0c)"
        )
    return run


def file_name(key: str) -> str:
    name = quote(key, safe="-_.@")
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        name = f"{name[: MAX_NAME - 17]}~{digest}"
    return name + SUFFIX


def encode_items(kind: str, key: str, items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The shard's lines: header, items, trailer."""
    yield _line({"shard": {"format": FORMAT, "kind": kind, "key": key}})
    count = 0
    for item in items:
        count += 1
        yield _line(item)
    yield _line({"end": {"items": count}})


def _line(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode() + b"\n"


def decode_items(lines: Iterable[bytes], *, source: str) -> Iterator[dict[str, Any]]:
    """The items of a shard's lines; ClusterError when it is not a whole shard."""
    it = iter(lines)
    try:
        header = json.loads(next(it))
    except (StopIteration, ValueError) as exc:
        raise ClusterError(f"{source}: not a shard (no header line): {exc}") from exc
    if not isinstance(header, dict) or header.get("shard", {}).get("format") != FORMAT:
        raise ClusterError(f"{source}: not a shard of format {FORMAT}: {header!s:.100}")
    count = 0
    for raw in it:
        try:
            item = json.loads(raw)
        except ValueError as exc:
            raise ClusterError(f"{source}: line {count + 2} is not JSON: {exc}") from exc
        if isinstance(item, dict) and "end" in item and len(item) == 1:
            if item["end"].get("items") != count:
                raise ClusterError(
                    f"{source}: the trailer counts {item['end'].get('items')} items, the shard "
                    f"holds {count}: remove it (and run again with --resume) to write it anew"
                )
            return
        count += 1
        yield item
    raise ClusterError(
        f"{source}: the shard was cut short after {count} items (no trailer): a worker died "
        "while writing it; remove it and run again with --resume"
    )


def record_item(record: Record | Later) -> dict[str, Any]:
    """A snapshot record as a shard item: its list and its encoding (``later`` when the
    client places it after every unit's records)."""
    if isinstance(record, Later):
        return {"l": snapshot.list_of(record.record), "r": encode(record.record), "later": True}
    return {"l": snapshot.list_of(record), "r": encode(record)}


def item_record(item: dict[str, Any], *, source: str) -> Record | Later:
    try:
        found = snapshot.record_of(item["l"], item["r"], source=source)
    except (KeyError, TypeError) as exc:
        raise ClusterError(f"{source}: not a record item: {item!s:.100}") from exc
    except SnapshotError as exc:
        raise ClusterError(str(exc)) from exc
    return Later(record=found) if item.get("later") else found


@dataclass(frozen=True, slots=True)
class ShardStore:
    """A folder or ``s3://bucket/prefix`` (see the module's text)."""

    url: str

    @classmethod
    def at(cls, root: str) -> ShardStore:
        """The store at ``root``: ``s3://bucket/prefix``, or a folder (made absolute)."""
        return cls(root if root.startswith("s3://") else str(Path(root).resolve()))

    @property
    def is_s3(self) -> bool:
        return self.url.startswith("s3://")

    @property
    def is_folder(self) -> bool:
        return not self.is_s3

    def location(self, run: str, kind: str, key: str) -> str:
        return f"{self.url.rstrip('/')}/{run}/{kind}/{file_name(key)}"

    def write(self, run: str, kind: str, key: str, items: Iterable[dict[str, Any]]) -> ShardRef:
        """Write the unit's shard whole (or nothing). An error of ``items`` (the unit's task
        failing while it yields) propagates as it is; one of the store is a ClusterError."""
        where = self.location(run, kind, key)
        lines = encode_items(kind, key, _TaskItems(items))
        try:
            if self.is_s3:
                return self._put(where, kind, key, lines)
            return self._save(where, kind, key, lines)
        except _TaskFailed as failed:
            cause = failed.cause
        raise cause  # outside the handler: no reference cycle for Dask to pickle

    def _put(self, where: str, kind: str, key: str, lines: Iterable[bytes]) -> ShardRef:
        body = bytearray()
        count = -2  # header and trailer are not items
        with gzip.GzipFile(fileobj=_Sink(body), mode="wb", compresslevel=5) as out:
            for line in lines:
                count += 1
                out.write(line)
        bucket, name = _s3_parts(where)
        try:
            _s3().put_object(Bucket=bucket, Key=name, Body=bytes(body),
                             Metadata={"items": str(count)})  # fmt: skip
        except Exception as exc:  # botocore's errors: the unit's attempt fails, is retried
            raise ClusterError(f"{where}: cannot write the shard: {exc}") from exc
        return ShardRef(url=where, kind=kind, key=key, items=count, size=len(body))

    def _save(self, where: str, kind: str, key: str, lines: Iterable[bytes]) -> ShardRef:
        """Under a temporary name, renamed once whole: a shard file that exists is whole."""
        path = Path(where)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(3)}.tmp")
        count = -2
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with gzip.open(tmp, "wb", compresslevel=5) as out:
                for line in lines:
                    count += 1
                    out.write(line)
            tmp.replace(path)
            size = path.stat().st_size
        except OSError as exc:
            _discard(tmp)
            raise ClusterError(f"{where}: cannot write the shard: {exc.strerror or exc}") from exc
        except BaseException:  # the task failed (``_TaskFailed``), or an interrupt
            _discard(tmp)
            raise
        return ShardRef(url=where, kind=kind, key=key, items=count, size=size)

    def find(self, run: str, kind: str, key: str) -> ShardRef | None:
        """The shard of this unit in ``run`` when it was written whole, else None."""
        where = self.location(run, kind, key)
        if self.is_s3:
            bucket, name = _s3_parts(where)
            try:
                head = _s3().head_object(Bucket=bucket, Key=name)
            except Exception:  # 404 and refusals alike: written again
                return None
            items = int(head.get("Metadata", {}).get("items", "-1"))
            return ShardRef(url=where, kind=kind, key=key, items=items,
                            size=int(head.get("ContentLength", 0)))  # fmt: skip
        path = Path(where)
        if not path.is_file():
            return None
        try:
            items = sum(1 for _ in decode_items(_gzip_lines(path), source=where))
        except (ClusterError, OSError, EOFError):
            return None  # cut short or unreadable: written again
        return ShardRef(url=where, kind=kind, key=key, items=items, size=path.stat().st_size)

    def read(self, ref: ShardRef) -> Iterator[dict[str, Any]]:
        """A shard's items, checked whole (ClusterError otherwise)."""
        try:
            if self.is_s3:
                bucket, name = _s3_parts(ref.url)
                body = _s3().get_object(Bucket=bucket, Key=name)["Body"].read()
                lines: Iterable[bytes] = gzip.decompress(body).splitlines(keepends=True)
            else:
                lines = _gzip_lines(Path(ref.url))
            yield from decode_items(lines, source=ref.url)
        except (OSError, EOFError) as exc:
            raise ClusterError(f"{ref.url}: cannot read the shard: {exc}") from exc

    def has_run(self, run: str) -> bool:
        if self.is_s3:
            bucket, name = _s3_parts(f"{self.url.rstrip('/')}/{run}/")
            try:
                answer = _s3().list_objects_v2(Bucket=bucket, Prefix=name, MaxKeys=1)
            except Exception as exc:  # botocore's errors: no credentials, no bucket, refused
                raise ClusterError(f"{self.url}: cannot list the shard store: {exc}") from exc
            return bool(answer.get("KeyCount"))
        return Path(self.url, run).is_dir()

    def put(self, run: str, name: str, data: bytes) -> str:
        """A file of the run beside its shards (``summary.json``); its location."""
        where = f"{self.url.rstrip('/')}/{run}/{name}"
        try:
            if self.is_s3:
                bucket, key = _s3_parts(where)
                _s3().put_object(Bucket=bucket, Key=key, Body=data)
            else:
                Path(where).parent.mkdir(parents=True, exist_ok=True)
                Path(where).write_bytes(data)
        except Exception as exc:  # OSError, botocore's errors
            raise ClusterError(f"{where}: cannot write: {exc}") from exc
        return where


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):  # never written, or its folder is not one
        path.unlink(missing_ok=True)


class _TaskFailed(Exception):
    """An error of a shard's items (the unit's task), told apart from the store's own: a
    task's OSError (a connection reset, a refused file) is not a shard that cannot be
    written."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _TaskItems:
    def __init__(self, items: Iterable[dict[str, Any]]) -> None:
        self._items = items

    def __iter__(self) -> Iterator[dict[str, Any]]:
        try:
            yield from self._items
        except Exception as exc:
            raise _TaskFailed(exc) from exc


def _gzip_lines(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as stream:
        yield from stream


class _Sink:
    """A write-only file object appending to a bytearray (GzipFile's fileobj)."""

    def __init__(self, target: bytearray) -> None:
        self._target = target

    def write(self, data: bytes) -> int:
        self._target.extend(data)
        return len(data)

    def flush(self) -> None:
        return None


def _s3_parts(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.netloc, parts.path.lstrip("/")


@cache
def _s3() -> Any:
    """An S3 client of this process (boto3's default chain; AWS_ENDPOINT_URL honoured)."""
    import boto3

    return boto3.client("s3")
