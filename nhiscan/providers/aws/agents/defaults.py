"""The ``aws:`` section of agent files (account, region, partition), its checks and schema, and
what a verb on an AWS reference needs under those defaults.

A reference without an account stays ``*`` in the ARN's account field
(``Requirement.account_implicit``): it is the account of whichever identity runs the step,
filled in per identity by ``render.py`` and the gap analyzer. A regional reference without a
region (neither in an ARN nor in the agent's ``aws.region``) stays ``*``: any region; the
least-privilege policy then says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.aws.agents.schemes import SCHEMES
from nhiscan.providers.aws.agents.uri import ARN_PREFIX, ResourceRef, parse_reference
from nhiscan.providers.aws.agents.verbs import Access, entry
from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.model import Conditions, Requirement
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider

AWS_KEYS = ("account", "region", "partition")
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
_ACCOUNT = r"^\d{12}$"
_REGION = r"^[a-z]{2}(-[a-z]+)+-\d+$"


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsDefaults:
    account: str | None = None
    region: str | None = None
    partition: str = "aws"

    @property
    def provider(self) -> Provider:
        return Provider.AWS

    def owns(self, reference: str, /) -> bool:
        text = reference.strip()
        return text.startswith(ARN_PREFIX) or text.split("://", 1)[0] in SCHEMES

    def needs(self, verb: Verb, reference: str, /) -> Iterator[Requirement]:
        return phrase_needs(verb, parse_reference(reference), self)


def parse_defaults(node: y.Node, file: str, base: AwsDefaults) -> AwsDefaults:
    entries = y.mapping(node, file, "`aws`")
    y.check_keys(entries, AWS_KEYS, file, "`aws`")
    account, region, partition = base.account, base.region, base.partition
    if "account" in entries:
        account = y.text(entries["account"][1], file, "`aws.account`")
        if not re.match(_ACCOUNT, account):
            raise y.fail(entries["account"][1], file, "`aws.account` must be 12 digits (quote it)")
    if "region" in entries:
        region = y.text(entries["region"][1], file, "`aws.region`")
        if not re.match(_REGION, region):
            raise y.fail(entries["region"][1], file, f"`aws.region` {region!r} is not a region")
    if "partition" in entries:
        partition = y.text(entries["partition"][1], file, "`aws.partition`")
        if partition not in PARTITIONS:
            raise y.fail(
                entries["partition"][1], file, "`aws.partition`: aws, aws-cn or aws-us-gov"
            )
    return AwsDefaults(account=account, region=region, partition=partition)


def defaults_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "account": {"type": "string", "pattern": _ACCOUNT},
            "region": {"type": "string", "pattern": _REGION},
            "partition": {"enum": list(PARTITIONS)},
        },
        "propertyNames": {"enum": list(AWS_KEYS)},
    }


def phrase_needs(verb: Verb, ref: ResourceRef, defaults: AwsDefaults) -> Iterator[Requirement]:
    access = entry(verb, ref.scheme.name)
    if not isinstance(access, Access):  # the loader refuses these; never compiled silently
        raise ValueError(f"{verb} on {ref.text} is not supported: {access.reason}")
    account = ref.account or defaults.account
    for part, actions in access.on.items():
        resource, conditions = _arn(ref, part, defaults, account)
        for action in actions:
            yield Requirement(
                provider=ref.scheme.provider,
                action=action,
                resource=resource,
                conditions=conditions,
                account_implicit=account is None and "{account}" in ref.scheme.parts[part],
            )


def _arn(
    ref: ResourceRef, part: str, defaults: AwsDefaults, account: str | None
) -> tuple[str, Conditions]:
    scheme = ref.scheme
    name = ref.name
    conditions: Conditions = ()
    if scheme.alias_prefix and name.startswith(scheme.alias_prefix):
        # A key named by alias: any key carrying that alias (AWS documents kms:ResourceAliases
        # for exactly this).
        conditions = (("ForAnyValue:StringEquals", scheme.alias_condition or "", (name,)),)
        name = "*"
    elif scheme.name_suffix and not ref.text.startswith(ARN_PREFIX) and not name.endswith("*"):
        name += scheme.name_suffix
    arn = scheme.parts[part].format(
        partition=ref.partition if ref.text.startswith(ARN_PREFIX) else defaults.partition,
        region=ref.region or defaults.region or "*",
        account=account or "*",
        name=name,
        path=ref.path or "*",
    )
    return arn, conditions
