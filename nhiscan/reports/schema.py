"""The published JSON Schema (draft 2020-12) of report.json (``nhiscan schema report``).

Strict where the contract is firm: every top-level key ``report_document`` writes is required
(``activity`` only when it is written: with an activity source),
with its type (nullable where the report writes null: ``blast_radius`` and ``graph`` without
reach analysis, ``baseline``, ``suppressions``, ``history`` and ``agents`` when unused); the
records (findings, identities, credentials, gaps, exposures, repositories, skipped files,
accounts, tool) require every field and type it, and closed sets are enums taken from the code
(severity, credential status, gap and skip reasons, agent status, identity-reference kind), so
the two cannot drift. Provider names and record kinds are open sets (``model.OpenStrEnum``: a
new cloud's provider brings its own): each is ``anyOf`` the values the model lists or any
kebab-case name, and a record of a listed provider must have a listed kind (as the snapshot
check asks). Open where later versions add fields (the contract: they add, never remove or
rename): no object forbids extra properties, and evidence, attack paths, least-privilege
policies and history drift are typed as objects only: their keys belong to each rule or
version.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from nhiscan.reports.model import Detail
from nhiscan.scanner.activity import ActivityScope, ActivitySummary
from nhiscan.scanner.agents.model import AgentStatus, RefKind
from nhiscan.scanner.agents.sessions import Verdict
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    CredentialKind,
    Exposure,
    Finding,
    Identity,
    OpenStrEnum,
    Provider,
    Repository,
    Severity,
    SkippedFile,
    ToolInfo,
    omitted_when_default,
)
from nhiscan.scanner.usage import UseStatus

SCHEMA_ID = "https://nhiscan.dev/schema/report-1.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
RECORDS: dict[str, type[Any]] = {
    "tool": ToolInfo,
    "account": Account,
    "identity": Identity,
    "credential": Credential,
    "finding": Finding,
    "gap": CollectionGap,
    "repository": Repository,
    "exposure": Exposure,
    "skipped_file": SkippedFile,
    "activity_summary": ActivitySummary,
    "activity_scope": ActivityScope,
}
# Top-level keys written only when their part ran (reports without it stay as they were).
OPTIONAL_TOP = ("activity",)
# Firmer than the field's Python type says.
REFINED: dict[str, dict[str, Any]] = {
    "finding": {
        "rule_id": {"type": "string", "pattern": "^NHI[0-9]{3}$"},
        "rule_name": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
        "fingerprint": {"type": "string", "minLength": 1},
    },
    "exposure": {"secret_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
}

STRING = {"type": "string"}
# A value of an open set no listed member names: a new cloud's provider name or kind.
OPEN_NAME = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}
COUNT = {"type": "integer", "minimum": 0}
OBJECT = {"type": "object"}
TIME = {"type": "string", "format": "date-time"}


def report_schema() -> dict[str, Any]:
    top = _top_level()
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "nhiscan report.json",
        "description": "Later versions add fields; they never remove or rename one.",
        "type": "object",
        "required": [name for name in top if name not in OPTIONAL_TOP],
        "properties": top,
        "$defs": {
            **{name: record_schema(cls, REFINED.get(name, {})) for name, cls in RECORDS.items()},
            "severity": _enum(Severity),
            "credential_kind": _open_enum(CredentialKind),
            "statement_ref": _object(
                {
                    "policy_id": STRING,
                    "index": {"type": ["integer", "null"]},
                    "sid": _nullable(STRING),
                }
            ),
            "suppression": _object(
                {
                    "where": STRING,
                    **_all(_nullable(STRING), "fingerprint rule subject"),
                    "reason": STRING,
                    "expires": _nullable({"type": "string", "format": "date"}),
                }
            ),
            **_agent_defs(),
        },
    }


def _top_level() -> dict[str, Any]:
    return {
        "schema_version": {"type": "integer", "const": 1},
        "tool": _ref("tool"),
        "scanned_at": TIME,
        "collected_at": TIME,
        "sources": _array(STRING),
        "summary": _summary(),
        "accounts": _array(_ref("account")),
        "identities": _array(_ref("identity")),
        "credentials": _array(_ref("credential")),
        "findings": _array(_ref("finding")),
        "gaps": _array(_ref("gap")),
        "repositories": _array(_ref("repository")),
        "exposures": _array(_ref("exposure")),
        "skipped": _array(_ref("skipped_file")),
        "activity": _activity(),
        "blast_radius": _nullable(_array(_blast_entry())),
        "graph": _nullable(
            _object({k: COUNT for k in ("nodes", "edges", "escalations", "potential_escalations")})
        ),
        "baseline": _nullable(_baseline()),
        "reach": _object({"analysed": {"type": "boolean"}}, optional={"skipped": STRING}),
        "suppressions": _nullable(
            _object(
                {
                    "suppressed": _array(_suppressed()),
                    "expired": _array(_ref("suppression")),
                    "unused": _array(_ref("suppression")),
                }
            )
        ),
        "history": _nullable(
            _object(
                {
                    "store": STRING,
                    "run": OBJECT,
                    "previous": _nullable(OBJECT),
                    "since_last": _nullable(OBJECT),
                    "trend": _array(OBJECT),
                },
                # what NHI706 compared the agents' behaviour with, or why nothing
                optional={"behaviour": _nullable(OBJECT)},
            )
        ),
        "agents": _nullable(_array(_ref("agent"))),
        "agent_analysis": _agent_analysis(),
        "remediations": _array(
            _object(
                {
                    **_all(STRING, "kind action change target"),
                    "closes": _array(STRING),
                    "closes_by_severity": {
                        "type": "object",
                        "additionalProperties": COUNT,
                        "propertyNames": _ref("severity"),
                    },
                    "paths_to_admin": COUNT,
                }
            )
        ),
        "detail": _object(
            {"level": {"enum": [d.value for d in Detail]}, "list_cap": _nullable(COUNT)}
        ),
        "federation": _federation(),
    }


def _federation() -> dict[str, Any]:
    """Keyless trusts (issue #20) and the issuers registered."""
    admission = _object(
        {
            **_all(STRING, "principal wildcard words"),
            "pull_requests": {"type": ["boolean", "null"]},
            "example": _nullable(STRING),
            "undecided": _array(STRING),
        }
    )
    trust = _object(
        {
            **_all(STRING, "provider target account issuer platform source wildcard words"),
            **_all(_nullable(STRING), "registration via"),
            **_all(_array(STRING), "owners repositories contexts audiences"),
            **_all({"type": ["boolean", "null"]}, "pull_requests audience_pinned"),
            "admissions": _array(admission),
        }
    )
    registration = _object(
        {
            **_all(STRING, "provider id account issuer platform"),
            "audiences": _nullable(_array(STRING)),
            "disabled": {"type": "boolean"},
        }
    )
    return _object(
        {
            "trusts": _array(trust),
            "registrations": _array(registration),
            "repositories_not_judged": _array(STRING),
        }
    )


def record_schema(cls: type[Any], refined: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A record as ``codec.encode`` writes it: every field, typed from its annotation; those
    the codec leaves out while they hold their default are optional."""
    hints = typing.get_type_hints(cls)
    fields = [f.name for f in dataclasses.fields(cls)]
    properties = {name: type_schema(hints[name]) for name in fields}
    properties.update(refined or {})
    omitted = omitted_when_default(cls)
    required = [name for name in fields if name not in omitted]
    schema = {"type": "object", "required": required, "properties": properties}
    kind = hints.get("kind")
    if hints.get("provider") is Provider and isinstance(kind, type) and issubclass(kind, Enum):
        # A listed provider's record has a listed kind (an unlisted one is a typo).
        listed = {"required": ["provider"], "properties": {"provider": _enum(Provider)}}
        schema.update({"if": listed, "then": {"properties": {"kind": _enum(kind)}}})
    return schema


def type_schema(tp: Any) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        schema = type_schema(inner[0]) if len(inner) == 1 else {}
        return _nullable(schema) if type(None) in args else schema
    if origin is tuple:
        return _array(type_schema(args[0]))
    if origin in (Mapping, dict):
        return {"type": "object", "additionalProperties": type_schema(args[1])}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return record_schema(tp)
    if isinstance(tp, type) and issubclass(tp, OpenStrEnum):
        return _open_enum(tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _enum(tp)
    simple: dict[Any, dict[str, Any]] = {
        str: STRING,
        bool: {"type": "boolean"},
        int: {"type": "integer"},
        float: {"type": "number"},
        datetime: TIME,
        date: {"type": "string", "format": "date"},
    }
    return dict(simple.get(tp, {}))  # Any: anything


def _activity() -> dict[str, Any]:
    identity = _object(
        {
            "identity": STRING,
            "in_inventory": {"type": "boolean"},
            "kind": _nullable(STRING),
            "count": COUNT,
            **_all(TIME, "first_seen last_seen"),
            **_all(_array(STRING), "actions denied_actions"),
            "sessions": _array(_ref("activity_summary")),
        }
    )
    return _object(
        {
            "sources": _array(_ref("activity_scope")),
            "identities": _array(identity),
            "not_in_inventory": COUNT,
        }
    )


def _summary() -> dict[str, Any]:
    counts = {"type": "object", "additionalProperties": COUNT}
    return _object(
        {
            **_all(
                COUNT, "identities credentials findings suppressed gaps exposures skipped_files"
            ),
            "findings_by_severity": {**counts, "propertyNames": _ref("severity")},
            "identities_by_kind": counts,
            "humans": {**counts, "propertyNames": {"enum": ["human", "machine", "unknown"]}},
        }
    )


def _blast_entry() -> dict[str, Any]:
    return _object(
        {
            **_all(STRING, "credential identity"),
            "kind": _ref("credential_kind"),
            "admin": {"type": "boolean"},
            "admin_path": _nullable(_array(OBJECT)),
            **_all(COUNT, "roles resources data_stores"),
            "secrets": _array(STRING),
        }
    )


def _baseline() -> dict[str, Any]:
    accepted = _object(
        {"fingerprint": STRING, "rule_id": STRING, "severity": _ref("severity"), "title": STRING}
    )
    stale = _object(
        {"fingerprint": STRING, "rule_id": STRING, "subject": STRING}, optional={"note": STRING}
    )
    return _object({"file": STRING, "baselined": _array(accepted), "stale": _array(stale)})


def _suppressed() -> dict[str, Any]:
    return _object(
        {
            **_all(STRING, "fingerprint rule_id title subject reason where"),
            "severity": _ref("severity"),
            "expires": _nullable({"type": "string", "format": "date"}),
        }
    )


def _agent_defs() -> dict[str, Any]:
    ref = _object(
        {"kind": _enum(RefKind), "value": STRING, "where": STRING},
        optional={"key": STRING, "account": STRING, "provider": STRING},
    )
    need = _object(
        {**_all(STRING, "provider action resource"), "steps": _array({"type": "integer"})}
    )
    grant = _object(
        {
            **_all(STRING, "provider action resource service"),
            "access_level": _nullable(STRING),
            "statements": _array(_ref("statement_ref")),
        }
    )
    score = _object(
        {
            "value": {"type": "number"},
            "band": _nullable(_ref("severity")),
            "excess_points": {"type": "number"},
            "admin": {"type": "boolean"},
            "escalation_methods": _array(STRING),
        }
    )
    return {
        "identity_ref": ref,
        "need": need,
        "grant": grant,
        "agent": _agent(score),
    }


def _agent(score: dict[str, Any]) -> dict[str, Any]:
    grants = _nullable(_array(_ref("grant")))
    return _object(
        {
            **_all(STRING, "name where"),
            **_all(_nullable(STRING), "owner description decommissioned_at"),
            "status": _enum(AgentStatus),
            "max_key_age_days": _nullable({"type": "integer"}),
            "identities": _array(_object({"id": STRING})),
            **_all(_array(_ref("identity_ref")), "references unmatched unchecked"),
            "steps": _array(
                _object({"index": {"type": "integer"}, "where": STRING, "text": STRING})
            ),
            "needed": _array(_ref("need")),
            "analysed": {"type": "boolean"},
            **_all(grants, "excess excess_scope conditional"),
            **_all(_nullable(OBJECT), "granted_summary excess_by_service least_privilege"),
            **_all(_nullable(_array(OBJECT)), "missing escalations"),
            "score": _nullable(score),
            "totals": _nullable(
                _object(_all(COUNT, "excess excess_scope conditional missing escalations unjudged"))
            ),
        },
        optional={"unjudged": _array(OBJECT), "activity": _agent_activity()},
    )


def _agent_activity() -> dict[str, Any]:
    """An agent's needed / granted / used (``reports/agent_usage.py``), with an activity
    source only."""
    event = _object(_all(STRING, "id source") | {"time": TIME})
    item = _object(
        {
            **_all(STRING, "action resource status"),
            "access_level": _nullable(STRING),
            "count": COUNT,
            **_all(_nullable(TIME), "first_seen last_seen"),
            **_all(_array(STRING), "identities sessions"),
            "steps": _array({"type": "integer"}),
            "events": _array(event),
        },
        optional={
            "unmapped": {"type": "boolean"},
            "error": STRING,
            "statements": _array(_ref("statement_ref")),
            "last_seen_from": _nullable({"enum": ["trail", "identity"]}),
        },
    )
    session = _object(
        {
            **_all(STRING, "session identity principal"),
            **_all(_nullable(STRING), "source_identity session_name assumed_by"),
            "session_tags": {"type": "object", "additionalProperties": STRING},
            "verdict": {"enum": [Verdict.MINE.value, Verdict.UNKNOWN.value]},
            "indistinguishable": {"type": "boolean"},
            "shared_with": _array(STRING),
            "count": COUNT,
            **_all(TIME, "first_seen last_seen"),
            **_all(_array(STRING), "source_ips user_agents"),
        }
    )
    statuses = [status.value for status in UseStatus]
    return _object(
        {
            **_all(TIME, "since until"),
            "unused_days": COUNT,
            **_all(_array(STRING), "covered not_covered"),
            "sessions": _array(session),
            "items": _object({status: _array(item) for status in statuses}),
            "totals": _object(_all(COUNT, " ".join(statuses))),
            "least_privilege_used": _nullable(OBJECT),
            "plan_hash": STRING,
        }
    )


def _agent_analysis() -> dict[str, Any]:
    unclaimed = _object(
        {"identity": STRING, "reach": COUNT, "resources": COUNT, "admin": {"type": "boolean"}}
    )
    return _object(
        {"analysed": {"type": "boolean"}, "unclaimed_count": COUNT},
        optional={
            "gaps_analysed": {"type": "boolean"},
            "sources": _array(STRING),
            "source_hash": STRING,
            "score": STRING,
            "unclaimed": _array(unclaimed),
            "skipped": STRING,
        },
    )


def _object(
    required: Mapping[str, Any], *, optional: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """An object with these keys required and typed (more keys may come later)."""
    properties = {**required, **(optional or {})}
    return {"type": "object", "required": list(required), "properties": properties}


def _all(schema: Mapping[str, Any], names: str) -> dict[str, Any]:
    """The same schema for each of the space-separated ``names``."""
    return {name: dict(schema) for name in names.split()}


def _array(items: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": dict(items)}


def _nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    if isinstance(schema.get("type"), str) and set(schema) <= {"type", "format"}:
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [dict(schema), {"type": "null"}]}


def _enum(cls: type[Enum]) -> dict[str, Any]:
    return {"enum": [member.value for member in cls]}


def _open_enum(cls: type[OpenStrEnum]) -> dict[str, Any]:
    """The values ``cls`` lists, or another cloud's (``OPEN_NAME``)."""
    return {"anyOf": [_enum(cls), dict(OPEN_NAME)]}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}
