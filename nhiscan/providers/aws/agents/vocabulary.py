"""``AwsAgentVocabulary``: AWS offered to the agent-file core through ``AgentVocabulary``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nhiscan.providers.aws.agents import defaults
from nhiscan.providers.aws.agents.defaults import AwsDefaults
from nhiscan.providers.aws.agents.render import bind_account, identity_policy, trust_policy
from nhiscan.providers.aws.agents.schemes import SCHEMES
from nhiscan.providers.aws.agents.uri import ARN_PREFIX, parse_reference
from nhiscan.providers.aws.agents.verbs import Unsupported, entry
from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.english.lexicon import VerbClass
from nhiscan.scanner.agents.model import Need, ProviderDefaults
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider

# How to name a resource for each English verb class (error messages), and a key (advice).
EXAMPLES: Mapping[str, str] = {
    VerbClass.READ: "s3://bucket/key",
    VerbClass.LIST: "s3://bucket",
    VerbClass.WRITE: "… to s3://bucket/key",
    VerbClass.DELETE: "s3://bucket/key",
    VerbClass.COPY: "… from s3://source to s3://destination",
    VerbClass.MOVE: "… from s3://source to s3://destination",
    VerbClass.PUBLISH: "… to sns://topic",
    VerbClass.CONSUME: "… from sqs://queue",
    VerbClass.DECRYPT: "… with kms://alias/key",
    VerbClass.ENCRYPT: "… with kms://alias/key",
    VerbClass.INVOKE: "lambda://function",
    VerbClass.ASSUME: "arn:aws:iam::123456789012:role/name",
    "key": "kms://…",
}

# Compute kinds (the resource kind's value) and the service principal their role trusts.
COMPUTE_SERVICES: Mapping[str, str] = {
    "lambda-function": "lambda.amazonaws.com",
    "ec2-instance": "ec2.amazonaws.com",
}


class AwsAgentVocabulary:
    """The ``aws:`` section of agent files, its schemes and ARNs, and the IAM documents."""

    defaults_key = "aws"
    provider = Provider.AWS
    schemes = frozenset(SCHEMES)
    reference_pattern = r"arn:[a-z][a-z0-9-]*:[a-z0-9-]+:\S*"
    reference_schema = r"arn:aws[a-z-]*:[a-z0-9-]+:.*"
    reference_noun = "ARN"
    reference_article = "an"
    raw_resource_schema = r"arn:.+"
    action_pattern = r"[a-z0-9-]+:[A-Za-z0-9*?]+"
    action_hint = "service:Action, like s3:GetObject"
    examples = EXAMPLES

    def owns_reference(self, text: str, /) -> bool:
        return text.startswith(ARN_PREFIX)

    def owns_identity(self, value: str, /) -> bool:
        return value.startswith("arn:aws")

    def scope_of_identity(self, value: str, /) -> str | None:
        return value.split(":")[4] or None

    def blank_defaults(self) -> ProviderDefaults:
        return AwsDefaults()

    def parse_defaults(self, node: y.Node, file: str, base: ProviderDefaults) -> ProviderDefaults:
        return defaults.parse_defaults(node, file, _aws(base))

    def defaults_schema(self) -> dict[str, Any]:
        return defaults.defaults_schema()

    def check(self, verb: Verb, reference: str) -> str | None:
        ref = parse_reference(reference)
        found = entry(verb, ref.scheme.name)
        return found.reason if isinstance(found, Unsupported) else None

    def bind_scope(self, need: Need, scope: str) -> str:
        return bind_account(need, scope)

    def render_least_privilege(
        self, needs: Iterable[Need], scope: str, principal: str | None = None
    ) -> Mapping[str, Any] | None:
        return identity_policy(needs, scope)  # an identity policy names no principal

    def render_trust(
        self, callers: Sequence[str], services: Sequence[str]
    ) -> Mapping[str, Any] | None:
        return trust_policy(callers, services)

    def compute_services(self) -> Mapping[str, str]:
        return COMPUTE_SERVICES


def _aws(base: ProviderDefaults) -> AwsDefaults:
    return base if isinstance(base, AwsDefaults) else AwsDefaults()
