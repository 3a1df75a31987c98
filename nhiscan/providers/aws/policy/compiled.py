"""Policy documents compiled once for fast, repeated evaluation.

A document is read with :func:`nhiscan.providers.aws.statements.indexed_statements` and each
statement compiled: its action patterns (lower-cased) and resource patterns into matchers (or
templates when they hold policy variables, resolved per principal), its
conditions into :class:`CompiledCondition`. Statements are indexed by the service prefix of
their actions, and the statements matching one action are remembered per action, so evaluating
``s3:GetObject`` looks at the few statements about S3 (and those with wildcard services).

Documents are compiled once per distinct content (:class:`PolicyCompiler` keys them by a hash
of their JSON): two thousand roles sharing a managed policy share one compiled document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.providers.aws.policy.conditions import CompiledCondition, compile_condition
from nhiscan.providers.aws.policy.context import PrincipalFacts
from nhiscan.providers.aws.policy.matching import (
    Lookup,
    Matcher,
    Template,
    Tri,
    any_matcher,
    any_of,
    glob_matcher,
    has_wildcard,
    negate,
    parse_template,
    resolve,
    resolved_matcher,
    variable_keys,
)
from nhiscan.providers.aws.policy.principals import (
    NOBODY,
    PrincipalMatch,
    match_principal,
    not_principal_admits,
    not_principal_excludes,
)
from nhiscan.providers.aws.policy.syntax import problems
from nhiscan.providers.aws.statements import Statement, indexed_statements

VARIABLES_VERSION = "2012-10-17"  # older policy versions read ${...} literally
ANY_SERVICE = "*"


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourcePattern:
    text: str
    matcher: Matcher | None  # None when the pattern holds variables
    template: Template | None = None

    def match(self, resource: str, lookup: Lookup) -> Tri:
        if self.matcher is not None:
            return Tri.YES if self.matcher(resource) else Tri.NO
        assert self.template is not None
        resolved = resolve(self.template, lookup)
        if isinstance(resolved, Tri):
            return resolved
        return Tri.YES if resolved_matcher(resolved)(resource) else Tri.NO


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledStatement:
    index: int
    sid: str | None
    allow: bool
    action_matcher: Matcher | None  # over lower-case actions; None: the statement names none
    not_action: bool
    services: frozenset[str]  # service prefixes it can match; {"*"}: any
    resources: tuple[ResourcePattern, ...]
    not_resource: bool
    any_resource: bool  # Resource "*" (or no Resource/NotResource element at all)
    static_resources: Matcher | None  # all patterns at once, when none holds variables
    principals: Mapping[str, tuple[str, ...]] | None
    not_principals: Mapping[str, tuple[str, ...]] | None
    conditions: tuple[CompiledCondition, ...]
    source: Statement

    @property
    def effect(self) -> str:
        return "Allow" if self.allow else "Deny"

    def matches_action(self, action: str) -> bool:
        """``action`` in lower case."""
        if self.action_matcher is None:
            return False
        hit = self.action_matcher(action)
        return hit != self.not_action

    def matches_resource(self, resource: str, lookup: Lookup) -> Tri:
        if self.any_resource:
            return Tri.YES
        if self.static_resources is not None:
            hit = self.static_resources(resource)
            return Tri.YES if hit != self.not_resource else Tri.NO
        found = any_of(p.match(resource, lookup) for p in self.resources)
        return negate(found) if self.not_resource else found

    def conditions_hold(self, lookup: Lookup) -> Tri:
        result = Tri.YES
        for condition in self.conditions:
            value = condition.evaluate(lookup, allow=self.allow)
            if value is Tri.NO:
                return Tri.NO
            result = min(result, value)
        return result

    def names(self, caller: PrincipalFacts) -> PrincipalMatch:
        """How this statement's Principal/NotPrincipal admits ``caller`` (resource policies).

        For a Deny, only ``best`` matters: whether the Deny applies to the caller."""
        if self.principals is not None:
            return match_principal(self.principals, caller)
        if self.not_principals is None:
            return NOBODY
        if self.allow:
            return PrincipalMatch(anyone=not_principal_admits(self.not_principals, caller))
        return PrincipalMatch(anyone=negate(not_principal_excludes(self.not_principals, caller)))

    def undecided_keys(self, lookup: Lookup) -> tuple[str, ...]:
        """The condition keys and variables that leave this statement undecided."""
        keys = [
            c.key_as_written
            for c in self.conditions
            if c.evaluate(lookup, allow=self.allow) is Tri.MAYBE
        ]
        for pattern in self.resources:
            if pattern.template is not None and pattern.match("", lookup) is Tri.MAYBE:
                keys.extend(f"${{{k}}}" for k in variable_keys(pattern.template))
        return tuple(dict.fromkeys(keys))


@dataclass(slots=True, kw_only=True)
class CompiledDocument:
    statements: tuple[CompiledStatement, ...]
    by_service: Mapping[str, tuple[CompiledStatement, ...]]
    _for_action: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict)

    def for_action(self, action: str) -> tuple[CompiledStatement, ...]:
        """The statements whose Action/NotAction match ``action`` (lower case), in order."""
        found = self._for_action.get(action)
        if found is None:
            service = action.partition(":")[0]
            pool = self.by_service.get(service, ()) + self.by_service.get(ANY_SERVICE, ())
            ordered = sorted({s.index: s for s in pool}.values(), key=lambda s: s.index)
            found = tuple(s for s in ordered if s.matches_action(action))
            self._for_action[action] = found
        return found


def readable(document: Mapping[str, Any] | None) -> bool:
    """Whether ``document``'s statements can be read at all (an object, or a list of objects).
    One whose cannot is as unknown as a policy missing from the snapshot: reading it without
    the statement that is not an object would drop that statement's Allow or Deny."""
    if not isinstance(document, Mapping):
        return False
    raw = document.get("Statement")
    if isinstance(raw, list):
        return all(isinstance(item, Mapping) for item in raw)
    return isinstance(raw, Mapping)


