"""IAM v1 through googleapiclient's bundled discovery document (google-cloud-iam's
``iam_admin_v1`` has no REST transport and its key type lacks ``disableReason``: plan 0.1):
service accounts (every page), their keys (user- and system-managed, with ``disableReason``
and ``extendedStatus``), their IAM policies (version 3), and custom roles of projects and
organizations (view FULL, deleted ones too: a deleted custom role keeps its bindings).

Every call goes through ``Caller``; an operation is the discovery method id (it starts with the
API: ``iam.projects.serviceAccounts.keys.list``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from nhiscan.connectors.gcp.calls import Answer, Caller
from nhiscan.connectors.gcp.clients import Clients
from nhiscan.scanner.model import CollectionGap

PAGE_SIZE = 100  # service accounts per page (the API's maximum)
ROLES_PAGE_SIZE = 1000


def _execute(request: Any) -> Any:
    return request.execute(num_retries=0)  # nhiscan retries (calls.Caller)


def paged(
    caller: Caller,
    request: Any,
    next_page: Any,
    key: str,
    *,
    scope: str,
    operation: str | None = None,
) -> tuple[list[dict[str, Any]], CollectionGap | None]:
    """Every item under ``key`` of every page (``nextPageToken``); with a refused page, the
    items before it and the gap (the list is then known to be partial)."""
    items: list[dict[str, Any]] = []
    operation = operation or str(request.methodId)  # the API and discovery method id
    while request is not None:
        answer: Answer[Any] = caller.call(
            partial(_execute, request), scope=scope, operation=operation
        )
        if answer.gap is not None:
            return items, answer.gap
        page = answer.value or {}
        items.extend(page.get(key) or [])
        request = next_page(request, page)
    return items, None


def fetch_service_accounts(
    clients: Clients, caller: Caller, project: str
) -> tuple[list[dict[str, Any]], CollectionGap | None]:
    accounts = clients.discovery("iam", "v1").projects().serviceAccounts()
    request = accounts.list(name=f"projects/{project}", pageSize=PAGE_SIZE)
    return paged(caller, request, accounts.list_next, "accounts", scope=project)


def sa_name(project: str, email: str) -> str:
    return f"projects/{project}/serviceAccounts/{email}"


def fetch_keys(
    clients: Clients, caller: Caller, project: str, email: str
) -> Answer[list[dict[str, Any]]]:
    """Both kinds of key of one account (the list has no pages); ``missing`` when the
    account was deleted after it was listed."""
    keys = clients.discovery("iam", "v1").projects().serviceAccounts().keys()
    request = keys.list(name=sa_name(project, email))
    answer: Answer[Any] = caller.call(
        lambda: _execute(request), scope=project, operation=request.methodId,
        subject=email, missing_ok=True,
    )  # fmt: skip
    if not answer.ok:
        return Answer(gap=answer.gap, missing=answer.missing)
    return Answer(value=list((answer.value or {}).get("keys") or []))


def fetch_sa_policy(
    clients: Clients, caller: Caller, project: str, email: str
) -> Answer[dict[str, Any]]:
    """The account's own allow policy (who may act as it), version 3."""
    accounts = clients.discovery("iam", "v1").projects().serviceAccounts()
    request = accounts.getIamPolicy(
        resource=sa_name(project, email), options_requestedPolicyVersion=3
    )
    answer: Answer[dict[str, Any]] = caller.call(
        lambda: _execute(request), scope=project, operation=request.methodId,
        subject=email, missing_ok=True,
    )  # fmt: skip
    return answer


def fetch_custom_roles(
    clients: Clients, caller: Caller, parent: str
) -> tuple[list[dict[str, Any]], CollectionGap | None]:
    """The custom roles of ``projects/ID`` or ``organizations/N`` with their permissions."""
    service = clients.discovery("iam", "v1")
    roles = service.projects().roles() if parent.startswith("projects/") else (
        service.organizations().roles()
    )  # fmt: skip
    request = roles.list(parent=parent, view="FULL", showDeleted=True, pageSize=ROLES_PAGE_SIZE)
    return paged(caller, request, roles.list_next, "roles", scope=parent.removeprefix("projects/"))


def fetch_workload_pools(
    clients: Clients, caller: Caller, project: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[CollectionGap]]:
    """The project's workload identity pools and each pool's providers (every page; soft-deleted
    ones are left out, as the API does by default: a deleted provider exchanges no token).
    Pools live in ``global`` only ("Manage workload identity pools and providers",
    cloud.google.com/iam/docs/manage-workload-identity-pools-providers)."""
    service = clients.discovery("iam", "v1").projects().locations().workloadIdentityPools()
    request = service.list(parent=f"projects/{project}/locations/global", pageSize=PAGE_SIZE)
    pools, gap = paged(caller, request, service.list_next, "workloadIdentityPools", scope=project)
    gaps = [gap] if gap is not None else []
    providers: list[dict[str, Any]] = []
    for pool in pools:
        if not isinstance(pool.get("name"), str):
            continue
        listing = service.providers()
        request = listing.list(parent=pool["name"], pageSize=PAGE_SIZE)
        found, gap = paged(
            caller, request, listing.list_next, "workloadIdentityPoolProviders", scope=project
        )
        providers.extend(found)
        gaps.extend([gap] if gap is not None else [])
    return pools, providers, gaps
