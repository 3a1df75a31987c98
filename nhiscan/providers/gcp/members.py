"""Members of an IAM binding (iam.v1 ``Binding.members``; docs/dev/gcp-plan.md 1g) parsed
into ``Member(kind, value, deleted, uid)``. ``deleted:`` members keep the kind and value they
had but never match a live principal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MemberKind(StrEnum):
    ALL_USERS = "allUsers"
    ALL_AUTHENTICATED = "allAuthenticatedUsers"
    USER = "user"
    SERVICE_ACCOUNT = "serviceAccount"
    GROUP = "group"
    DOMAIN = "domain"
    PRINCIPAL = "principal"  # one workforce or workload pool subject
    PRINCIPAL_SET = "principalSet"  # a set of pool subjects
    PROJECT_OWNER = "projectOwner"  # legacy convenience members on bucket policies
    PROJECT_EDITOR = "projectEditor"
    PROJECT_VIEWER = "projectViewer"


PREFIXED = frozenset(
    k for k in MemberKind if k not in (MemberKind.ALL_USERS, MemberKind.ALL_AUTHENTICATED)
)
URI_KINDS = (MemberKind.PRINCIPAL_SET, MemberKind.PRINCIPAL)  # "principal://…" after the set


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    kind: MemberKind
    value: str  # e-mail, domain, project, or the pool URI (with its scheme)
    deleted: bool = False
    uid: str | None = None

    @property
    def workload(self) -> bool:
        return self.kind in URI_KINDS and "/workloadIdentityPools/" in self.value


def parse_member(text: str) -> Member | None:
    """The member ``text`` names, or None when it is no form IAM documents."""
    if text in (MemberKind.ALL_USERS, MemberKind.ALL_AUTHENTICATED):
        return Member(kind=MemberKind(text), value=text)
    deleted = text.startswith("deleted:")
    body = text.removeprefix("deleted:")
    uid = None
    if deleted and "?uid=" in body:
        body, uid = body.split("?uid=", 1)
    for kind in URI_KINDS:
        if body.startswith(f"{kind}://"):
            return Member(kind=kind, value=body, deleted=deleted, uid=uid)
    prefix, sep, value = body.partition(":")
    if not sep or not value or prefix not in PREFIXED:
        return None
    return Member(kind=MemberKind(prefix), value=value, deleted=deleted, uid=uid)


def pool_of(uri: str) -> str | None:
    """``…/workloadIdentityPools/POOL`` (or workforce) prefix of a principal URI."""
    for marker in ("/workloadIdentityPools/", "/workforcePools/"):
        head, sep, rest = uri.partition(marker)
        if sep:
            return head + sep + rest.split("/", 1)[0]
    return None


def workload_subject(member: Member) -> str | None:
    """The id a workload identity record carries for this member (the URI without scheme
    prefix kept: ``principal://…`` or ``principalSet://…``), or a GKE ``…svc.id.goog[ns/ksa]``."""
    if member.workload:
        return member.value
    if member.kind is MemberKind.SERVICE_ACCOUNT and ".svc.id.goog[" in member.value:
        return member.value
    return None
