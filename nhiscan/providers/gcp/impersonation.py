"""``can_assume`` hops between GCP principals: a caller that may mint a token, sign a JWT or
blob, or get an ID token as a service account acts as it; ``implicitDelegation`` on S lets a
caller use S's token-creator rights on T (a hop caller -> T)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from nhiscan.providers.gcp.authz import GcpAuthorizer
from nhiscan.providers.gcp.privesc.engine import sa_resource
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import EdgeKind, Hop
from nhiscan.scanner.model import Identity, IdentityKind, Provider

# (permission, hop method, conditional: reach depends on who accepts the token)
IMPERSONATION: tuple[tuple[str, str, bool], ...] = (
    ("iam.serviceAccounts.getAccessToken", "getAccessToken", False),
    ("iam.serviceAccounts.signJwt", "signJwt", False),
    ("iam.serviceAccounts.signBlob", "signBlob", False),
    ("iam.serviceAccounts.getOpenIdToken", "getOpenIdToken", True),
)
DELEGATION = "iam.serviceAccounts.implicitDelegation"


class Impersonation:
    def __init__(self, estate: Estate, authorizer: GcpAuthorizer) -> None:
        self._estate = estate
        self._authz = authorizer
        self._targets = sorted(
            (i for i in estate.identities.values()
             if i.provider is Provider.GCP and i.kind is IdentityKind.SERVICE_ACCOUNT),
            key=lambda i: i.id,
        )  # fmt: skip

    def direct(self, caller: str) -> Iterator[Hop]:
        """The first impersonation permission the caller holds on each other account."""
        for target in self._targets:
            if target.id == caller:
                continue
            hop = self._hop(caller, target)
            if hop is not None:
                yield hop

    def _hop(self, caller: str, target: Identity) -> Hop | None:
        for permission, method, conditional in IMPERSONATION:
            found = self._authz.evaluate(caller, permission, sa_resource(target))
            if found.decision.possible:
                return Hop(
                    source=caller,
                    target=target.id,
                    edge=EdgeKind.CAN_ASSUME,
                    method=method,
                    statements=found.allowed_by + found.undecided,
                    conditional=conditional or found.decision is Decision.CONDITIONAL,
                )
        return None

    def hops(self, callers: Sequence[str]) -> Iterator[Hop]:
        for caller in callers:
            direct = list(self.direct(caller))
            yield from direct
            reached = {h.target for h in direct}
            identity = self._estate.identities.get(caller)
            possible = None if identity is None else self._authz.possible(identity)
            if possible is None or DELEGATION in possible:
                yield from self._delegated(caller, reached)

    def _delegated(self, caller: str, reached: set[str]) -> Iterator[Hop]:
        for middle in self._targets:
            if middle.id == caller:
                continue
            found = self._authz.evaluate(caller, DELEGATION, sa_resource(middle))
            if not found.decision.possible:
                continue
            for onward in self.direct(middle.id):
                if onward.target != caller and onward.target not in reached:
                    reached.add(onward.target)
                    yield Hop(source=caller, target=onward.target, edge=EdgeKind.CAN_ASSUME,
                              method="implicitDelegation",
                              statements=found.allowed_by + onward.statements,
                              conditional=onward.conditional
                              or found.decision is Decision.CONDITIONAL)  # fmt: skip
