"""The vocabularies an agent file is read with once the Azure provider is registered: the
registered ones (AWS, GCP) and Azure's (another session registers the provider)."""

from __future__ import annotations

from nhiscan.app.agents import vocabularies as registered
from nhiscan.providers.azure.agents import VOCABULARY
from nhiscan.providers.azure.catalog import default_catalog
from nhiscan.scanner.agents import loader
from nhiscan.scanner.agents.compiler import compile_agent
from nhiscan.scanner.agents.language import Vocabularies
from nhiscan.scanner.agents.model import Agent, AgentPlan

SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
PRINCIPAL = "6a8e2c41-93b4-4f1e-a0d7-2f5c9b3e8d10"


def vocabularies() -> Vocabularies:
    found = {v.defaults_key: v for v in registered()}
    found["azure"] = VOCABULARY
    return Vocabularies(found.values())


def parse(text: str, *, file: str = "a.yaml") -> tuple[Agent, ...]:
    return loader.parse_agents(text, file=file, vocabularies=vocabularies())


def plan(text: str) -> AgentPlan:
    (agent,) = parse(text)
    return compile_agent(agent, default_catalog(), default_max_key_age=90)
