"""A toy provider's rules module (``RULES``), registered by tests/rules/test_registry.py."""

from __future__ import annotations

from collections.abc import Iterator

from nhiscan.rules.base import Rule, RuleContext, RuleMeta
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Finding, Severity


class ToyRule:
    meta = RuleMeta(
        id="NHI900", name="toy-rule", severity=Severity.LOW, summary="Toy.", remediation="None."
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        return iter(())


RULES: tuple[Rule, ...] = (ToyRule(),)
