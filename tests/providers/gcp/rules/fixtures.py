"""Triggering and clean GCP estates for each GCP rule (NHI400-NHI406), shared by the rule
tests and the registry meta-test. Every fixture names its own accounts, so the triggering
estates combine in one snapshot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import CredentialKind, CredentialStatus
from tests.factories import days_ago
from tests.providers.gcp import factories as g

DEFAULT_COMPUTE = f"{g.NUMBER}-compute@developer.gserviceaccount.com"
APP_ENGINE = f"{g.PROJECT}@appspot.gserviceaccount.com"
SERVICE_AGENT = f"service-{g.NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com"
FAR = datetime(2027, 6, 1, tzinfo=UTC)
SA_KEY = CredentialKind.SA_KEY
GONE = "deleted:serviceAccount:old@acme-prod.iam.gserviceaccount.com?uid=12"


def exposed(reason: str | None = "exposed", *, kind: CredentialKind = SA_KEY) -> Estate:
    owner = g.sa("leaky")
    status = CredentialStatus.INACTIVE
    key = g.key(owner, "e" * 40, created=days_ago(30), status=status, kind=kind,
                status_reason=reason, expires=FAR)  # fmt: skip
    return g.estate(owner, key)


def never_expiring(expires: datetime | None = None, **kw: Any) -> Estate:
    owner = g.sa(kw.pop("name", "forever"), **kw)
    return g.estate(owner, g.key(owner, "f" * 40, created=days_ago(10), expires=expires))


def disabled_account(key_status: CredentialStatus = CredentialStatus.ACTIVE) -> Estate:
    owner = g.sa("retired", disabled=True)
    key = g.key(owner, "d" * 40, created=days_ago(10), status=key_status, expires=FAR)
    return g.estate(owner, key)


def basic_role(role: str = "roles/editor", member: str | None = None) -> Estate:
    owner = g.sa("deployer")
    who = member or f"serviceAccount:{owner.id}"
    return g.estate(owner, g.allow(g.FOLDER, g.binding(role, who)))


def default_editor(account: str = DEFAULT_COMPUTE, role: str = "roles/editor") -> Estate:
    return g.estate(g.allow("acme-default", g.binding(role, f"serviceAccount:{account}")))


def public_sa(
    member: str = "allAuthenticatedUsers", role: str = "roles/iam.serviceAccountUser"
) -> Estate:
    owner = g.sa("runner")
    return g.estate(owner, g.allow(g.sa_name(owner), g.binding(role, member)))


def deleted_member(member: str = GONE) -> Estate:
    return g.estate(g.allow("acme-legacy", g.binding("roles/viewer", member)))


Builder = Callable[[], Estate]
GCP_FIXTURES: dict[str, tuple[Builder, Builder]] = {
    "NHI400": (exposed, lambda: exposed("user")),
    "NHI401": (never_expiring, lambda: never_expiring(FAR)),
    "NHI402": (disabled_account, lambda: disabled_account(CredentialStatus.INACTIVE)),
    "NHI403": (basic_role, lambda: basic_role("roles/viewer")),
    "NHI404": (default_editor, lambda: default_editor(role="roles/viewer")),
    "NHI405": (public_sa, lambda: public_sa("user:ana@acme.example")),
    "NHI406": (deleted_member, lambda: deleted_member("user:ana@acme.example")),
}
