"""``AzureAgentVocabulary``: Azure offered to the agent-file core through ``AgentVocabulary``;
``VOCABULARY`` is what the Azure provider plugs in as its ``agents``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nhiscan.providers.azure.agents import defaults
from nhiscan.providers.azure.agents.defaults import AzureDefaults, bind_subscription
from nhiscan.providers.azure.agents.render import least_privilege
from nhiscan.providers.azure.agents.schemes import SCHEMES
from nhiscan.providers.azure.agents.trust import trust
from nhiscan.providers.azure.agents.uri import ARM_PREFIX, SUBSCRIPTION, parse_reference
from nhiscan.providers.azure.agents.verbs import Unsupported, entry
from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.english.lexicon import VerbClass
from nhiscan.scanner.agents.model import Need, ProviderDefaults
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider

# How to name a resource for each English verb class (error messages), and a key (advice).
EXAMPLES: Mapping[str, str] = {
    VerbClass.READ: "blob://account/container/prefix",
    VerbClass.LIST: "blob://account/container",
    VerbClass.WRITE: "… to blob://account/container/prefix",
    VerbClass.DELETE: "blob://account/container/prefix",
    VerbClass.COPY: "… from blob://account/source to blob://account/destination",
    VerbClass.MOVE: "… from blob://account/source to blob://account/destination",
    VerbClass.PUBLISH: "… to servicebus://namespace/queues/queue",
    VerbClass.CONSUME: "… from servicebus://namespace/queues/queue",
    VerbClass.DECRYPT: "… with keyvault://vault/keys/key",
    VerbClass.ENCRYPT: "… with keyvault://vault/keys/key",
    VerbClass.INVOKE: "blob://account/container",
    VerbClass.ASSUME: "(Azure has no role assumption)",
    "key": "keyvault://vault/keys/…",
}


class AzureAgentVocabulary:
    """The ``azure:`` section of agent files, its schemes and ARM ids, and the custom role and
    role assignments granting an agent's needs."""

    defaults_key = "azure"
    provider = Provider.AZURE
    schemes = SCHEMES
    reference_pattern = r"/subscriptions/[0-9a-fA-F-]{36}/\S+"
    reference_schema = r"/subscriptions/[0-9a-fA-F-]{36}/.+"
    reference_noun = "ARM id"
    reference_article = "an"
    raw_resource_schema = r"/.+"
    action_pattern = r"Microsoft\.[A-Za-z0-9.]+(?:/[A-Za-z0-9*.-]+)+"
    action_hint = "Namespace/type/operation, like Microsoft.Storage/storageAccounts/read"
    examples = EXAMPLES

    def owns_reference(self, text: str, /) -> bool:
        return text.strip().lower().startswith(ARM_PREFIX)

    def owns_identity(self, value: str, /) -> bool:
        return SUBSCRIPTION.match(value.strip()) is not None  # an Entra object id (a GUID)

    def scope_of_identity(self, value: str, /) -> str | None:
        return None  # an object id says its tenant, never a subscription

    def blank_defaults(self) -> ProviderDefaults:
        return AzureDefaults()

    def parse_defaults(self, node: y.Node, file: str, base: ProviderDefaults) -> ProviderDefaults:
        return defaults.parse_defaults(node, file, _azure(base))

    def defaults_schema(self) -> dict[str, Any]:
        return defaults.defaults_schema()

    def check(self, verb: Verb, reference: str) -> str | None:
        found = entry(verb, parse_reference(reference).kind)
        return found.reason if isinstance(found, Unsupported) else None

    def bind_scope(self, need: Need, scope: str) -> str:
        return bind_subscription(need, scope)

    def render_least_privilege(
        self, needs: Iterable[Need], scope: str, principal: str | None = None
    ) -> Mapping[str, Any] | None:
        return least_privilege(needs, scope, principal)

    def render_trust(
        self, callers: Sequence[str], services: Sequence[str]
    ) -> Mapping[str, Any] | None:
        return trust(callers, services)

    def compute_services(self) -> Mapping[str, str]:
        return {}  # compute runs as a managed identity attached to it, not through a trust


def _azure(base: ProviderDefaults) -> AzureDefaults:
    return base if isinstance(base, AzureDefaults) else AzureDefaults()


VOCABULARY = AzureAgentVocabulary()
