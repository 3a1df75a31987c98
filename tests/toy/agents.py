"""``ToyAgentVocabulary``: the toy cloud's part of agent files (the ``AgentVocabulary`` protocol,
docs/providers.md). One scheme, ``toybox://<box>``, read in the ``toy: {tenant: …}`` defaults'
tenant (or the identity's, bound later); the only verbs are reading and listing a box
(``toy.read``). Its own ids (``toy://<tenant>/…``) may be written too."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.english.lexicon import VerbClass
from nhiscan.scanner.agents.language import AgentVocabulary, BadReference
from nhiscan.scanner.agents.model import Need, ProviderDefaults, Requirement
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.agents.yamlnodes import Node
from nhiscan.scanner.model import Provider

TOY, READ = Provider("toy"), "toy.read"  # as tests/toy/provider.py, which imports this module
SCHEME = "toybox"
ANY_TENANT = "*"
READS = frozenset({Verb.READ, Verb.LIST})
_TENANT = r"^[a-z0-9-]+$"


def box_of(reference: str, tenant: str) -> str:
    """The box id a reference names: a ``toybox://`` name in ``tenant``, or a toy id as is."""
    if reference.startswith("toy://"):
        return reference
    name = reference.removeprefix(f"{SCHEME}://")
    if not name or "/" in name:
        raise BadReference(f"{reference!r}: write {SCHEME}://<box>")
    return f"toy://{tenant}/box/{name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ToyDefaults:
    tenant: str | None = None

    @property
    def provider(self) -> Provider:
        return TOY

    def owns(self, reference: str, /) -> bool:
        return reference.startswith((f"{SCHEME}://", "toy://"))

    def needs(self, verb: Verb, reference: str, /) -> Iterator[Requirement]:
        implicit = self.tenant is None and not reference.startswith("toy://")
        box = box_of(reference, self.tenant or ANY_TENANT)
        yield Requirement(provider=TOY, action=READ, resource=box, account_implicit=implicit)


def _toy(base: ProviderDefaults) -> ToyDefaults:
    return base if isinstance(base, ToyDefaults) else ToyDefaults()


class ToyAgentVocabulary:
    defaults_key = "toy"
    provider = TOY
    schemes = frozenset({SCHEME})
    reference_pattern = r"toy://\S+"
    reference_schema = r"toy://.+"
    reference_noun = "toy id"
    reference_article = "a"
    raw_resource_schema = r"toy://.+"
    action_pattern = r"toy\.[a-z*?]+"
    action_hint = "toy.permission, like toy.read"
    examples: Mapping[str, str] = {VerbClass.READ: f"{SCHEME}://box", "key": f"{SCHEME}://box"}

    def owns_reference(self, text: str, /) -> bool:
        return text.startswith("toy://")

    def owns_identity(self, value: str, /) -> bool:
        return value.startswith("toy://")

    def scope_of_identity(self, value: str, /) -> str | None:
        return value.removeprefix("toy://").split("/")[0] or None

    def blank_defaults(self) -> ProviderDefaults:
        return ToyDefaults()

    def parse_defaults(self, node: Node, file: str, base: ProviderDefaults) -> ProviderDefaults:
        entries = y.mapping(node, file, "`toy`")
        y.check_keys(entries, ("tenant",), file, "`toy`")
        tenant = _toy(base).tenant
        if "tenant" in entries:
            tenant = y.text(entries["tenant"][1], file, "`toy.tenant`")
            if not re.match(_TENANT, tenant):
                raise y.fail(entries["tenant"][1], file, "`toy.tenant` is a kebab-case name")
        return ToyDefaults(tenant=tenant)

    def defaults_schema(self) -> dict[str, Any]:
        tenant = {"type": "string", "pattern": _TENANT}
        return {"type": "object", "additionalProperties": False, "properties": {"tenant": tenant}}

    def check(self, verb: Verb, reference: str) -> str | None:
        box_of(reference, ANY_TENANT)  # raises BadReference
        return None if verb in READS else f"a toy box can only be read or listed, not {verb}"

    def bind_scope(self, need: Need, scope: str) -> str:
        prefix = f"toy://{ANY_TENANT}/"
        resource = need.resource
        if need.account_implicit and resource.startswith(prefix):
            return f"toy://{scope}/{resource.removeprefix(prefix)}"
        return resource

    def render_least_privilege(
        self, needs: Iterable[Need], scope: str, principal: str | None = None
    ) -> Mapping[str, Any] | None:
        granted: dict[str, list[str]] = {}
        for need in needs:
            if need.provider is TOY:
                granted.setdefault(need.action, []).append(self.bind_scope(need, scope))
        if not granted:
            return None
        return {"permissions": {k: sorted(set(v)) for k, v in sorted(granted.items())}}

    def render_trust(
        self, callers: Sequence[str], services: Sequence[str]
    ) -> Mapping[str, Any] | None:
        return {"delegates": sorted(callers)} if callers else None

    def compute_services(self) -> Mapping[str, str]:
        return {}


VOCABULARY: AgentVocabulary = ToyAgentVocabulary()
