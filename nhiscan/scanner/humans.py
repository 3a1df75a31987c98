"""Tell people from machines: the neutral evidence. Each provider's classifier asks, in order:
an explicit tag (:func:`from_tags`), a login a person uses (its own records), then names
(:func:`name_signal`) and credential shape.

Returns ``None`` with a reason when the evidence is missing, never a guess dressed as a fact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Tag keys that state what kind of principal this is, compared case-insensitively.
KIND_TAG_KEYS = frozenset(
    {
        "human",
        "is_human",
        "is-human",
        "nhi",
        "identity-type",
        "identity_type",
        "principal-type",
        "principal_type",
        "account-type",
        "account_type",
        "user-type",
        "user_type",
        "type",
    }
)
HUMAN_TAG_VALUES = frozenset({"human", "person", "people", "employee", "user", "true:human"})
MACHINE_TAG_VALUES = frozenset(
    {
        "service",
        "machine",
        "bot",
        "nhi",
        "automation",
        "workload",
        "system",
        "application",
        "app",
        "agent",
        "ai-agent",
        "service-account",
        "non-human",
    }
)
BOOLEAN_TAGS = {"human": True, "is_human": True, "is-human": True, "nhi": False}

# Name tokens that mark automation; a token must stand alone between separators.
MACHINE_NAME_TOKENS = frozenset(
    {
        "svc",
        "service",
        "srv",
        "bot",
        "robot",
        "agent",
        "ai",
        "llm",
        "ci",
        "cd",
        "cicd",
        "deploy",
        "deployer",
        "deployment",
        "pipeline",
        "terraform",
        "tf",
        "automation",
        "auto",
        "app",
        "api",
        "integration",
        "sync",
        "etl",
        "backup",
        "monitor",
        "monitoring",
        "jenkins",
        "github",
        "gitlab",
        "actions",
        "circleci",
        "lambda",
        "job",
        "jobs",
        "worker",
        "runner",
        "system",
        "sa",
        "scanner",
        "exporter",
        "datadog",
        "splunk",
        "newrelic",
        "batch",
        "cron",
        "ingest",
        "uploader",
        "reader",
        "writer",
        "readonly",
        "access",
        "programmatic",
        "machine",
        "daemon",
        "s3",
        "sqs",
        "sns",
        "ses",
        "smtp",
        "build",
        "release",
        "test",
        "tests",
        "staging",
        "prod",
        "production",
        "dev",
        "ops",
        "devops",
        "k8s",
        "eks",
        "ecs",
        "airflow",
        "dbt",
        "snowflake",
    }
)
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
# Word starts inside camel case: "ReportingAgent" and also after an acronym: "CIBot", "ETLJob".
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_FIRST_LAST = re.compile(r"^[a-z]{2,}[._][a-z]{2,}$")


@dataclass(frozen=True, slots=True)
class Verdict:
    is_human: bool | None
    reason: str


def from_tags(tags: Mapping[str, str]) -> Verdict | None:
    for key, value in tags.items():
        k, v = key.lower(), value.strip().lower()
        if k not in KIND_TAG_KEYS:
            continue
        if k in BOOLEAN_TAGS and v in ("true", "yes", "1", "false", "no", "0"):
            truthy = v in ("true", "yes", "1")
            return Verdict(truthy == BOOLEAN_TAGS[k], f"tag {key}={value}")
        if v in HUMAN_TAG_VALUES:
            return Verdict(True, f"tag {key}={value}")
        if v in MACHINE_TAG_VALUES:
            return Verdict(False, f"tag {key}={value}")
    return None


def name_signal(name: str) -> bool | None:
    """True: a person's name or email; False: an automation name; None: no sign."""
    if _EMAIL.match(name):
        local = name.split("@", 1)[0].lower()
        return not (_tokens(local) & MACHINE_NAME_TOKENS)
    tokens = _tokens(name)
    if tokens & MACHINE_NAME_TOKENS:
        return False
    if _FIRST_LAST.match(name.lower()):
        return True
    return None


def _tokens(name: str) -> set[str]:
    spaced = _CAMEL.sub("-", name)
    return {t for t in _TOKEN_SPLIT.split(spaced.lower()) if t}
