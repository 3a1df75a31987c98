"""What the graph builder asks of a provider's analysis (``ProviderAnalysis`` is a superset):
the one authorizer of the estate, the escalations it finds, and the admin hops of groups those
escalations join. See docs/providers.md."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from nhiscan.scanner.authz import Authorizer
from nhiscan.scanner.escalation import Escalation
from nhiscan.scanner.graph.model import Hop


class GraphSource(Protocol):
    @property
    def authorizer(self) -> Authorizer: ...
    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]: ...
    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]: ...
