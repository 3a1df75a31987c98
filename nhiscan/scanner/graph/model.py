"""The reach graph's vocabulary: node and edge kinds, hops, and paths.

Edges point the way reach flows: a credential ``has_credential`` its identity (whoever holds
the key acts as the identity), an identity ``can_assume`` a role, ``escalates_to`` a role, a
user or its account's admin sink, ``can_access`` a resource, an exposure (a secret found in a
repository) ``leaks`` the credential it unlocks, ``is_admin`` its account's
admin sink (a group too, when an escalation leads into it: see groups.py; and a scope's admin
sink, method ``inherits``, the sinks of the scopes under it: a folder's, its projects'). An admin
sink ends a principal's path; the sinks a parent's admin inherits are reached from that sink.
``member_of`` (user
to group), ``can_pass_role`` and ``runs_as`` (compute to its role) describe the estate but do
not by themselves extend reach: passing a role or controlling compute is an escalation method, and
shows as an ``escalates_to`` edge when the snapshot holds everything it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from nhiscan.scanner.authz import Decision, Evaluation, StatementRef


class NodeKind(StrEnum):
    IDENTITY = "identity"
    CREDENTIAL = "credential"
    GROUP = "group"
    RESOURCE = "resource"
    ADMIN = "admin"
    EXPOSURE = "exposure"  # a secret found in a repository (scanner/leaks.py)
    # A shared node standing for many callers x many targets (issue #16): "any principal of
    # account A allowed sts:AssumeRole on any role", with one hop from each caller and one to
    # each role; or a target set of escalations, "any IAM user of account A" (one
    # escalates_to hop from each principal, one to each member). Never a hop shown to people:
    # walks go through it as one hop (``reach.through``).
    HUB = "hub"
    # A principal outside the scanned clouds (issue #20, scanner/federation.py): tokens of one
    # issuer admitted by one way into a trust, "any workflow of acme/app on main". Its
    # ``can_act_as`` edges lead into the identities it may become.
    EXTERNAL = "external"


class EdgeKind(StrEnum):
    HAS_CREDENTIAL = "has_credential"
    MEMBER_OF = "member_of"
    CAN_ASSUME = "can_assume"
    CAN_PASS_ROLE = "can_pass_role"
    CAN_ACCESS = "can_access"
    ESCALATES_TO = "escalates_to"
    IS_ADMIN = "is_admin"
    RUNS_AS = "runs_as"
    LEAKS = "leaks"  # an exposure to the inventory credential it unlocks
    CAN_ACT_AS = "can_act_as"  # an external principal to an identity it may become (#20)


# The edges a path may follow. can_access ends a path (a resource is a destination).
TRAVERSED = frozenset(
    {
        EdgeKind.LEAKS,
        EdgeKind.CAN_ACT_AS,
        EdgeKind.HAS_CREDENTIAL,
        EdgeKind.CAN_ASSUME,
        EdgeKind.ESCALATES_TO,
        EdgeKind.IS_ADMIN,
        EdgeKind.CAN_ACCESS,
    }
)


# The method of the is_admin edge from a scope's admin sink to each child scope's.
INHERITS = "inherits"


def admin_node(account: str) -> str:
    """The sink that stands for "administrator of this account"."""
    return f"admin:{account}"


HUB_PREFIX = "hub:"


def hub_node(account: str, action: str, block: int | None = None) -> str:
    """The hub of ``account``'s callers allowed ``action`` on any of the roles behind it; with
    ``block``, on any of one block of those roles (callers whose statements set a few of the
    roles apart join the blocks that hold none of them)."""
    suffix = "" if block is None else f"/{block}"
    return f"{HUB_PREFIX}{action}:{account}{suffix}"


def is_hub(node: str) -> bool:
    return node.startswith(HUB_PREFIX)


def hub_label(node: str) -> str:
    action, _, place = node[len(HUB_PREFIX) :].rpartition(":")
    account, _, block = place.partition("/")
    part = f" (block {block})" if block else ""
    return f"any principal of {account} allowed {action} on any role trusting {account}{part}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Hop:
    source: str
    target: str
    edge: EdgeKind
    method: str | None = None  # the escalation method, on escalates_to hops
    statements: tuple[StatementRef, ...] = ()  # what enables the hop
    conditional: bool = False  # the hop rests on conditions nhiscan could not decide
    actions: tuple[str, ...] = ()  # on can_access hops: the actions allowed
    conditional_actions: tuple[str, ...] = ()  # those of them allowed only under conditions

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"from": self.source, "to": self.target, "edge": self.edge.value}
        if self.method is not None:
            data["method"] = self.method
        data["statements"] = [_ref(s) for s in self.statements]
        if self.conditional:
            data["conditional"] = True
        if self.actions:
            data["actions"] = list(self.actions)
            data["conditional_actions"] = list(self.conditional_actions)
        return data


def granted_hop(source: str, target: str, edge: EdgeKind, result: Evaluation) -> Hop:
    """The hop an authorizer's answer enables: its Allow statements, conditional when the
    answer is."""
    return Hop(
        source=source,
        target=target,
        edge=edge,
        statements=result.allowed_by,
        conditional=result.decision is Decision.CONDITIONAL,
    )


def _ref(ref: StatementRef) -> Mapping[str, Any]:
    return {"policy_id": ref.policy_id, "index": ref.index, "sid": ref.sid, "effect": ref.effect}


def path_json(hops: tuple[Hop, ...]) -> list[dict[str, Any]]:
    return [hop.to_json() for hop in hops]
