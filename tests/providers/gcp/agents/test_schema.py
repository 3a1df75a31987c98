"""The published agent-file schema knows GCP: its defaults section, schemes and full names."""

from __future__ import annotations

from typing import Any

import jsonschema
import yaml

from nhiscan.scanner.agents.schema import agents_schema
from tests.factories import parse_agents, vocabularies

VALIDATOR = jsonschema.Draft202012Validator(agents_schema(vocabularies()))
FILE = """\
defaults:
  gcp: {project: acme-prod}
agents:
  - name: reviewer
    owner: t
    identities: [reviewer@acme-prod.iam.gserviceaccount.com]
    gcp: {project: acme-data}
    steps:
      - read: [gs://docs/drafts/, bq://_/lending/draws]
      - publish: pubsub://topics/reviews
      - read: //storage.googleapis.com/projects/_/buckets/certs/objects/ca.pem
      - actions: [storage.objects.get]
        resources: ["//storage.googleapis.com/projects/_/buckets/certs/objects/*"]
"""


def _errors(text: str) -> list[Any]:
    return list(VALIDATOR.iter_errors(yaml.safe_load(text)))


def test_a_gcp_file_the_loader_reads_validates() -> None:
    (agent,) = parse_agents(FILE, file="a.yaml")
    assert len(agent.steps) == 4
    assert _errors(FILE) == []


def test_the_schema_refuses_what_the_loader_refuses_for_its_shape() -> None:
    assert _errors(FILE.replace("project: acme-prod", "project: Acme"))
    assert _errors(FILE.replace("gcp: {project: acme-data}", "gcp: {region: x}"))
    assert _errors(FILE.replace("storage.objects.get]", "storage-objects-get]"))
