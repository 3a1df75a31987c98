"""``GcpAgentVocabulary``: GCP offered to the agent-file core through ``AgentVocabulary``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nhiscan.providers.gcp.agents import defaults
from nhiscan.providers.gcp.agents.defaults import GcpDefaults, bind_project
from nhiscan.providers.gcp.agents.render import least_privilege, trust_policy
from nhiscan.providers.gcp.agents.schemes import SCHEMES
from nhiscan.providers.gcp.agents.uri import FULL_PREFIX, parse_reference
from nhiscan.providers.gcp.agents.verbs import Unsupported, entry
from nhiscan.providers.gcp.ids import SA_DOMAIN, WORKLOAD, GcpIds
from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.english.lexicon import VerbClass
from nhiscan.scanner.agents.model import Need, ProviderDefaults
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider

# How to name a resource for each English verb class (error messages), and a key (advice).
EXAMPLES: Mapping[str, str] = {
    VerbClass.READ: "gs://bucket/prefix",
    VerbClass.LIST: "gs://bucket",
    VerbClass.WRITE: "… to gs://bucket/prefix",
    VerbClass.DELETE: "gs://bucket/prefix",
    VerbClass.COPY: "… from gs://source to gs://destination",
    VerbClass.MOVE: "… from gs://source to gs://destination",
    VerbClass.PUBLISH: "… to pubsub://project/topics/topic",
    VerbClass.CONSUME: "… from pubsub://project/subscriptions/subscription",
    VerbClass.DECRYPT: "… with cloudkms://location/ring/key",
    VerbClass.ENCRYPT: "… with cloudkms://location/ring/key",
    VerbClass.INVOKE: "gs://bucket",
    VerbClass.ASSUME: "sa://name@project.iam.gserviceaccount.com",
    "key": "cloudkms://…",
}


class GcpAgentVocabulary:
    """The ``gcp:`` section of agent files, its schemes and full resource names, and the
    custom roles and bindings granting an agent's needs."""

    defaults_key = "gcp"
    provider = Provider.GCP
    schemes = SCHEMES
    reference_pattern = r"//[a-z0-9.-]+\.googleapis\.com/\S+"
    reference_schema = r"//[a-z0-9.-]+\.googleapis\.com/.+"
    reference_noun = "full resource name"
    reference_article = "a"
    raw_resource_schema = r"//.+"
    action_pattern = r"[a-z][a-zA-Z0-9]*\.[a-zA-Z0-9*?]+\.[a-zA-Z0-9*?]+"
    action_hint = "service.resource.verb, like storage.objects.get"
    examples = EXAMPLES

    def owns_reference(self, text: str, /) -> bool:
        return text.startswith(FULL_PREFIX)

    def owns_identity(self, value: str, /) -> bool:
        return value.endswith(SA_DOMAIN) or value.startswith(WORKLOAD)

    def scope_of_identity(self, value: str, /) -> str | None:
        return GcpIds().scope_of(value)

    def blank_defaults(self) -> ProviderDefaults:
        return GcpDefaults()

    def parse_defaults(self, node: y.Node, file: str, base: ProviderDefaults) -> ProviderDefaults:
        return defaults.parse_defaults(node, file, _gcp(base))

    def defaults_schema(self) -> dict[str, Any]:
        return defaults.defaults_schema()

    def check(self, verb: Verb, reference: str) -> str | None:
        found = entry(verb, parse_reference(reference).kind)
        return found.reason if isinstance(found, Unsupported) else None

    def bind_scope(self, need: Need, scope: str) -> str:
        return bind_project(need, scope)

    def render_least_privilege(
        self, needs: Iterable[Need], scope: str, principal: str | None = None
    ) -> Mapping[str, Any] | None:
        return least_privilege(needs, scope, principal)

    def render_trust(
        self, callers: Sequence[str], services: Sequence[str]
    ) -> Mapping[str, Any] | None:
        return trust_policy(callers, services)

    def compute_services(self) -> Mapping[str, str]:
        return {}  # compute runs as an account through its deployer's actAs, not a trust


def _gcp(base: ProviderDefaults) -> GcpDefaults:
    return base if isinstance(base, GcpDefaults) else GcpDefaults()
