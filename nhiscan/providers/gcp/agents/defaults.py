"""The ``gcp:`` section of agent files (``project``), its check and schema, and what a verb on a
GCP reference needs under those defaults.

A reference without a project (``bq://_/…``, ``pubsub://topics/…``, ``secret://name``) is in
the agent's ``gcp.project``; without one, in the project of whichever service account runs the
step: ``projects/*`` in the full name (``Requirement.account_implicit``), bound per identity by
``bind_project`` in the gap analysis and the least-privilege output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.gcp.agents.schemes import ANY_PROJECT, KINDS
from nhiscan.providers.gcp.agents.uri import FULL_PREFIX, PROJECT, GcpRef, parse_reference
from nhiscan.providers.gcp.agents.verbs import Access, entry
from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.model import Need, Requirement
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider

GCP_KEYS = ("project",)
_IMPLICIT = f"/projects/{ANY_PROJECT}"


@dataclass(frozen=True, slots=True, kw_only=True)
class GcpDefaults:
    project: str | None = None

    @property
    def provider(self) -> Provider:
        return Provider.GCP

    def owns(self, reference: str, /) -> bool:
        text = reference.strip()
        if text.startswith(FULL_PREFIX):
            return True
        scheme = text.split("://", 1)[0]
        return any(info.scheme == scheme for info in KINDS.values())

    def needs(self, verb: Verb, reference: str, /) -> Iterator[Requirement]:
        return phrase_needs(verb, parse_reference(reference), self)


def parse_defaults(node: y.Node, file: str, base: GcpDefaults) -> GcpDefaults:
    entries = y.mapping(node, file, "`gcp`")
    y.check_keys(entries, GCP_KEYS, file, "`gcp`")
    project = base.project
    if "project" in entries:
        project = y.text(entries["project"][1], file, "`gcp.project`")
        if not PROJECT.match(project):
            raise y.fail(
                entries["project"][1],
                file,
                f"`gcp.project` {project!r} is not a project id (6-30 lower-case letters, digits "
                "and hyphens, starting with a letter)",
            )
    return GcpDefaults(project=project)


def defaults_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {"project": {"type": "string", "pattern": PROJECT.pattern}},
    }


def phrase_needs(verb: Verb, ref: GcpRef, defaults: GcpDefaults) -> Iterator[Requirement]:
    access = entry(verb, ref.kind)
    if not isinstance(access, Access):  # the loader refuses these; never compiled silently
        raise ValueError(f"{verb} on {ref.text} is not supported: {access.reason}")
    project = ref.project or defaults.project
    info = KINDS[ref.kind]
    for part, permissions in access.on.items():
        template = info.parts[part]
        resource = template.format(project=project or ANY_PROJECT, **ref.names)
        for permission in permissions:
            yield Requirement(
                provider=Provider.GCP,
                action=permission,
                resource=resource,
                account_implicit=project is None and "{project}" in template,
            )


def bind_project(need: Need, project: str) -> str:
    """The need's full name with an implicit project filled in with ``project``."""
    if not need.account_implicit or _IMPLICIT not in need.resource:
        return need.resource
    return need.resource.replace(_IMPLICIT, f"/projects/{project}", 1)
