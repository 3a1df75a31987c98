"""The plan file (``nhiscan compile agents.yaml -o plan.json``) and the difference between two
plans: what access a change to the agent files adds and what it revokes.

The file is sorted JSON without timestamps, so two compiles of the same files are byte for byte
the same and a plan can be reviewed in a pull request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.errors import PolicyFileError
from nhiscan.scanner.agents.language import AgentVocabulary, Vocabularies
from nhiscan.scanner.agents.model import AgentFile, AgentPlan, IdentityRef, Need, RefKind

FORMAT = "nhiscan_plan"
VERSION = 1
ANY_ACCOUNT = "*"


def plan_json(
    agents: AgentFile,
    plans: Iterable[AgentPlan],
    *,
    tool_version: str,
    vocabularies: Vocabularies,
) -> dict[str, Any]:
    return {
        FORMAT: VERSION,
        "tool_version": tool_version,
        "sources": list(agents.sources),
        "source_hash": agents.source_hash,
        "agents": [agent_json(plan, vocabularies) for plan in plans],
    }


def agent_json(plan: AgentPlan, vocabularies: Vocabularies) -> dict[str, Any]:
    return {
        "name": plan.name,
        "owner": plan.owner,
        "status": plan.status.value,
        "where": str(plan.where),
        "max_key_age_days": plan.max_key_age_days,
        "identities": [ref_json(r) for r in plan.identities],
        "needs": [need_json(n) for n in plan.needs],
        "least_privilege": least_privilege(plan, vocabularies),
    }


def ref_json(ref: IdentityRef) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": ref.kind.value, "value": ref.value, "where": str(ref.where)}
    for name in ("key", "account"):
        if getattr(ref, name) is not None:
            data[name] = getattr(ref, name)
    if ref.provider is not None:
        data["provider"] = ref.provider.value
    return data


def need_json(need: Need) -> dict[str, Any]:
    data: dict[str, Any] = {
        "provider": need.provider.value,
        "action": need.action,
        "resource": need.resource,
        "steps": list(need.steps),
    }
    if need.conditions:
        data["conditions"] = {
            op: {k: list(v) for k, v in t.items()} for op, t in need.conditions.items()
        }
    if need.account_implicit:
        data["account"] = "the identity's own"
    return data


def plan_hash(plan: AgentPlan) -> str:
    """The sha256 of what the plan grants and to whom (its identities and needs, canonical
    JSON, without the file positions: moving a line is not a change). The store keeps it per
    agent and run, so behaviour drift can tell a change the plan explains from one it does not."""
    refs = [{k: v for k, v in ref_json(r).items() if k != "where"} for r in plan.identities]
    body = {"identities": refs, "needs": [need_json(n) for n in plan.needs]}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def least_privilege(plan: AgentPlan, vocabularies: Vocabularies) -> dict[str, Any]:
    """The policy for each identity named by its provider's id (its account filled in), and
    for identities named by tag or name one with ``*`` for the account (the scan fills it in
    per identity). An identity's document comes from its provider's vocabulary; the ``*`` one
    from the first vocabulary with something to grant."""
    found: dict[str, Any] = {}
    for ref in plan.identities:
        owner = _id_owner(ref, vocabularies)
        if owner is not None:
            account = owner.scope_of_identity(ref.value) or ANY_ACCOUNT
            found[ref.value] = owner.render_least_privilege(plan.needs, account, ref.value)
        else:
            found.setdefault(ANY_ACCOUNT, _policy(plan.needs, ANY_ACCOUNT, vocabularies))
    return found


def _id_owner(ref: IdentityRef, vocabularies: Vocabularies) -> AgentVocabulary | None:
    if ref.kind is not RefKind.ID or "*" in ref.value:
        return None
    return vocabularies.owner_of_identity(ref.value)


def _policy(
    needs: tuple[Need, ...], scope: str, vocabularies: Vocabularies
) -> Mapping[str, Any] | None:
    for vocabulary in vocabularies:
        document = vocabulary.render_least_privilege(needs, scope)
        if document is not None:
            return document
    return None


def dumps(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def loads(data: bytes, source: str) -> dict[str, Any]:
    try:
        parsed = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PolicyFileError(f"{source}: not a plan file (bad JSON: {exc})") from exc
    if not isinstance(parsed, dict) or parsed.get(FORMAT) != VERSION:
        raise PolicyFileError(f'{source}: not an nhiscan plan file (no "{FORMAT}": {VERSION})')
    return parsed


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanDiff:
    added: tuple[tuple[str, str, str, str], ...]  # (agent, provider, action, resource)
    revoked: tuple[tuple[str, str, str, str], ...]
    new_agents: tuple[str, ...]
    removed_agents: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.revoked or self.new_agents or self.removed_agents)


def diff(previous: Mapping[str, Any], current: Mapping[str, Any]) -> PlanDiff:
    before, after = _access(previous), _access(current)
    old_agents, new_agents = _names(previous), _names(current)
    return PlanDiff(
        added=tuple(sorted(after - before)),
        revoked=tuple(sorted(before - after)),
        new_agents=tuple(sorted(new_agents - old_agents)),
        removed_agents=tuple(sorted(old_agents - new_agents)),
    )


def render_diff(change: PlanDiff) -> str:
    if change.empty:
        return "no change in access\n"
    lines = [f"new agent {name}" for name in change.new_agents]
    lines += [f"removed agent {name}" for name in change.removed_agents]
    lines += [f"+ {agent}: {action} on {resource}" for agent, _, action, resource in change.added]
    lines += [f"- {agent}: {action} on {resource}" for agent, _, action, resource in change.revoked]
    lines.append(f"{len(change.added)} added, {len(change.revoked)} revoked")
    return "\n".join(lines) + "\n"


def _access(plan: Mapping[str, Any]) -> set[tuple[str, str, str, str]]:
    return {
        (str(agent["name"]), str(n["provider"]), str(n["action"]), str(n["resource"]))
        for agent in plan.get("agents", [])
        for n in agent.get("needs", [])
    }


def _names(plan: Mapping[str, Any]) -> set[str]:
    return {str(agent["name"]) for agent in plan.get("agents", [])}
