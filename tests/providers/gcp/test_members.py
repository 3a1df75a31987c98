from __future__ import annotations

import pytest

from nhiscan.providers.gcp.members import Member, MemberKind, parse_member, workload_subject

POOL = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci"
WORKFORCE = "//iam.googleapis.com/locations/global/workforcePools/staff"
M = MemberKind


WP = f"principal:{WORKFORCE}"
WS = f"principalSet:{WORKFORCE}"
P = f"principal:{POOL}"
PS = f"principalSet:{POOL}"
SA = "x@p.iam.gserviceaccount.com"
TABLE = [  # text, kind, value, deleted, uid
    ("allUsers", M.ALL_USERS, "allUsers", False, None),
    ("allAuthenticatedUsers", M.ALL_AUTHENTICATED, "allAuthenticatedUsers", False, None),
    ("user:ann@acme.com", M.USER, "ann@acme.com", False, None),
    (f"serviceAccount:{SA}", M.SERVICE_ACCOUNT, SA, False, None),
    (
        "serviceAccount:p.svc.id.goog[ns/ksa]",
        M.SERVICE_ACCOUNT,
        "p.svc.id.goog[ns/ksa]",
        False,
        None,
    ),
    ("group:ops@acme.com", M.GROUP, "ops@acme.com", False, None),
    ("domain:acme.com", M.DOMAIN, "acme.com", False, None),
    (f"{WP}/subject/ann", M.PRINCIPAL, f"{WP}/subject/ann", False, None),
    (f"{WS}/group/g", M.PRINCIPAL_SET, f"{WS}/group/g", False, None),
    (f"{P}/subject/s", M.PRINCIPAL, f"{P}/subject/s", False, None),
    (f"{PS}/*", M.PRINCIPAL_SET, f"{PS}/*", False, None),
    (f"{PS}/attribute.repo/acme", M.PRINCIPAL_SET, f"{PS}/attribute.repo/acme", False, None),
    ("deleted:user:bob@acme.com?uid=123", M.USER, "bob@acme.com", True, "123"),
    (f"deleted:serviceAccount:{SA}?uid=9", M.SERVICE_ACCOUNT, SA, True, "9"),
    ("deleted:group:g@acme.com?uid=7", M.GROUP, "g@acme.com", True, "7"),
    (f"deleted:{P}/subject/s", M.PRINCIPAL, f"{P}/subject/s", True, None),
    ("projectOwner:acme-prod", M.PROJECT_OWNER, "acme-prod", False, None),
    ("projectEditor:acme-prod", M.PROJECT_EDITOR, "acme-prod", False, None),
    ("projectViewer:acme-prod", M.PROJECT_VIEWER, "acme-prod", False, None),
]


@pytest.mark.parametrize(("text", "kind", "value", "deleted", "uid"), TABLE)
def test_every_documented_member_form_parses(
    text: str, kind: MemberKind, value: str, deleted: bool, uid: str | None
) -> None:
    assert parse_member(text) == Member(kind=kind, value=value, deleted=deleted, uid=uid)


@pytest.mark.parametrize("text", ["", "nobody", "user:", "robot:x", "allusers"])
def test_undocumented_forms_do_not_parse(text: str) -> None:
    assert parse_member(text) is None


def test_workload_members_name_their_identity() -> None:
    pool = parse_member(f"principalSet:{POOL}/*")
    gke = parse_member("serviceAccount:p.svc.id.goog[ns/ksa]")
    people = parse_member(f"principalSet:{WORKFORCE}/*")
    assert pool is not None and workload_subject(pool) == f"principalSet:{POOL}/*"
    assert gke is not None and workload_subject(gke) == "p.svc.id.goog[ns/ksa]"
    assert people is not None and workload_subject(people) is None
