"""What a provider adds to the rules, declared here, one layer above the core protocols
(``nhiscan.scanner.provider`` sits below the rules and cannot name ``Rule``).

A provider's registry entry (``nhiscan.providers.ProviderEntry.rules``) names a module whose
``RULES`` attribute is a tuple of its rules (``RULES_ATTRIBUTE``); a provider with no rules of
its own names none. The orchestration loads them (``nhiscan.providers.rules_of``) and
``assemble`` puts them with the neutral ``CORE_RULES`` in one order, so that adding a cloud
changes no rule list of the core.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from nhiscan.rules.base import Rule

RULES_ATTRIBUTE = "RULES"


def assemble(
    core: Sequence[Rule], provided: Iterable[Sequence[Rule]], order: Sequence[str]
) -> tuple[Rule, ...]:
    """The neutral rules and every provider's, in ``order`` (rule ids), then the rules it does
    not list, by id. Two rules with one id are an error: a finding names its rule by id."""
    rules: dict[str, Rule] = {}
    for rule in (*core, *(r for rules_of in provided for r in rules_of)):
        if rule.meta.id in rules:
            raise ValueError(
                f"two rules have the id {rule.meta.id}: {type(rules[rule.meta.id]).__name__} "
                f"and {type(rule).__name__}"
            )
        rules[rule.meta.id] = rule
    position = {rule_id: index for index, rule_id in enumerate(order)}
    ranked = sorted(rules, key=lambda i: (i not in position, position.get(i, 0), i))
    return tuple(rules[rule_id] for rule_id in ranked)
