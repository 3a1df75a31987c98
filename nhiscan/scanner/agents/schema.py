"""The published JSON Schema of agent files (``nhiscan schema agents``).

Built from the same tables the loader uses (verbs, keys, and each registered vocabulary's
schemes, ids and defaults section), so the two cannot drift; a
test validates the demo and example files against it and checks that files the loader refuses
for their shape are refused by the schema too. What a schema cannot say (a verb that does not
apply to a scheme, an unreadable sentence, a duplicate name across files) only the loader
checks, with file:line.
"""

from __future__ import annotations

from typing import Any

from nhiscan.scanner.agents.language import Vocabularies
from nhiscan.scanner.agents.loader import agent_keys
from nhiscan.scanner.agents.refs import EXTERNAL_PLATFORMS, selector_providers
from nhiscan.scanner.agents.vocabulary import Verb

SCHEMA_ID = "https://nhiscan.dev/schema/agents-1.json"


def agents_schema(vocabularies: Vocabularies) -> dict[str, Any]:
    schemes = "|".join(sorted(vocabularies.schemes))
    ids = "".join(f"|{v.reference_schema}" for v in vocabularies)
    reference = {
        "type": "string",
        "pattern": rf"^(({schemes})://.+{ids})$",
        "description": "scheme://name ("
        + ", ".join(sorted(vocabularies.schemes))
        + f") or {vocabularies.ids()}",
    }
    sections = {key: {"$ref": f"#/$defs/{key}"} for key in vocabularies.keys}
    references = _one_or_more(reference)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "nhiscan agent file",
        "type": "object",
        "additionalProperties": False,
        "patternProperties": {"^x-": {"description": "anchors for the agents (x-common: &c)"}},
        "required": ["agents"],
        "properties": {
            "version": {"const": 1},
            "defaults": {
                "type": "object",
                "additionalProperties": False,
                "properties": {**sections, "credentials": {"$ref": "#/$defs/credentials"}},
            },
            "agents": {"type": "array", "items": {"$ref": "#/$defs/agent"}},
        },
        "$defs": {
            **{key: v.defaults_schema() for key, v in vocabularies.by_key.items()},
            "credentials": {
                "type": "object",
                "additionalProperties": False,
                "required": ["max_key_age_days"],
                "properties": {"max_key_age_days": {"type": "integer", "minimum": 1}},
            },
            "agent": _agent(vocabularies, sections),
            "identity": _identity(vocabularies),
            "step": _step(references, vocabularies),
        },
    }


def _agent(vocabularies: Vocabularies, sections: dict[str, Any]) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "owner", "identities", "steps"],
        "propertyNames": {"enum": list(agent_keys(vocabularies))},
        "properties": {
            "name": text,
            "owner": {**text, "description": "the person or team who answers for the agent"},
            "description": text,
            "status": {"enum": ["active", "decommissioned"]},
            "decommissioned_at": {"type": "string", "format": "date"},
            "identities": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/identity"}},
            "credentials": {"$ref": "#/$defs/credentials"},
            **sections,
            "steps": {"type": "array", "items": {"$ref": "#/$defs/step"}},
        },
    }


def _identity(vocabularies: Vocabularies) -> dict[str, Any]:
    selector = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "tag": {"type": "string", "pattern": r"^[^=]+=.*$"},
            "name": {"type": "string", "minLength": 1},
            "provider": {"enum": list(selector_providers(vocabularies))},
            "account": {"type": "string", "minLength": 1},
            # which sessions of a role several agents assume are this agent's (issue #19)
            "source_identity": {"type": "string", "minLength": 1},
            "session_name": {"type": "string", "minLength": 1},
            "session_tags": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "string", "minLength": 1},
            },
        },
        "oneOf": [{"required": [k]} for k in ("id", "tag", "name")],
    }
    return {"oneOf": [{"type": "string", "minLength": 1}, selector, _external()]}


def _external() -> dict[str, Any]:
    """A principal outside the clouds (``refs._external`` checks the same)."""
    text = {"type": "string", "minLength": 1}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["external", "repository"],
        "properties": {
            "external": {"enum": list(EXTERNAL_PLATFORMS)},
            "repository": {"type": "string", "pattern": r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$"},
            "workflow": {"type": "string", "pattern": r"^\.github/workflows/.+"},
            "ref": {"type": "string", "pattern": "^refs/.+"},
            "environment": text,
            "event": text,
        },
        "anyOf": [
            {"required": ["ref"]},
            {"required": ["environment"]},
            {"required": ["event"], "properties": {"event": {"const": "pull_request"}}},
        ],
    }


def _step(references: dict[str, Any], vocabularies: Vocabularies) -> dict[str, Any]:
    verbs = {v.value: references for v in Verb}
    raw_ids = "".join(f"|{v.raw_resource_schema}" for v in vocabularies)
    structured = {
        "type": "object",
        "additionalProperties": False,
        "properties": {**verbs, "description": {"type": "string"}},
        "anyOf": [{"required": [v.value]} for v in Verb],
    }
    raw = {
        "type": "object",
        "additionalProperties": False,
        "required": ["actions", "resources"],
        "properties": {
            "actions": _one_or_more({"type": "string", "pattern": vocabularies.action_schema}),
            "resources": _one_or_more({"type": "string", "pattern": rf"^(\*{raw_ids})$"}),
            "description": {"type": "string"},
        },
    }
    sentence = {"type": "string", "minLength": 1, "description": "one plain-English sentence"}
    return {"oneOf": [sentence, structured, raw]}


def _one_or_more(item: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [item, {"type": "array", "minItems": 1, "items": item}]}
