"""The least privilege for one service account: custom roles holding exactly an agent's GCP
needs, the bindings that grant them where they are needed, and the ``gcloud`` commands that
apply both. Deterministic: the same needs give the same document.

Where each need is bound (``targets.py`` decides): a bucket's objects on the bucket (under a
``resource.name.startsWith`` condition when a prefix is narrower than the bucket); a BigQuery
dataset or table on the project under a ``resource.name`` condition (BigQuery reads resource
attributes, cloud.google.com/iam/docs/conditions-resource-attributes); a topic, subscription,
secret, key or service account on itself; the project's own permissions on the project. Roles
are shared by bindings only where none grants more than its place needs (``share``). Each role
file is what ``gcloud iam roles create --file`` reads (``title``, ``description``, ``stage``,
``includedPermissions``).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from typing import Any

from nhiscan.providers.gcp.agents.defaults import bind_project
from nhiscan.providers.gcp.agents.schemes import ANY_PROJECT
from nhiscan.providers.gcp.agents.targets import Target, named, target_of
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.model import Provider

PROJECT_PLACEHOLDER = "PROJECT_ID"
MEMBER_PLACEHOLDER = "serviceAccount:SA_EMAIL"
TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"


def member_of(identity: str) -> str:
    """The IAM member naming an identity id (a workload principal is written as is)."""
    return identity if identity.startswith("principal") else f"serviceAccount:{identity}"


def least_privilege(
    needs: Iterable[Need], scope: str, principal: str | None = None
) -> dict[str, Any] | None:
    """Custom roles and bindings granting ``needs`` (the GCP ones) to ``principal`` in project
    ``scope``; None when there is nothing to grant."""
    project = PROJECT_PLACEHOLDER if scope in (ANY_PROJECT, "") else scope
    grouped: dict[Target, set[str]] = {}
    for need in needs:
        if need.provider is Provider.GCP:
            target = target_of(bind_project(need, project), need.action, project)
            grouped.setdefault(target, set()).add(need.action)
    if not grouped:
        return None
    member = member_of(principal) if principal else MEMBER_PLACEHOLDER
    groups = share(grouped)
    roles = [_role(group, index, project, principal) for index, group in enumerate(groups, 1)]
    bindings = [
        _binding(target, role["name"], member)
        for group, role in zip(groups, roles, strict=True)
        for target, _, _ in group
    ]
    return {
        "project": project,
        "member": member,
        "roles": roles,
        "bindings": bindings,
        "commands": [*map(_create_command, roles), *map(_bind_command, bindings)],
        "notes": _notes(grouped, project, principal),
    }


Member = tuple[Target, frozenset[str], frozenset[str] | None]  # its needs, what a role reaches


def share(grouped: dict[Target, set[str]]) -> list[list[Member]]:
    """The targets, in groups that can share one custom role: a role bound on a target grants
    there only the permissions acting on what the target holds (``reach``), so targets of
    different kinds share one (a bucket's ``storage.objects.get`` and a topic's
    ``pubsub.topics.publish``), while an unconditional project binding, or two buckets needing
    different things, each get their own."""
    groups: list[list[Member]] = []
    for target, permissions in sorted(grouped.items(), key=lambda kv: kv[0].key):
        member = (target, frozenset(permissions), reach(target))
        for group in groups:
            union = frozenset().union(*(m[1] for m in group), member[1])
            if all(_fits(union, m) for m in (*group, member)):
                group.append(member)
                break
        else:
            groups.append([member])
    return groups


def reach(target: Target) -> frozenset[str] | None:
    """The permissions a role bound on ``target`` can grant there (None: every permission)."""
    catalog = default_catalog()
    if target.kind == "project" or target.condition is not None:
        narrowed = named(target.condition)
        return None if narrowed is None else catalog.actions_for_resource(narrowed)
    return catalog.actions_for_resource(target.resource)


def _fits(permissions: frozenset[str], member: Member) -> bool:
    _, needed, reached = member
    return (permissions if reached is None else permissions & reached) == needed


def _role(group: list[Member], index: int, project: str, principal: str | None) -> dict[str, Any]:
    permissions = frozenset().union(*(m[1] for m in group))
    role_id = f"nhiscan_{_slug(principal)}_{index}"
    who = principal or "the agent's service account"
    return {
        "id": role_id,
        "name": f"projects/{project}/roles/{role_id}",
        "file": f"{role_id}.json",
        "definition": {
            "title": _title(permissions, principal),
            "description": f"Exactly what {who} needs for its agent workflow (written by "
            "nhiscan from the agent file); bound only where it is needed.",
            "stage": "GA",
            "includedPermissions": sorted(permissions),
        },
    }


def _title(permissions: frozenset[str], principal: str | None) -> str:
    shown = sorted(permissions)
    listed = ", ".join(shown[:2]) + (f" and {len(shown) - 2} more" if len(shown) > 2 else "")
    return f"nhiscan: {listed} for {_short(principal)}"[:100]  # IAM's limit on a title


def _slug(principal: str | None) -> str:
    local = _short(principal).lower()
    return re.sub(r"[^a-z0-9_]", "_", local)[:40] or "agent"


def _short(principal: str | None) -> str:
    return principal.split("@", 1)[0].rsplit("/", 1)[-1] if principal else "agent"


def _binding(target: Target, role: str, member: str) -> dict[str, Any]:
    binding: dict[str, Any] = {"resource": target.resource, "role": role, "member": member}
    if target.condition is not None:
        binding["condition"] = {"title": target.condition_title, "expression": target.condition}
    return binding


def _create_command(role: dict[str, Any]) -> str:
    project = role["name"].split("/")[1]
    return _join(["gcloud", "iam", "roles", "create", role["id"], f"--project={project}",
                  f"--file={role['file']}"])  # fmt: skip


def _bind_command(binding: dict[str, Any]) -> str:
    target = target_of_binding(binding)
    words = [*target.command, f"--member={binding['member']}", f"--role={binding['role']}"]
    condition = binding.get("condition")
    if condition is not None:
        words.append(_condition_flag(condition["expression"], condition["title"]))
    elif target.kind == "project":
        words.append("--condition=None")  # gcloud asks otherwise when the policy has conditions
    return _join(words)


def target_of_binding(binding: dict[str, Any]) -> Target:
    return target_of(binding["resource"], None, None)


def _condition_flag(expression: str, title: str) -> str:
    """``--condition=expression=…,title=…``; gcloud's ``^;^`` delimiter when a value holds a
    comma (``gcloud topic escaping``)."""
    if "," in expression or "," in title:
        return f"--condition=^;^expression={expression};title={title}"
    return f"--condition=expression={expression},title={title}"


def _join(words: Sequence[str]) -> str:
    return " ".join(shlex.quote(w) for w in words)


def _notes(grouped: dict[Target, set[str]], project: str, principal: str | None) -> list[str]:
    notes = []
    if project == PROJECT_PLACEHOLDER:
        notes.append(f"{PROJECT_PLACEHOLDER}: the project of the service account that runs it")
    if principal is None:
        notes.append(f"{MEMBER_PLACEHOLDER}: the service account that runs it")
    if any(t.kind == "bucket" and t.condition for t in grouped):
        notes.append(
            "conditions on a bucket's bindings need uniform bucket-level access on the bucket"
        )
    buckets = sorted(t.resource for t in grouped if t.kind == "bucket")
    if buckets:
        notes.append(
            f"a custom role of {project} can be granted on a bucket of {project} only (a "
            f"bucket's name does not say its project): {', '.join(buckets)}"
        )
    others = sorted({t.project for t in grouped if t.project not in (None, project)})
    if others:
        notes.append(
            f"bindings in {', '.join(others)}: create the same roles there (a custom role of "
            f"{project} is granted only in {project}) or at the organization"
        )
    notes.extend(sorted({t.note for t in grouped if t.note}))
    return notes


def trust_policy(callers: Sequence[str], services: Sequence[str]) -> dict[str, Any] | None:
    """The service account's own IAM policy admitting exactly ``callers`` to act as it (a
    token as it); None when nobody is known to need to. GCP compute runs as an account
    through whoever deployed it (``iam.serviceAccounts.actAs``), so ``services`` add nothing."""
    if not callers:
        return None
    members = sorted({member_of(c) for c in callers})
    return {"bindings": [{"role": TOKEN_CREATOR, "members": members}]}
