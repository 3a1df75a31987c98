"""A toy connector and its spec, registered by tests/connectors/test_registry.py to show that a
connector's options, its nhiscan.toml table and its building come from the registry alone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors.base import CollectContext, Connector, ConnectorSpec, OptionSpec
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, Record


@dataclass(frozen=True, slots=True, kw_only=True)
class ToySettings:
    zone: str | None = None
    depth: int = field(default=3, metadata={"max": 9})


class ToyConnector:
    def __init__(self, zone: str, depth: int) -> None:
        self.zone, self.depth = zone, depth

    @property
    def sources(self) -> tuple[str, ...]:
        return (f"toy:{self.zone}",)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        yield CollectionGap(provider=Provider.GCP, scope=self.zone, operation="toy.list",
                            reason=GapReason.FAILED, detail=f"depth {self.depth}")  # fmt: skip


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    toy: ToySettings = sections["toy"]
    return ToyConnector(values["toy_zone"] or toy.zone or "nowhere", toy.depth)


SPEC = ConnectorSpec(
    name="toy",
    options=(
        OptionSpec(
            flag="--toy-zone", dest="toy_zone", metavar="ZONE", help="Collect the toy cloud's ZONE."
        ),
    ),
    section=ToySettings,
    build=build,
)
