"""Running a connector and looking records up."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import boto3
from botocore.awsrequest import AWSResponse

from nhiscan.connectors.aws.live import AwsConfig, AwsConnector, SessionFactory
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import CollectionGap, Record

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # the injected clock; collection only stores dates

R = TypeVar("R")


def context(lines: list[str] | None = None) -> CollectContext:
    return CollectContext(now=NOW, progress=(lines.append if lines is not None else print))


def collect(
    config: AwsConfig | None = None,
    *,
    session_factory: SessionFactory | None = None,
    lines: list[str] | None = None,
) -> list[Record]:
    config = config or AwsConfig(regions=("us-east-1",))
    connector = AwsConnector(config, session_factory=session_factory)
    return list(connector.collect(context(lines if lines is not None else [])))


def of(records: Iterable[Any], cls: type[R]) -> dict[str, R]:
    """Records of one class by id (gaps are keyed by scope|operation|subject)."""
    found: dict[str, R] = {}
    for record in records:
        if isinstance(record, cls):
            key = _gap_key(record) if isinstance(record, CollectionGap) else record.id  # type: ignore[attr-defined]
            found[key] = record
    return found


def gaps(records: Iterable[Any]) -> list[CollectionGap]:
    return [r for r in records if isinstance(r, CollectionGap)]


def _gap_key(gap: CollectionGap) -> str:
    return f"{gap.scope}|{gap.operation}|{gap.subject or ''}"


def recording_factory(
    calls: list[tuple[str, str]], region: str = "us-east-1"
) -> Callable[[str | None], boto3.session.Session]:
    """A session factory whose sessions append (service, operation) of every call to ``calls``."""

    def record(model: Any, **_: Any) -> None:
        calls.append((model.service_model.service_name, model.name))

    def factory(profile: str | None) -> boto3.session.Session:
        session = boto3.session.Session(profile_name=profile, region_name=region)
        session.events.register("before-call.*.*", record)
        return session

    return factory


def faulty_factory(
    faults: dict[tuple[str, str | None], tuple[str, str]], region: str = "us-east-1"
) -> Callable[[str | None], boto3.session.Session]:
    """Sessions whose calls fail as AWS would: {(operation, region or None): (code, message)}.

    The failure is an AWS error answer handed to botocore before the request is sent, so the
    client raises exactly what it would for that answer from AWS.
    """

    def fail(model: Any, context: Any, **_: Any) -> Any:
        fault = faults.get((model.name, context.get("client_region"))) or faults.get(
            (model.name, None)
        )
        if fault is None:
            return None
        code, message = fault
        body = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {}}
        return AWSResponse("https://aws.invalid/", 400, {}, None), body

    def factory(profile: str | None) -> boto3.session.Session:
        session = boto3.session.Session(profile_name=profile, region_name=region)
        session.events.register("before-call.*.*", fail)
        return session

    return factory
