"""Compile agents into plans: per agent, the exact (action, resource) pairs its steps need.

Pure: the loader has already checked every verb, reference and verb-by-scheme pair. A reference
without an account stays ``*`` in the account field (``Need.account_implicit``): it is the
account of whichever identity runs the step, filled in per identity by ``render.py`` and
``gaps.py``. A regional reference without a region (neither in an ARN nor in the agent's
``aws.region``) stays ``*``: any region; the least-privilege policy then says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from nhiscan.scanner.agents.model import Agent, AgentPlan, AwsDefaults, Need, Step
from nhiscan.scanner.agents.uri import ResourceRef, parse_reference
from nhiscan.scanner.agents.verbs import Access, entry
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.facts import PermissionCatalog
from nhiscan.scanner.model import Provider

Conditions = Mapping[str, Mapping[str, tuple[str, ...]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Raw:
    """A need before merging: one step's (action, resource)."""

    provider: Provider
    action: str
    resource: str
    step: int
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    account_implicit: bool = False


def compile_agent(
    agent: Agent, catalog: PermissionCatalog, *, default_max_key_age: int
) -> AgentPlan:
    return AgentPlan(
        name=agent.name,
        owner=agent.owner,
        status=agent.status,
        needs=merge(_needs(agent.steps, agent.aws, catalog)),
        max_key_age_days=agent.max_key_age_days or default_max_key_age,
        identities=agent.identities,
        where=agent.where,
    )


def _needs(
    steps: Iterable[Step], defaults: AwsDefaults, catalog: PermissionCatalog
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


def _step_needs(step: Step, defaults: AwsDefaults, catalog: PermissionCatalog) -> Iterator[_Raw]:
    if step.actions:
        yield from _raw_needs(step, catalog)
        return
    for phrase in step.phrases:
        yield from phrase_needs(phrase.verb, parse_reference(phrase.resource), defaults, step.index)


def phrase_needs(verb: Verb, ref: ResourceRef, defaults: AwsDefaults, step: int) -> Iterator[_Raw]:
    access = entry(verb, ref.scheme.name)
    if not isinstance(access, Access):  # the loader refuses these; never compiled silently
        raise ValueError(f"{verb} on {ref.text} is not supported: {access.reason}")
    account = ref.account or defaults.account
    for part, actions in access.on.items():
        resource, conditions = _arn(ref, part, defaults, account)
        for action in actions:
            yield _Raw(
                provider=ref.scheme.provider,
                action=action,
                resource=resource,
                step=step,
                conditions=conditions,
                account_implicit=account is None and "{account}" in ref.scheme.parts[part],
            )


def _arn(
    ref: ResourceRef, part: str, defaults: AwsDefaults, account: str | None
) -> tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]]:
    scheme = ref.scheme
    name = ref.name
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    if scheme.alias_prefix and name.startswith(scheme.alias_prefix):
        # A key named by alias: any key carrying that alias (AWS documents kms:ResourceAliases
        # for exactly this).
        conditions = (("ForAnyValue:StringEquals", scheme.alias_condition or "", (name,)),)
        name = "*"
    elif scheme.name_suffix and not ref.text.startswith("arn:") and not name.endswith("*"):
        name += scheme.name_suffix
    arn = scheme.parts[part].format(
        partition=ref.partition if ref.text.startswith("arn:") else defaults.partition,
        region=ref.region or defaults.region or "*",
        account=account or "*",
        name=name,
        path=ref.path or "*",
    )
    return arn, conditions


def _raw_needs(step: Step, catalog: PermissionCatalog) -> Iterator[_Raw]:
    for pattern in step.actions:
        expanded = sorted(catalog.expand(pattern)) or [pattern]
        for action in expanded:
            info = catalog.info(action)
            canonical = info.name if info is not None else action
            for resource in step.resources:
                yield _Raw(
                    provider=Provider.AWS, action=canonical, resource=resource, step=step.index
                )
