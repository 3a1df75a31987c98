"""The statements behind a path's hops as people name them, and the appendix of the policies
they cite.

A hop's statement reference (``policy_id``, ``index``, ``sid``) reads as the policy's name and
the statement's Sid (or its position), linked to the policy's document, which the appendix
shows once however many findings cite it. A document over ``DOCUMENT_LIMIT`` characters (AWS
managed policies such as ReadOnlyAccess run to hundreds of kilobytes) is named, not copied:
snapshot.json holds it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.reports.evidence import scalar_text
from nhiscan.reports.html_model import Cited
from nhiscan.scanner.estate import Estate

DOCUMENT_LIMIT = 20_000


@dataclass(frozen=True, slots=True, kw_only=True)
class CitedPolicy:
    anchor: str
    id: str
    name: str
    kind: str | None  # None: the snapshot does not hold the policy
    document: str | None  # indented JSON; None when absent or over DOCUMENT_LIMIT
    size: int  # the document's length in characters (0 when absent)


class Appendix:
    """Cites statements and remembers each policy cited, in the order first cited."""

    def __init__(self, estate: Estate) -> None:
        self._estate = estate
        self._cited: dict[str, CitedPolicy] = {}

    def cite(self, ref: Any) -> Cited:
        if not isinstance(ref, Mapping) or "policy_id" not in ref:
            return Cited(policy=scalar_text(ref), policy_id=None, where="", anchor=None)
        policy_id = str(ref["policy_id"])
        cited = self._cited.get(policy_id) or self._add(policy_id)
        return Cited(policy=cited.name, policy_id=policy_id, where=_where(ref), anchor=cited.anchor)

    @property
    def policies(self) -> tuple[CitedPolicy, ...]:
        return tuple(self._cited.values())

    def _add(self, policy_id: str) -> CitedPolicy:
        policy = self._estate.policy(policy_id)
        anchor = f"policy-{len(self._cited) + 1}"
        if policy is None:
            cited = CitedPolicy(
                anchor=anchor, id=policy_id, name=_name_of(policy_id), kind=None,
                document=None, size=0,
            )  # fmt: skip
        else:
            text = json.dumps(policy.document, indent=2, sort_keys=False, default=str)
            cited = CitedPolicy(
                anchor=anchor,
                id=policy_id,
                name=policy.name or _name_of(policy_id),
                kind=policy.kind.value,
                document=text if len(text) <= DOCUMENT_LIMIT else None,
                size=len(text),
            )
        self._cited[policy_id] = cited
        return cited


def plain_cite(ref: Any) -> Cited:
    """A statement named without an appendix to link to (the blast radius's paths)."""
    if not isinstance(ref, Mapping) or "policy_id" not in ref:
        return Cited(policy=scalar_text(ref), policy_id=None, where="", anchor=None)
    policy_id = str(ref["policy_id"])
    return Cited(policy=_name_of(policy_id), policy_id=policy_id, where=_where(ref), anchor=None)


def _where(ref: Mapping[str, Any]) -> str:
    if ref.get("sid"):
        return f"Sid {ref['sid']}"
    index = ref.get("index")
    return f"statement {int(index) + 1}" if isinstance(index, int) else ""


def _name_of(policy_id: str) -> str:
    """A readable name from an id: ``…#inline/NAME`` → NAME, else its last path segment."""
    base, _, part = policy_id.partition("#")
    if part.startswith("inline/"):
        return part.removeprefix("inline/")
    if part:
        return f"{base.rsplit('/', 1)[-1]} ({part})"
    return base.rsplit("/", 1)[-1] if "/" in base else base
