"""The ``azure:`` section of agent files (``subscription``, ``resource_group``), its check and
schema, and what a verb on an Azure reference needs under those defaults.

A scheme reference (``blob://``, ``keyvault://``, ``servicebus://``, ``cosmos://``) names no
subscription or resource group: they are the agent's ``azure.subscription`` and
``azure.resource_group``, else ``*`` in the ARM id (``Requirement.account_implicit``): wherever
the identity running the step holds the access, bound per identity by ``gaps.bind`` and filled
in with placeholders by the least-privilege output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.azure.agents.schemes import ANY, KINDS, SCHEMES, arm_key
from nhiscan.providers.azure.agents.uri import (
    ARM_PREFIX,
    RESOURCE_GROUP,
    SUBSCRIPTION,
    AzureRef,
    parse_reference,
)
from nhiscan.providers.azure.agents.verbs import Access, entry
from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.model import Need, Requirement
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider

AZURE_KEYS = ("subscription", "resource_group")
_IMPLICIT = f"/subscriptions/{ANY}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class AzureDefaults:
    subscription: str | None = None  # lower-case GUID
    resource_group: str | None = None

    @property
    def provider(self) -> Provider:
        return Provider.AZURE

    def owns(self, reference: str, /) -> bool:
        text = reference.strip()
        return text.lower().startswith(ARM_PREFIX) or text.split("://", 1)[0] in SCHEMES

    def needs(self, verb: Verb, reference: str, /) -> Iterator[Requirement]:
        return phrase_needs(verb, parse_reference(reference), self)


def parse_defaults(node: y.Node, file: str, base: AzureDefaults) -> AzureDefaults:
    entries = y.mapping(node, file, "`azure`")
    y.check_keys(entries, AZURE_KEYS, file, "`azure`")
    subscription, group = base.subscription, base.resource_group
    if "subscription" in entries:
        subscription = y.text(entries["subscription"][1], file, "`azure.subscription`")
        if not SUBSCRIPTION.match(subscription):
            raise y.fail(
                entries["subscription"][1],
                file,
                f"`azure.subscription` {subscription!r} is not a subscription id (a GUID)",
            )
        subscription = subscription.lower()
    if "resource_group" in entries:
        group = y.text(entries["resource_group"][1], file, "`azure.resource_group`")
        if not RESOURCE_GROUP.match(group) or group.endswith("."):
            raise y.fail(
                entries["resource_group"][1],
                file,
                f"`azure.resource_group` {group!r} "
                "is not a resource group name (1-90 letters, digits, _ . - ( ), not "
                "ending in .)",
            )
    return AzureDefaults(subscription=subscription, resource_group=group)


def defaults_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "subscription": {"type": "string", "pattern": SUBSCRIPTION.pattern},
            "resource_group": {"type": "string", "pattern": RESOURCE_GROUP.pattern},
        },
    }


def phrase_needs(verb: Verb, ref: AzureRef, defaults: AzureDefaults) -> Iterator[Requirement]:
    access = entry(verb, ref.kind)
    if not isinstance(access, Access):  # the loader refuses these; never compiled silently
        raise ValueError(f"{verb} on {ref.text} is not supported: {access.reason}")
    subscription = ref.subscription or defaults.subscription
    group = ref.group or defaults.resource_group
    info = KINDS[ref.kind]
    for part, actions in access.on.items():
        resource = arm_key(
            info.parts[part].format(
                subscription=subscription or ANY, group=group or ANY, **ref.names
            )
        )
        for action in actions:
            yield Requirement(
                provider=Provider.AZURE,
                action=action,
                resource=resource,
                account_implicit=subscription is None,
            )


def bind_subscription(need: Need, subscription: str) -> str:
    """The need's ARM id with an implicit subscription filled in with ``subscription``."""
    if not need.account_implicit or not need.resource.startswith(_IMPLICIT) or subscription == ANY:
        return need.resource
    return need.resource.replace(_IMPLICIT, f"/subscriptions/{subscription.lower()}/", 1)
