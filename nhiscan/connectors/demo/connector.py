"""``DemoConnector``: start moto, build the estate, collect it with ``AwsConnector``."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto.server import ThreadedMotoServer

from nhiscan.connectors.aws.live import AwsConfig, AwsConnector
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.demo.estate import DEMO_REGION, build_demo_estate
from nhiscan.scanner.model import Record


class DemoConnector:
    def __init__(self, regions: tuple[str, ...] = ()) -> None:
        self._regions = regions or (DEMO_REGION,)

    @property
    def sources(self) -> tuple[str, ...]:
        return ("demo:aws-estate",)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        with moto_server() as endpoint:
            ctx.progress("demo: building the estate in moto")
            session = demo_session()
            build_demo_estate(session, endpoint, ctx.now)
            config = AwsConfig(regions=self._regions, endpoint_url=endpoint, max_workers=2)
            yield from AwsConnector(config, session_factory=lambda _profile: session).collect(ctx)


def demo_session() -> boto3.session.Session:
    # Fixed dummy credentials: moto accepts any, and nothing can reach a real account.
    return boto3.session.Session(
        aws_access_key_id="demo", aws_secret_access_key="demo", region_name=DEMO_REGION
    )


@contextmanager
def moto_server() -> Iterator[str]:
    """moto on a free loopback port, reset to empty; yields its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log on the terminal
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # moto's backends live in this process: start from an empty estate every time.
        reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(reset, timeout=10):
            pass
        yield endpoint
    finally:
        server.stop()
