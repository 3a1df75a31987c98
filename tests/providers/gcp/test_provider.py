"""GcpProvider's static members: its snapshot check, credential normalisation, workload
identities in bindings."""

from __future__ import annotations

from dataclasses import replace

from nhiscan.providers.gcp.provider import PROVIDER
from nhiscan.scanner import fingerprint
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.model import IdentityKind
from tests import factories as f
from tests.providers.gcp import factories as g

POOL = "//iam.googleapis.com/projects/411224356/locations/global/workloadIdentityPools/ci"


def test_the_check_names_a_binding_member_iam_does_not_know() -> None:
    good = g.allow(g.PROJECT, g.binding("roles/viewer", "allUsers", "deleted:user:a@b.c?uid=1"))
    bad = replace(g.allow(g.ORG, g.binding("roles/viewer", "robot:x")), id="bad")
    problems = list(PROVIDER.check(f.snapshot(g.project(), good, bad)))
    assert len(problems) == 1
    assert "(bad): bindings[0]: unknown member 'robot:x'" in problems[0]


def test_a_user_managed_key_gets_its_join_fingerprint() -> None:
    key = g.key(g.sa("app"), "c" * 40, created=f.NOW)
    assert PROVIDER.normalise_credential(key).fingerprint == fingerprint.gcp_sa_key("c" * 40)
    assert PROVIDER.agents is not None and PROVIDER.agents.defaults_key == "gcp"
    assert PROVIDER.catalog.example == "storage.objects.get"


def test_workload_identities_match_their_pool_and_attribute_sets_are_undecided() -> None:
    subject = g.sa("ci", id=f"principal:{POOL}/subject/repo:acme/app",
                   kind=IdentityKind.WORKLOAD_IDENTITY)  # fmt: skip
    target = g.sa("deployer")
    user = "roles/iam.workloadIdentityUser"
    every = g.allow(g.sa_name(target), g.binding(user, f"principalSet:{POOL}/*"))
    some = g.allow(g.sa_name(target), g.binding(user, f"principalSet:{POOL}/attribute.repo/acme"))
    action, resource = "iam.serviceAccounts.getAccessToken", g.sa_name(target)
    allowed = g.authorizer(g.project(), subject, target, every)
    assert allowed.evaluate(subject.id, action, resource).decision is Decision.ALLOW
    maybe = g.authorizer(g.project(), subject, target, some)
    assert maybe.evaluate(subject.id, action, resource).decision is Decision.CONDITIONAL
    other_pool = replace(subject, id=subject.id.replace("/ci/", "/other/"))
    none = g.authorizer(g.project(), other_pool, target, every)
    assert none.evaluate(other_pool.id, action, resource).decision is Decision.IMPLICIT_DENY
