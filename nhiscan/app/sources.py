"""Which connectors a command line asks for, and collecting a snapshot with them. What each
connector's options mean is its spec's business (``nhiscan.connectors``): this module only
asks the registry, so a new connector needs no change here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from typing import Any

from nhiscan.app import pipeline
from nhiscan.app.cluster import opened
from nhiscan.app.config import Settings
from nhiscan.app.options import ClusterOptions, SourceOptions
from nhiscan.app.progress import StderrProgress
from nhiscan.connectors import connector_specs
from nhiscan.connectors.base import CollectContext, Connector, ConnectorSpec, Keeping
from nhiscan.errors import ConfigError
from nhiscan.scanner import snapshot


def asked_sources(src: SourceOptions) -> list[ConnectorSpec]:
    """The connectors whose options were given, in registry order, once each has checked its
    options (ConfigError on a bad combination)."""
    specs = connector_specs()
    for spec in specs:
        spec.check(src.of(spec.name))
    return [spec for spec in specs if spec.is_asked(src.of(spec.name))]


def asked_names(src: SourceOptions) -> set[str]:
    return {spec.name for spec in asked_sources(src)}


def given_flags(src: SourceOptions) -> list[str]:
    """The source options given on the command line ("--demo", "--repo"), in help order (a
    shared option once)."""
    flags = [
        option.flag
        for spec in connector_specs()
        for option in spec.options
        if src.of(spec.name).get(option.dest, option.default) != option.default
    ]
    return list(dict.fromkeys(flags))


def build_connectors(src: SourceOptions, settings: Settings) -> list[Connector]:
    """The connectors a command line asks for; none at all means the default sources (live
    AWS through the default chain, by the registry), and repositories alone mean no cloud."""
    asked = asked_sources(src)
    names = {spec.name for spec in asked}
    for spec in asked:
        if names & set(spec.conflicts):
            raise ConfigError(spec.conflict_hint)
    chosen = asked or [spec for spec in connector_specs() if spec.default]
    if not chosen:
        raise ConfigError("no source given and no default source registered: give one")
    chosen = sorted(chosen, key=lambda spec: spec.order)
    return [spec.build(_values(spec, src), settings.sources) for spec in chosen]


def _values(spec: ConnectorSpec, src: SourceOptions) -> dict[str, Any]:
    """``spec``'s option values, and those of other connectors' options it ``sees``."""
    given = src.of(spec.name)
    values = {option.dest: given.get(option.dest, option.default) for option in spec.options}
    for other in connector_specs():
        for option in other.options:
            if option.dest in spec.sees:
                values[option.dest] = src.of(other.name).get(option.dest, option.default)
    return values


def collect_snapshot(
    src: SourceOptions,
    settings: Settings,
    *,
    as_of: datetime | None = None,
    cluster: ClusterOptions | None = None,
) -> snapshot.Snapshot:
    with collecting(src, settings, cluster=cluster) as collect:
        return collect(as_of)


Collect = Callable[[datetime | None], snapshot.Snapshot]
"""Collect a snapshot as of a moment (``CollectContext.as_of``; None: now)."""


@contextmanager
def collecting(
    src: SourceOptions, settings: Settings, *, cluster: ClusterOptions | None = None
) -> Iterator[Collect]:
    """The sources of a command line, collected as often as the block asks, every time with
    the same connectors and the same ``now`` (``as_of`` may differ): a connector that can keep
    what it built (``Keeping``: the demo's moto estate) keeps it for the whole block. With a
    cluster (``--executor``), connectors that can be split run as work units on it."""
    connectors = build_connectors(src, settings)
    now = datetime.now(UTC)
    with ExitStack() as stack:
        running = stack.enter_context(opened(cluster or ClusterOptions(), now))
        for connector in connectors:
            if isinstance(connector, Keeping):
                stack.enter_context(connector.kept())

        def collect(as_of: datetime | None) -> snapshot.Snapshot:
            progress = StderrProgress()
            try:
                ctx = CollectContext(now=now, as_of=as_of, progress=progress)
                return pipeline.collect(connectors, ctx, cluster=running)
            finally:
                progress.close()

        yield collect
