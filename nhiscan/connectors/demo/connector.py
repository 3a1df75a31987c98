"""``DemoConnector``: start moto, build the estate, collect it with ``AwsConnector``; read the
GCP organization's bundled asset export and the Azure tenant's bundled az CLI export with the
offline readers; scan the demo repository."""

from __future__ import annotations

import logging
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from nhiscan.connectors.aws.live import AwsConfig, AwsConnector
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.demo.azure import SOURCE as AZURE_SOURCE
from nhiscan.connectors.demo.azure import collect_tenant
from nhiscan.connectors.demo.estate import DEMO_REGION, build_demo_estate
from nhiscan.connectors.demo.gcp import SOURCE as GCP_SOURCE
from nhiscan.connectors.demo.gcp import collect_organization
from nhiscan.connectors.demo.repo import REPO_LABEL, build_demo_repo
from nhiscan.connectors.demo.trail import write_demo_trail
from nhiscan.scanner.activity import ActivityScope, ActivitySummary
from nhiscan.scanner.model import (
    CollectionGap,
    Exposure,
    GapReason,
    Provider,
    Record,
    Repository,
    SkippedFile,
    WorkflowCredential,
)

TRAIL_LABEL = "demo/cloudtrail"


@dataclass(slots=True)
class _Kept:
    """moto's endpoint, and the moment the estate in it was built for (None: not yet)."""

    endpoint: str
    built_for: datetime | None = None


class DemoConnector:
    def __init__(self, regions: tuple[str, ...] = ()) -> None:
        self._regions = regions or (DEMO_REGION,)
        self._kept: _Kept | None = None  # while ``kept()`` is entered

    @property
    def sources(self) -> tuple[str, ...]:
        return ("demo:aws-estate", f"demo:{TRAIL_LABEL}", GCP_SOURCE, AZURE_SOURCE,
                f"demo:{REPO_LABEL}")  # fmt: skip

    @contextmanager
    def kept(self) -> Iterator[None]:
        """One moto estate for every collection in the block (collection only reads it): the
        demo's "last week" run and the scan itself, as of two moments of one estate."""
        with moto_server() as endpoint:
            self._kept = _Kept(endpoint=endpoint)
            try:
                yield
            finally:
                self._kept = None

    @contextmanager
    def _estate(self, ctx: CollectContext) -> Iterator[tuple[str, boto3.session.Session]]:
        """moto's endpoint with the demo estate built in it for ``ctx.now``: the kept one when
        it is (built on its first use), else a server of its own. Collections of a kept estate
        share their ``now`` (they differ in ``as_of``): the estate is aged relative to it."""
        session = demo_session()
        kept = self._kept
        if kept is not None:
            if kept.built_for is None:
                ctx.progress("demo: building the estate in moto")
                build_demo_estate(session, kept.endpoint, ctx.now)
                kept.built_for = ctx.now
            elif kept.built_for != ctx.now:
                raise ValueError("a kept demo estate is collected again with another `now`")
            yield kept.endpoint, session
            return
        with moto_server() as endpoint:
            ctx.progress("demo: building the estate in moto")
            build_demo_estate(session, endpoint, ctx.now)
            yield endpoint, session

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        with self._estate(ctx) as (endpoint, session):
            config = AwsConfig(regions=self._regions, endpoint_url=endpoint, max_workers=2)
            yield from AwsConnector(config, session_factory=lambda _profile: session).collect(ctx)
            yield from _trail(ctx)
            ctx.progress("demo: reading the GCP organization's asset export")
            yield from collect_organization(ctx)
            ctx.progress("demo: reading the Azure tenant's export")
            yield from collect_tenant(ctx)
            yield from _repository(ctx)


def _trail(ctx: CollectContext) -> Iterator[Record]:
    """The demo account's CloudTrail trail (``trail.py``), written into a temporary folder and
    read by the real reader; its files named under ``demo/cloudtrail`` instead of that folder."""
    from nhiscan.connectors.aws.cloudtrail import CloudTrailConfig, CloudTrailConnector

    with tempfile.TemporaryDirectory(prefix="nhiscan-demo-trail-") as tmp:
        ctx.progress("demo: writing the account's CloudTrail trail")
        write_demo_trail(Path(tmp), ctx.now)
        for record in CloudTrailConnector(CloudTrailConfig(locations=(tmp,))).collect(ctx):
            yield _relabel_trail(record, tmp)


def _relabel_trail(record: Record, path: str) -> Record:
    if isinstance(record, ActivitySummary):
        uses = tuple(
            replace(use, samples=tuple(
                replace(s, source=s.source.replace(path, TRAIL_LABEL, 1)) for s in use.samples))
            for use in record.uses
        )  # fmt: skip
        return replace(record, uses=uses)
    if isinstance(record, ActivityScope):
        return replace(record, source=TRAIL_LABEL)
    if isinstance(record, CollectionGap):
        return replace(record, scope=record.scope.replace(path, TRAIL_LABEL))
    return record


def _repository(ctx: CollectContext) -> Iterator[Record]:
    """The demo repository's history, scanned by the real git connector, labelled
    ``demo/lending-agents`` instead of its temporary path."""
    from nhiscan.connectors.git import GitConnector
    from nhiscan.connectors.git.config import GitConfig, ScanMode

    with tempfile.TemporaryDirectory(prefix="nhiscan-demo-repo-") as tmp:
        root = Path(tmp)
        try:
            build_demo_repo(root, ctx.now)
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", None) or str(exc)
            yield CollectionGap(provider=Provider.GIT, scope=REPO_LABEL, operation="git init",
                                reason=GapReason.FAILED, detail=f"cannot build the demo "
                                f"repository (is git installed?): {detail!s:.300}")  # fmt: skip
            return
        config = GitConfig(repos=(str(root),), mode=ScanMode.HISTORY, workers=1)
        for record in GitConnector(config).collect(ctx):
            yield _relabel(record, str(root))


def _relabel(record: Record, path: str) -> Record:
    if isinstance(record, Exposure):
        return replace(record, repository=REPO_LABEL, id=record.id.replace(path, REPO_LABEL, 1))
    if isinstance(record, Repository):
        return replace(record, id=REPO_LABEL)
    if isinstance(record, SkippedFile):
        return replace(record, repository=REPO_LABEL)
    if isinstance(record, CollectionGap):
        return replace(record, scope=record.scope.replace(path, REPO_LABEL))
    if isinstance(record, WorkflowCredential):
        return replace(record, repository=REPO_LABEL, id=record.id.replace(path, REPO_LABEL, 1))
    return record


def demo_session() -> boto3.session.Session:
    # Fixed dummy credentials: moto accepts any, and nothing can reach a real account.
    return boto3.session.Session(
        aws_access_key_id="demo", aws_secret_access_key="demo", region_name=DEMO_REGION
    )


# moto draws every id and secret (access keys, KMS key ids, instance ids) from one random source:
# seeded, the demo estate is the same on every run, so history and diff show nothing changed.
DEMO_SEED = 20261206


@contextmanager
def moto_server() -> Iterator[str]:
    """moto on a free loopback port, reset to empty and seeded; yields its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log on the terminal
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # moto's backends live in this process: start from an empty estate every time.
        for call in ("reset", f"seed?a={DEMO_SEED}"):
            request = urllib.request.Request(f"{endpoint}/moto-api/{call}", method="POST")
            with urllib.request.urlopen(request, timeout=10):
                pass
        yield endpoint
    finally:
        server.stop()
