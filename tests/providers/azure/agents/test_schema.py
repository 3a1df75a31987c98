"""The published agent-file schema knows Azure once its vocabulary is registered: its defaults
section, schemes, ARM ids and raw actions."""

from __future__ import annotations

from typing import Any

import jsonschema
import yaml

from nhiscan.providers.azure.agents import gaps
from nhiscan.providers.azure.catalog import default_catalog
from nhiscan.scanner.agents.schema import agents_schema
from nhiscan.scanner.model import Provider
from tests import factories as f
from tests.providers.azure.agents import records as r
from tests.providers.azure.agents.helpers import (
    PRINCIPAL,
    SUBSCRIPTION,
    parse,
    plan,
    vocabularies,
)

VALIDATOR = jsonschema.Draft202012Validator(agents_schema(vocabularies()))
ARM = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/docs/providers/Microsoft.KeyVault/vaults/kv"
FILE = f"""\
defaults:
  azure: {{subscription: {SUBSCRIPTION}, resource_group: docs}}
agents:
  - name: reviewer
    owner: t
    identities: [{PRINCIPAL}]
    azure: {{resource_group: data}}
    steps:
      - read: [blob://acmedocs/drafts/2026/, cosmos://acme-db/databases/lending]
      - publish: servicebus://acme-bus/queues/intake
      - get-secret: {ARM}/secrets/api
      - actions: [Microsoft.KeyVault/vaults/secrets/readMetadata/action]
        resources: ["{ARM}"]
"""


def _errors(text: str) -> list[Any]:
    return list(VALIDATOR.iter_errors(yaml.safe_load(text)))


def test_an_azure_file_the_loader_reads_validates() -> None:
    (agent,) = parse(FILE)
    assert len(agent.steps) == 4
    assert _errors(FILE) == []


def test_the_schema_refuses_what_the_loader_refuses_for_its_shape() -> None:
    assert _errors(FILE.replace(f"subscription: {SUBSCRIPTION}", "subscription: acme"))
    assert _errors(FILE.replace("azure: {resource_group: data}", "azure: {region: x}"))
    assert _errors(FILE.replace("readMetadata/action]", "readMetadata action]"))


def test_the_file_compiles_to_azure_needs_and_a_raw_arm_id_is_compared_lower_cased() -> None:
    needs = plan(FILE).needs
    assert {n.provider for n in needs} == {Provider.AZURE}
    by_step = {n.steps: n for n in needs if n.action.startswith("Microsoft.KeyVault")}
    assert by_step[(4,)].resource == ARM  # a raw step's resource, as written
    queue = next(n for n in needs if n.action.endswith("send/action"))
    assert "/resourcegroups/data/" in queue.resource  # the agent's group over the file's
    e = f.estate(r.principal())
    judged = gaps.gap_needs(e, e.identities[PRINCIPAL], needs, default_catalog())
    raw = next(n for n in judged if n.action.endswith("readMetadata/action"))
    assert raw.resource == ARM.lower()
    assert len(judged) == len(needs)  # the Cosmos DB read kept, for the least privilege
    assert sum(gaps.unjudged(n) is not None for n in judged) == 3  # and not judged
