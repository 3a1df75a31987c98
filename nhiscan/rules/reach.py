"""Reach findings over the reach graph: non-human identities that are (or can become)
administrators.

Paths are the graph's shortest ones (fewest hops, certain hops preferred), as hops
``{from, to, edge, method?, statements}`` (``Hop.to_json``).
"""

from __future__ import annotations

from collections.abc import Iterator

from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import capital, describe
from nhiscan.rules.reach_support import (
    admin_reach,
    conditional,
    is_nhi,
    key_ids,
    label,
    scope_words,
    sorted_identities,
)
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph, path_json
from nhiscan.scanner.model import Finding, Identity, Severity
from nhiscan.scanner.provider import ProviderSet

Path = tuple[Hop, ...]


class AdminEquivalentNhi:
    meta = RuleMeta(
        needs_graph=True,
        id="NHI100",
        name="admin-equivalent-nhi",
        severity=Severity.HIGH,
        summary=(
            "A non-human identity is an administrator (effective * on *) or reaches one "
            "through role assumption and privilege escalation. Critical when it has an active "
            "access key. People and service-linked roles are not reported."
        ),
        remediation=(
            "Give the workload the permissions it uses instead of administrator access, and "
            "break each hop of the path: what lets it act as the next identity, the policy "
            "write that lets it escalate. Replace long-lived keys of admin identities with "
            "credentials issued at run time."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        graph = ctx.require_graph(self.meta)
        reach = admin_reach(graph)
        for identity in sorted_identities(estate):
            if not is_nhi(identity, ctx.providers) or not reach.reaches(identity.id):
                continue
            path = reach.path(identity.id)
            if path:
                yield self._finding(estate, graph, identity, path, ctx.providers)

    def _finding(
        self,
        estate: Estate,
        graph: ReachGraph,
        identity: Identity,
        path: Path,
        providers: ProviderSet,
    ) -> Finding:
        keys = key_ids(estate, identity.id, providers)
        direct = len(path) == 1 and path[0].edge is EdgeKind.IS_ADMIN
        account = str(graph.graph.nodes[path[-1].target].get("account"))
        return make_finding(
            self.meta,
            subject=identity.id,
            provider=identity.provider,
            title=_admin_title(estate, identity, path, account, direct, providers),
            evidence={
                "identity": identity.id,
                "account": identity.account,
                "is_human": identity.is_human,
                "human_reason": identity.human_reason,
                "direct": direct,
                "admin_account": account,
                "conditional": conditional(path),
                "hops": len(path),
                "via": [hop.target for hop in path[:-1]],
                "methods": [hop.method for hop in path if hop.method is not None],
                "active_keys": keys,
            },
            severity=Severity.CRITICAL if keys else Severity.HIGH,
            path=path_json(path),
            remediation=providers.facts(identity.provider).remediations.get(self.meta.id),
        )


def _admin_title(
    estate: Estate,
    identity: Identity,
    path: Path,
    account: str,
    direct: bool,
    providers: ProviderSet,
) -> str:
    who = capital(describe(identity, identity.id, providers))
    scope = scope_words(providers, identity, account)
    if direct:
        return f"{who} is an administrator of {scope}."
    if len(path) == 1:
        return f"{who} can make itself administrator of {scope} ({path[0].method})."
    first = label(estate, path[0].target, lambda i: providers.facts(i.provider).kind_words)
    return f"{who} can become administrator of {scope} in {len(path)} hops, through {first}."
