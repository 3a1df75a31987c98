"""Allow bindings inherited org -> folder -> project -> bucket; conditions; deny; deleted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nhiscan.providers.gcp.conditions import Request, decide
from nhiscan.scanner.authz import Decision
from tests.providers.gcp import factories as g

APP = g.sa("app")
SA = f"serviceAccount:{APP.id}"
BUCKET = g.bucket("data")
GET = "storage.objects.get"
OBJECT = f"{BUCKET.id}/objects/report.csv"


@pytest.mark.parametrize("where", [g.ORG, g.FOLDER, g.PROJECT, BUCKET.id])
def test_a_binding_anywhere_above_the_bucket_grants_its_objects(where: str) -> None:
    policy = g.allow(where, g.binding("roles/storage.objectViewer", SA))
    authz = g.authorizer(g.project(), APP, BUCKET, policy)
    found = authz.evaluate(APP.id, GET, OBJECT)
    assert found.decision is Decision.ALLOW
    assert [r.policy_id for r in found.allowed_by] == [policy.id]
    assert found.allowed_by[0].sid == "roles/storage.objectViewer"
    assert authz.evaluate(APP.id, "storage.objects.delete", OBJECT).decision is (
        Decision.IMPLICIT_DENY
    )


def test_a_binding_on_another_project_or_bucket_grants_nothing() -> None:
    other = g.project("other-prj", native_id="1")
    policies = (
        g.allow("other-prj", g.binding("roles/storage.admin", SA)),
        g.allow(g.bucket("other").id, g.binding("roles/storage.admin", SA)),
    )
    authz = g.authorizer(g.project(), other, APP, BUCKET, *policies)
    assert authz.evaluate(APP.id, GET, OBJECT).decision is Decision.IMPLICIT_DENY


def test_a_project_named_by_number_is_the_same_project() -> None:
    policy = g.allow(f"projects/{g.NUMBER}", g.binding("roles/storage.objectViewer", SA))
    authz = g.authorizer(g.project(), APP, BUCKET, policy)
    assert authz.evaluate(APP.id, GET, OBJECT).decision is Decision.ALLOW


def test_deleted_members_never_match() -> None:
    policy = g.allow(g.PROJECT, g.binding("roles/owner", f"deleted:{SA}?uid=1"))
    authz = g.authorizer(g.project(), APP, BUCKET, policy)
    assert authz.evaluate(APP.id, GET, OBJECT).decision is Decision.IMPLICIT_DENY
    assert not authz.admin_of(APP.id)


def test_custom_roles_grant_what_they_include_until_deleted() -> None:
    role = "projects/acme-prod/roles/reader"
    bind = g.allow(g.PROJECT, g.binding(role, SA))
    live = g.authorizer(g.project(), APP, BUCKET, bind, g.custom_role(role, GET))
    gone = g.authorizer(g.project(), APP, BUCKET, bind, g.custom_role(role, GET, deleted=True))
    unknown = g.authorizer(g.project(), APP, BUCKET, bind)
    assert live.evaluate(APP.id, GET, OBJECT).decision is Decision.ALLOW
    assert gone.evaluate(APP.id, GET, OBJECT).decision is Decision.IMPLICIT_DENY
    assert unknown.evaluate(APP.id, GET, OBJECT).decision is Decision.CONDITIONAL


NOW = datetime(2026, 12, 6, tzinfo=UTC)  # tests.factories.NOW: when the snapshot was collected


@pytest.mark.parametrize(
    ("condition", "decision"),
    [
        ("request.time < timestamp('2027-01-01T00:00:00Z')", Decision.ALLOW),
        ("request.time < timestamp('2020-01-01T00:00:00Z')", Decision.IMPLICIT_DENY),
        ("resource.name.startsWith('projects/_/buckets/data/objects/rep')", Decision.ALLOW),
        ("resource.name.startsWith('projects/_/buckets/logs/')", Decision.IMPLICIT_DENY),
        ("resource.name == 'projects/_/buckets/data/objects/report.csv'", Decision.ALLOW),
        ("resource.service == 'storage.googleapis.com'", Decision.ALLOW),
        ("resource.matchTag('123/env', 'prod')", Decision.CONDITIONAL),
        ("request.time > timestamp('2020-01-01T00:00:00Z') && "
         "resource.matchTag('123/env', 'prod')", Decision.CONDITIONAL),
        ("request.time < timestamp('2020-01-01T00:00:00Z') && "
         "resource.matchTag('123/env', 'prod')", Decision.IMPLICIT_DENY),
        ("!(resource.name.endsWith('.csv')) || api.getAttribute('x', [])", Decision.CONDITIONAL),
    ],
)  # fmt: skip
def test_conditions_are_decided_where_the_snapshot_knows(
    condition: str, decision: Decision
) -> None:
    policy = g.allow(g.PROJECT, g.binding("roles/storage.objectViewer", SA, condition=condition))
    authz = g.authorizer(g.project(), APP, BUCKET, policy)
    found = authz.evaluate(APP.id, GET, OBJECT)
    assert found.decision is decision
    if decision is Decision.CONDITIONAL:
        assert [r.policy_id for r in found.undecided] == [policy.id]


def test_the_condition_reader_is_three_valued() -> None:
    request = Request(time=NOW, name="projects/_/buckets/b", service=None)
    assert decide("resource.service == 'storage.googleapis.com'", request) is None
    assert decide('request.time >= timestamp("2026-01-01T00:00:00Z")', request) is True
    assert decide("(resource.name == 'x'", request) is None
    assert decide("!(resource.name == 'x') && true_thing()", request) is None


DELETE = "storage.googleapis.com/objects.delete"


def deny_rule(*principals: str, permission: str = "storage.googleapis.com/objects.get",
              **extra: object) -> dict[str, object]:  # fmt: skip
    return {"deniedPrincipals": list(principals), "deniedPermissions": [permission], **extra}


@pytest.mark.parametrize(
    ("rule", "decision"),
    [
        (deny_rule(f"principal://iam.googleapis.com/projects/-/serviceAccounts/{APP.id}"),
         Decision.DENY),
        (deny_rule("principalSet://goog/public:all"), Decision.DENY),
        (deny_rule("principalSet://goog/public:all",
                   exceptionPrincipals=[f"principal://goog/subject/{APP.id}"]), Decision.ALLOW),
        (deny_rule("principalSet://goog/public:all", permission=DELETE),
         Decision.ALLOW),
        (deny_rule("principalSet://goog/group/ops@acme.com"), Decision.CONDITIONAL),
        (deny_rule("principalSet://goog/public:all",
                   denialCondition={"expression": "resource.matchTag('1/env', 'prod')"}),
         Decision.CONDITIONAL),
    ],
)  # fmt: skip
def test_deny_policies_override_allows(rule: dict[str, object], decision: Decision) -> None:
    allow = g.allow(g.PROJECT, g.binding("roles/storage.objectViewer", SA))
    authz = g.authorizer(g.project(), APP, BUCKET, allow, g.deny(g.ORG, rule))
    found = authz.evaluate(APP.id, GET, OBJECT)
    assert found.decision is decision
    if decision is Decision.DENY:
        assert found.denied_by[0].effect == "Deny"


def test_admin_of_the_scopes_where_owner_or_set_iam_policy_is_bound() -> None:
    folder_admin = g.sa("folder-admin")
    owner = g.sa("owner")
    policies = (
        g.allow(g.FOLDER, g.binding("roles/resourcemanager.folderAdmin",
                                    f"serviceAccount:{folder_admin.id}")),
        g.allow(
            g.PROJECT,
            g.binding("roles/owner", f"serviceAccount:{owner.id}"),
            g.binding("roles/viewer", SA),
        ),
    )  # fmt: skip
    authz = g.authorizer(g.project(), APP, owner, folder_admin, *policies)
    assert [s for s, e in authz.admin_of(owner.id)] == [g.PROJECT]
    assert [s for s, e in authz.admin_of(folder_admin.id)] == [g.FOLDER]
    assert authz.admin_of(APP.id) == []
    assert authz.is_admin(owner.id).decision is Decision.ALLOW
    assert authz.is_admin(APP.id).decision is Decision.IMPLICIT_DENY
