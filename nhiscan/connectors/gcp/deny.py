"""IAM v2 deny policies through google-cloud-iam's ``iam_v2.PoliciesClient`` (REST transport):
listing returns metadata only ("policy rules are omitted"), so each policy is then read
(plan 1f). A refused read is an ``access-denied`` gap on ``iam.policies.get`` (only
``roles/iam.denyReviewer`` and broader hold ``iam.denypolicies.get``), never "no deny
policies". Records are ``Policy(kind=iam-deny)`` with the v2 JSON as the document, attached to
the full Resource Manager name of the attachment point, which the provider reads
(``providers/gcp/policies.deny_rules``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any
from urllib.parse import quote

from nhiscan.connectors.gcp.calls import Caller
from nhiscan.connectors.gcp.clients import Clients
from nhiscan.connectors.gcp.hierarchy import to_json
from nhiscan.connectors.gcp.records import deny_policy
from nhiscan.scanner.model import Record

ATTACHMENT = "cloudresourcemanager.googleapis.com/"


def attachment_parent(node: str) -> str:
    """``policies/<url-encoded attachment point>/denypolicies`` of ``projects/N`` (a project's
    number or id), ``folders/N`` or ``organizations/N``."""
    return f"policies/{quote(ATTACHMENT + node, safe='')}/denypolicies"


def fetch_deny(
    clients: Clients, caller: Caller, node: str, *, scope: str, project: str | None
) -> Iterator[Record]:
    """The deny policies attached to ``node``, each read whole; ``scope`` names the gaps."""
    client = clients.deny_policies()
    listed = caller.call(
        lambda: [p.name for p in client.list_policies(parent=attachment_parent(node), retry=None)],
        scope=scope, operation="iam.policies.listPolicies",
    )  # fmt: skip
    if listed.gap is not None:
        yield listed.gap
        return
    for name in listed.value or []:
        answer = caller.call(
            partial(_get, client, name),
            scope=scope, operation="iam.policies.get", subject=name, missing_ok=True,
        )  # fmt: skip
        if answer.gap is not None:
            yield answer.gap
        elif answer.value is not None:
            yield to_deny(answer.value, node, project)


def _get(client: Any, name: str) -> dict[str, Any]:
    return to_json(client.get_policy(name=name, retry=None))


def to_deny(data: dict[str, Any], node: str, project: str | None) -> Record:
    return deny_policy(data, f"//{ATTACHMENT}{node}", project)
