"""``Grant``: one permission an identity holds on one resource, from one statement, in the
neutral form the gap analyzer reads. The identity's provider reads its own policies
(``ProviderAnalysis.grants``, docs/providers.md); the core asks its authorizer which grants
still hold, and never reads a policy document itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.facts import AccessLevel


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    """``action`` on ``resource``, as one Allow statement (``source``: policy id, index, sid,
    effect) names it, with the action already expanded through the provider's catalogue."""

    source: StatementRef
    action: str  # the catalogue's spelling (as written when the catalogue does not know it)
    resource: str  # an id or an id pattern; "*" is every resource
    service: str  # what the grant is counted under (lower case)
    access_level: AccessLevel | None  # None: the catalogue does not know the action
    # The statement names the resources it leaves out: ``resource`` is "*" but these.
    except_resources: tuple[str, ...] = ()
    # The statement as its provider shows it to a person (never read by the core).
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Probe:
    """What the core asks an identity's authorizer about for one resource a grant or need names
    (``ProviderAnalysis.probe``): the resource to evaluate (AWS: policy variables filled in) and
    the request attributes the resource carries that the evaluated id does not show (Azure: a
    blob's path, for ABAC conditions on ``@Resource[…/blobs:path]``, evaluated on its container,
    since a blob path is not an ARM scope). They join the need's own condition values."""

    resource: str
    context: Mapping[str, str | Sequence[str] | None] = field(default_factory=dict)
