"""What a provider's agent vocabulary answers, and the registered ones as the core reads them.

Everything in agent files that depends on a cloud (its ``defaults`` section, its resource schemes
and ids, the actions a verb needs, the least-privilege documents) is the provider's
:class:`AgentVocabulary`; the loader, the English grammar, the compiler and the plan ask the
:class:`Vocabularies` the orchestration builds from the registry and passes in
(docs/providers.md lists every member, with what AWS, GCP and Azure answer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from nhiscan.scanner.agents.model import Need, ProviderDefaults
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.agents.yamlnodes import Node
from nhiscan.scanner.model import Provider


class BadReference(ValueError):
    """A reference that cannot be read; the message says what is wrong and what to write."""


class AgentVocabulary(Protocol):
    """The provider's part of agent files: its defaults section, resource schemes and ids,
    what each verb needs, and the least-privilege documents the gap analyzer proposes."""

    @property
    def defaults_key(self) -> str: ...  # "aws" / "gcp" / "azure": its section in `defaults:`
    @property
    def provider(self) -> Provider: ...  # the records' provider of what it compiles to
    @property
    def schemes(self) -> frozenset[str]: ...  # "s3", "gs", "blob", ...
    @property
    def reference_pattern(self) -> str: ...  # regex: its own ids written in a sentence
    @property
    def reference_schema(self) -> str: ...  # regex: its own ids, in the JSON Schema
    @property
    def reference_noun(self) -> str: ...  # what its ids are called in messages: "ARN"
    @property
    def reference_article(self) -> str: ...  # "an" (ARN) or "a"
    @property
    def raw_resource_schema(self) -> str: ...  # regex: raw `resources:` (not "*")
    @property
    def action_pattern(self) -> str: ...  # regex: a raw action (globs allowed)
    @property
    def action_hint(self) -> str: ...  # what a raw action looks like, for messages
    @property
    def examples(self) -> Mapping[str, str]: ...  # english verb class (and "key") -> a reference
    def owns_reference(self, text: str, /) -> bool: ...  # its own id form, not scheme://
    def owns_identity(self, value: str, /) -> bool: ...  # a stable identity id of this cloud
    def scope_of_identity(self, value: str, /) -> str | None: ...  # the id's account/project
    def blank_defaults(self) -> ProviderDefaults: ...  # when the file writes none
    def parse_defaults(
        self, node: Node, file: str, base: ProviderDefaults
    ) -> ProviderDefaults: ...  # raises yamlnodes.Invalid with the line
    def defaults_schema(self) -> dict[str, Any]: ...
    def check(self, verb: Verb, reference: str) -> str | None: ...  # raises BadReference
    def bind_scope(self, need: Need, scope: str) -> str: ...  # the resource, implicit scope filled
    def render_least_privilege(
        self, needs: Iterable[Need], scope: str, principal: str | None = None
    ) -> Mapping[str, Any] | None: ...  # principal: the identity granted (None: not known)
    def render_trust(
        self, callers: Sequence[str], services: Sequence[str]
    ) -> Mapping[str, Any] | None: ...
    def compute_services(self) -> Mapping[str, str]: ...  # compute kind -> service principal


_SCHEME_REFERENCE = r"[a-z][a-z0-9-]*://\S+"
_URI = re.compile(r"^(?P<scheme>[a-z][a-z0-9-]*)://(?P<rest>.*)$")


class Vocabularies:
    """The registered vocabularies, keyed by their ``defaults_key`` and asked in key order,
    with what the core derives from them once (all schemes, the sentence reference regex)."""

    __slots__ = ("by_key", "reference_regex", "schemes")

    def __init__(self, vocabularies: Iterable[AgentVocabulary] = ()) -> None:
        found = {v.defaults_key: v for v in vocabularies}
        self.by_key: Mapping[str, AgentVocabulary] = {k: found[k] for k in sorted(found)}
        self.schemes: Mapping[str, AgentVocabulary] = {
            scheme: v for v in self.by_key.values() for scheme in sorted(v.schemes)
        }
        patterns = [_SCHEME_REFERENCE, *(v.reference_pattern for v in self.by_key.values())]
        self.reference_regex = re.compile("|".join(patterns))

    def __iter__(self) -> Iterator[AgentVocabulary]:
        return iter(self.by_key.values())

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.by_key)

    def ids(self, *, full: bool = False) -> str:
        """What the vocabularies' own ids are called: "an ARN", or "a full ARN"."""
        return " or ".join(
            f"a full {v.reference_noun}" if full else f"{v.reference_article} {v.reference_noun}"
            for v in self
        )

    def example(self, name: str) -> str:
        """How to name a resource for a verb class (or "key"), from the first vocabulary."""
        for vocabulary in self:
            if name in vocabulary.examples:
                return vocabulary.examples[name]
        return "scheme://name"

    def is_action(self, action: str) -> bool:
        return any(re.match(f"^(?:{v.action_pattern})$", action) for v in self)

    @property
    def action_hint(self) -> str:
        return " or ".join(v.action_hint for v in self) or "none: no provider is registered"

    @property
    def action_schema(self) -> str:
        """The JSON Schema pattern of a raw action."""
        patterns = [v.action_pattern for v in self]
        return f"^{patterns[0]}$" if len(patterns) == 1 else f"^(?:{'|'.join(patterns)})$"

    def owns_reference(self, text: str) -> bool:
        return any(v.owns_reference(text) for v in self)

    def owner(self, text: str) -> AgentVocabulary:
        """The vocabulary that reads a reference; raises BadReference naming the problem."""
        text = text.strip()
        for vocabulary in self:
            if vocabulary.owns_reference(text):
                return vocabulary
        known = ", ".join(sorted(self.schemes))
        match = _URI.match(text)
        if match is None:
            raise BadReference(
                f"{text!r} is not a resource reference: write scheme://name "
                f"(schemes: {known}) or {self.ids()}"
            )
        found = self.schemes.get(match["scheme"])
        if found is None:
            raise BadReference(
                f"unknown resource scheme {match['scheme']!r} in {text!r} (known: {known})"
            )
        return found

    def raw_owner(self, resources: Iterable[str]) -> AgentVocabulary:
        """The vocabulary of a raw step: the one owning its first resource that one owns."""
        for resource in resources:
            for vocabulary in self:
                if vocabulary.owns_reference(resource):
                    return vocabulary
        first = next(iter(self), None)
        if first is None:
            raise ValueError("no agent vocabulary is registered")
        return first

    def owner_of_identity(self, value: str) -> AgentVocabulary | None:
        return next((v for v in self if v.owns_identity(value)), None)
