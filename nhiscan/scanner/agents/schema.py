"""The published JSON Schema of agent files (``nhiscan schema agents``).

Built from the same tables the loader uses (verbs, schemes, keys), so the two cannot drift; a
test validates the demo and example files against it and checks that files the loader refuses
for their shape are refused by the schema too. What a schema cannot say (a verb that does not
apply to a scheme, an unreadable sentence, a duplicate name across files) only the loader
checks, with file:line.
"""

from __future__ import annotations

from typing import Any

from nhiscan.scanner.agents.loader import AGENT_KEYS, AWS_KEYS
from nhiscan.scanner.agents.schemes import SCHEMES
from nhiscan.scanner.agents.vocabulary import Verb

SCHEMA_ID = "https://nhiscan.dev/schema/agents-1.json"


def agents_schema() -> dict[str, Any]:
    schemes = "|".join(sorted(SCHEMES))
    reference = {
        "type": "string",
        "pattern": rf"^(({schemes})://.+|arn:aws[a-z-]*:[a-z0-9-]+:.*)$",
        "description": "scheme://name (" + ", ".join(sorted(SCHEMES)) + ") or an ARN",
    }
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
                "properties": {
                    "aws": {"$ref": "#/$defs/aws"},
                    "credentials": {"$ref": "#/$defs/credentials"},
                },
            },
            "agents": {"type": "array", "items": {"$ref": "#/$defs/agent"}},
        },
        "$defs": {
            "aws": _aws(),
            "credentials": {
                "type": "object",
                "additionalProperties": False,
                "required": ["max_key_age_days"],
                "properties": {"max_key_age_days": {"type": "integer", "minimum": 1}},
            },
            "agent": _agent(),
            "identity": _identity(),
            "step": _step(references),
        },
    }


def _aws() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "account": {"type": "string", "pattern": r"^\d{12}$"},
            "region": {"type": "string", "pattern": r"^[a-z]{2}(-[a-z]+)+-\d+$"},
            "partition": {"enum": ["aws", "aws-cn", "aws-us-gov"]},
        },
        "propertyNames": {"enum": list(AWS_KEYS)},
    }


def _agent() -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "owner", "identities", "steps"],
        "propertyNames": {"enum": list(AGENT_KEYS)},
        "properties": {
            "name": text,
            "owner": {**text, "description": "the person or team who answers for the agent"},
            "description": text,
            "status": {"enum": ["active", "decommissioned"]},
            "decommissioned_at": {"type": "string", "format": "date"},
            "identities": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/identity"}},
            "credentials": {"$ref": "#/$defs/credentials"},
            "aws": {"$ref": "#/$defs/aws"},
            "steps": {"type": "array", "items": {"$ref": "#/$defs/step"}},
        },
    }


def _identity() -> dict[str, Any]:
    selector = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "tag": {"type": "string", "pattern": r"^[^=]+=.*$"},
            "name": {"type": "string", "minLength": 1},
            "provider": {"enum": ["aws", "azure", "gcp"]},
            "account": {"type": "string", "minLength": 1},
        },
        "oneOf": [{"required": [k]} for k in ("id", "tag", "name")],
    }
    return {"oneOf": [{"type": "string", "minLength": 1}, selector]}


def _step(references: dict[str, Any]) -> dict[str, Any]:
    verbs = {v.value: references for v in Verb}
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
            "actions": _one_or_more({"type": "string", "pattern": r"^[a-z0-9-]+:[A-Za-z0-9*?]+$"}),
            "resources": _one_or_more({"type": "string", "pattern": r"^(\*|arn:.+)$"}),
            "description": {"type": "string"},
        },
    }
    sentence = {"type": "string", "minLength": 1, "description": "one plain-English sentence"}
    return {"oneOf": [sentence, structured, raw]}


def _one_or_more(item: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [item, {"type": "array", "minItems": 1, "items": item}]}