def compile_document(document: Mapping[str, Any] | None) -> CompiledDocument:
    variables = bool(document) and str(document.get("Version", "")) == VARIABLES_VERSION  # type: ignore[union-attr]
    flawed = {p.statement for p in problems(document) if p.statement is not None}
    compiled = tuple(
        compile_statement(index, statement, variables=variables, flawed=index in flawed)
        for index, statement in indexed_statements(document)
    )
    grouped: dict[str, list[CompiledStatement]] = {}
    for statement in compiled:
        for service in statement.services:
            grouped.setdefault(service, []).append(statement)
    return CompiledDocument(
        statements=compiled, by_service={k: tuple(v) for k, v in grouped.items()}
    )


# Added to a statement AWS's grammar rejects (policy_syntax): nhiscan evaluates it as read
# (such a policy only gets here with an unreadable-policy gap recorded), but never as certain.
# An unknown operator leaves a condition undecided (conditions.py), so this one always is.
MALFORMED = CompiledCondition(
    key="(a statement AWS's policy grammar rejects)",
    key_as_written="(a statement AWS's policy grammar rejects)",
    base="malformed",
    qualifier=None,
    if_exists=False,
    values=(),
)


def compile_statement(
    index: int, statement: Statement, *, variables: bool, flawed: bool = False
) -> CompiledStatement:
    patterns = statement.not_actions or statement.actions
    resources = statement.not_resources or statement.resources
    any_resource = not resources or (not statement.not_resources and "*" in resources)
    compiled = tuple(_resource(r, variables=variables) for r in resources)
    static = bool(compiled) and all(p.template is None for p in compiled)
    return CompiledStatement(
        index=index,
        sid=statement.sid,
        allow=statement.effect == "Allow",
        action_matcher=any_matcher(p.strip().lower() for p in patterns) if patterns else None,
        not_action=bool(statement.not_actions),
        services=_services(patterns, negated=bool(statement.not_actions)),
        resources=compiled,
        not_resource=bool(statement.not_resources),
        any_resource=any_resource,
        static_resources=any_matcher(resources) if static else None,
        principals=statement.principals,
        not_principals=statement.not_principals,
        conditions=(
            *(compile_condition(c, variables=variables) for c in statement.conditions),
            *((MALFORMED,) if flawed else ()),
        ),
        source=statement,
    )


def _services(patterns: tuple[str, ...], *, negated: bool) -> frozenset[str]:
    if negated or not patterns:
        return frozenset({ANY_SERVICE})
    out = set()
    for pattern in patterns:
        service, sep, _ = pattern.strip().lower().partition(":")
        out.add(service if sep and not has_wildcard(service) else ANY_SERVICE)
    return frozenset(out)


def _resource(text: str, *, variables: bool) -> ResourcePattern:
    template = parse_template(text) if variables else None
    if template is None:
        return ResourcePattern(text=text, matcher=glob_matcher(text))
    return ResourcePattern(text=text, matcher=None, template=template)


class PolicyCompiler:
    """Compiles each distinct document once (keyed by a hash of its canonical JSON)."""

    def __init__(self) -> None:
        self._by_content: dict[bytes, CompiledDocument] = {}

    def compile(self, document: Mapping[str, Any] | None) -> CompiledDocument:
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
        key = hashlib.blake2b(text.encode(), digest_size=16).digest()
        found = self._by_content.get(key)
        if found is None:
            found = compile_document(document)
            self._by_content[key] = found
        return found

    def __len__(self) -> int:
        return len(self._by_content)
