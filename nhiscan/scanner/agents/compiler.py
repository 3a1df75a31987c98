"""Compile agents into plans: per agent, the exact (action, resource) pairs its steps need.

Pure: the loader has already checked every verb, reference and verb-by-scheme pair. Each
reference is compiled by the agent's defaults for the provider that reads it
(``Agent.defaults``, made by that provider's vocabulary): the provider decides the resource ids
and actions. A reference without an account stays ``*`` in the account field
(``Need.account_implicit``): it is the account of whichever identity runs the step, filled in
per identity by the provider's least-privilege renderer and the gap analyzer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from nhiscan.scanner.agents.model import (
    Agent,
    AgentPlan,
    Need,
    ProviderDefaults,
    Requirement,
    Step,
)
from nhiscan.scanner.facts import PermissionCatalog
from nhiscan.scanner.model import Provider

Conditions = Mapping[str, Mapping[str, tuple[str, ...]]]
Flat = tuple[tuple[str, str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Raw:
    """A need before merging: one step's (action, resource)."""

    provider: Provider
    action: str
    resource: str
    step: int
    conditions: Flat = ()
    account_implicit: bool = False


def compile_agent(
    agent: Agent, catalog: PermissionCatalog, *, default_max_key_age: int
) -> AgentPlan:
    return AgentPlan(
        name=agent.name,
        owner=agent.owner,
        status=agent.status,
        needs=merge(_needs(agent.steps, agent.defaults, catalog)),
        max_key_age_days=agent.max_key_age_days or default_max_key_age,
        identities=agent.identities,
        where=agent.where,
    )


def _needs(
    steps: Iterable[Step], defaults: Mapping[str, ProviderDefaults], catalog: PermissionCatalog
) -> Iterator[_Raw]:
    """Each step's needs; a step repeated (an alias, or the same words) is compiled once."""
    done: dict[tuple[object, ...], list[_Raw]] = {}
    for step in steps:
        key = (step.phrases, step.actions, step.resources)
        if key not in done:
            done[key] = list(_step_needs(step, defaults, catalog))
            yield from done[key]
        else:
            yield from (replace(raw, step=step.index) for raw in done[key])


def merge(raws: Iterable[_Raw]) -> tuple[Need, ...]:
    """One need per (provider, action, resource, conditions), with every step that needs it,
    sorted by action then resource."""
    steps: dict[tuple[object, ...], set[int]] = {}
    first: dict[tuple[object, ...], _Raw] = {}
    for raw in raws:
        key = (raw.provider, raw.action, raw.resource, raw.conditions)
        first.setdefault(key, raw)
        steps.setdefault(key, set()).add(raw.step)
    needs = [
        Need(
            provider=raw.provider,
            action=raw.action,
            resource=raw.resource,
            steps=tuple(sorted(steps[key])),
            conditions=_conditions(raw.conditions),
            account_implicit=raw.account_implicit,
        )
        for key, raw in first.items()
    ]
    return tuple(sorted(needs, key=lambda n: (n.provider, n.action.lower(), n.resource)))


def _conditions(flat: tuple[tuple[str, str, tuple[str, ...]], ...]) -> Conditions:
    block: dict[str, dict[str, tuple[str, ...]]] = {}
    for operator, key, values in flat:
        block.setdefault(operator, {})[key] = values
    return block


def _step_needs(
    step: Step, defaults: Mapping[str, ProviderDefaults], catalog: PermissionCatalog
) -> Iterator[_Raw]:
    if step.actions:
        yield from _raw_needs(step, _raw_owner(step, defaults), catalog)
        return
    for phrase in step.phrases:
        owner = _owner(phrase.resource, defaults)
        for need in owner.needs(phrase.verb, phrase.resource):
            yield _raw(need, step.index)


def _owner(reference: str, defaults: Mapping[str, ProviderDefaults]) -> ProviderDefaults:
    for key in sorted(defaults):
        if defaults[key].owns(reference):
            return defaults[key]
    # the loader refuses these; never compiled silently
    raise ValueError(f"no provider reads {reference.strip()!r}")


def _raw_owner(step: Step, defaults: Mapping[str, ProviderDefaults]) -> ProviderDefaults:
    """A raw step's provider: the one owning its first resource that one owns, else the first."""
    for resource in step.resources:
        for key in sorted(defaults):
            if defaults[key].owns(resource):
                return defaults[key]
    if not defaults:
        raise ValueError(f"step {step.index}: no provider is registered for raw actions")
    return defaults[min(defaults)]


def _raw(need: Requirement, step: int) -> _Raw:
    return _Raw(
        provider=need.provider,
        action=need.action,
        resource=need.resource,
        step=step,
        conditions=need.conditions,
        account_implicit=need.account_implicit,
    )


def _raw_needs(step: Step, owner: ProviderDefaults, catalog: PermissionCatalog) -> Iterator[_Raw]:
    for pattern in step.actions:
        expanded = sorted(catalog.expand(pattern)) or [pattern]
        for action in expanded:
            info = catalog.info(action)
            canonical = info.name if info is not None else action
            for resource in step.resources:
                yield _Raw(
                    provider=owner.provider, action=canonical, resource=resource, step=step.index
                )
