"""The blast radius asks each resource's provider what a data store, a secret and reading one
are (ProviderFacts through the ProviderSet): no table of its own."""

from __future__ import annotations

from dataclasses import replace

from nhiscan.scanner.blast import blast_radius
from nhiscan.scanner.provider import NEUTRAL_FACTS
from tests import factories as f
from tests.scanner.graph.builders import granted, secret


def test_data_stores_and_secrets_are_the_providers_to_say() -> None:
    bot = f.user("bot")
    vault = secret("db")
    key = f.access_key(bot)
    e = f.estate(*granted(bot, f.allow("secretsmanager:GetSecretValue", vault.id)), vault, key)
    graph = f.reach_graph(e)
    found = f.providers(e)
    (aws,) = blast_radius(graph, [key], found.facts)
    assert (aws.radius.resources, aws.radius.data_stores, aws.radius.secrets) == (1, 1, (vault.id,))
    # Without the provider's tables, the same reach holds no data store and no secret.
    (bare,) = blast_radius(graph, [key])
    assert (bare.radius.resources, bare.radius.data_stores, bare.radius.secrets) == (1, 0, ())
    # A provider whose tables name another read action reads no secret value here.
    other = replace(found.facts("aws"), secret_read_actions=frozenset({"secrets.read"}))
    (changed,) = blast_radius(graph, [key], lambda name: other if name == "aws" else NEUTRAL_FACTS)
    assert (changed.radius.data_stores, changed.radius.secrets) == (1, ())
