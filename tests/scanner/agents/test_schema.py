"""The published JSON Schema agrees with the loader: files the loader reads validate, and files
it refuses for their shape are refused by the schema too."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import yaml

from nhiscan.app.agents import DEMO_AGENTS
from nhiscan.scanner.agents.schema import agents_schema
from tests.factories import parse_agents, vocabularies
from tests.scanner.agents.test_loader import GOOD, _ids, _steps, _with

VALIDATOR = jsonschema.Draft202012Validator(
    agents_schema(vocabularies()), format_checker=jsonschema.FormatChecker()
)


def _errors(text: str) -> list[Any]:
    return list(VALIDATOR.iter_errors(yaml.safe_load(text)))


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(agents_schema(vocabularies()))


@pytest.mark.parametrize("text", [GOOD, DEMO_AGENTS.read_text()], ids=["example", "demo"])
def test_files_the_loader_reads_validate(text: str) -> None:
    # YAML reads unquoted dates as dates; the schema describes the text form.
    quoted = text.replace("decommissioned_at: 2026-01-15", "decommissioned_at: '2026-01-15'")
    assert _errors(quoted) == []


SHAPE_ERRORS = [
    "agent: []\n",
    "version: 2\nagents: []\n",
    _steps("- reed: s3://x"),
    _steps("- read: ftp://x"),
    _steps("- {description: x}"),
    _steps("- actions: [GetObject]", "  resources: ['*']"),
    _steps("- actions: [s3:GetObject]"),
    _steps("- actions: [s3:GetObject]", "  resources: [b]"),
    _steps("- {read: s3://b, actions: [s3:GetObject], resources: ['*']}"),
    "agents:\n  - name: a\n    steps: []\n    owner: t\n",
    _ids("[]"),
    _ids("[{tag: agent}]"),
    _ids("[{id: x, name: y}]"),
    _ids("[{name: y, provider: aliyun}]"),
    _with("status: retired"),
    _with("credentials: {max_key_age_days: 0}"),
    _with("aws: {account: '1234'}"),
    _with("aws: {region: europe}"),
    _with("colour: blue"),
    "agents:\n  - name: a\n    identities: [x]\n    steps: []\n",
]


@pytest.mark.parametrize("text", SHAPE_ERRORS)
def test_shapes_the_loader_refuses_the_schema_refuses(text: str) -> None:
    from nhiscan.errors import PolicyFileError

    with pytest.raises(PolicyFileError):
        parse_agents(text, file="agents.yaml")
    assert _errors(text), "the schema accepts what the loader refuses"
