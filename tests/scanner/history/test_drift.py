"""Drift between two runs, pure: each kind of change is found, and nothing else is."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from nhiscan.app.history import holdings
from nhiscan.scanner.history.drift import Drift, Held, RunData, neutral_held
from nhiscan.scanner.history.drift import drift as pure_drift
from nhiscan.scanner.history.records import RunSummary, StoredFinding
from nhiscan.scanner.model import CredentialStatus, Identity, Provider, Record
from nhiscan.scanner.snapshot import Snapshot
from tests.factories import (
    NOW,
    access_key,
    allow,
    days_ago,
    document,
    managed_policy,
    role,
    snapshot,
    user,
)


def _summary(run_id: int) -> RunSummary:
    return RunSummary(id=run_id, scope="s", sources=("s",), started_at=NOW, finished_at=NOW,
                      tool_version="t", catalog_date=None, identities=0, credentials=0,
                      findings=0, gaps=0, by_severity={})  # fmt: skip


def _finding(fp: str, severity: str = "high") -> StoredFinding:
    return StoredFinding(fingerprint=fp, rule_id="NHI001", severity=severity, subject="x",
                         title=f"finding {fp}.")  # fmt: skip


def _run(run_id: int, *records: Record, findings: tuple[StoredFinding, ...] = (),
         agents: list[dict[str, Any]] | None = None) -> RunData:  # fmt: skip
    return RunData(summary=_summary(run_id), snapshot=snapshot(*records), findings=findings,
                   agents=agents)  # fmt: skip


def drift(before: RunData, after: RunData) -> Drift:
    """The drift the store computes: what identities hold asked of their providers."""
    return pure_drift(before, after, held=holdings())


BOT = user("bot")
OLD_KEY = access_key(BOT, id="AKIAOLD", created=days_ago(100))
NEW_KEY = access_key(BOT, id="AKIANEW", created=days_ago(1))


def test_nothing_changed_is_an_empty_drift() -> None:
    before = _run(1, BOT, OLD_KEY, findings=(_finding("a"),))
    after = _run(2, BOT, OLD_KEY, findings=(_finding("a"),))
    change = drift(before, after)
    assert change.empty
    assert (change.before.id, change.after.id) == (1, 2)


def test_new_and_resolved_findings_by_fingerprint_worst_first() -> None:
    before = _run(1, findings=(_finding("a"), _finding("b")))
    after = _run(2, findings=(_finding("b"), _finding("c", "low"), _finding("d", "critical")))
    change = drift(before, after)
    assert [f.fingerprint for f in change.new_findings] == ["d", "c"]
    assert [f.fingerprint for f in change.resolved_findings] == ["a"]


def test_a_key_replaced_by_another_is_a_rotation() -> None:
    change = drift(_run(1, BOT, OLD_KEY), _run(2, BOT, NEW_KEY))
    ((rotated,),) = (change.keys_rotated,)
    assert (rotated.identity, rotated.key, rotated.previous) == (BOT.id, "AKIANEW", "AKIAOLD")
    assert change.keys_created == () and change.keys_deleted == ()


def test_keys_created_deleted_and_deactivated() -> None:
    other = user("other")
    spare = access_key(other, id="AKIASPARE")
    inactive = replace(spare, status=CredentialStatus.INACTIVE)
    created = drift(_run(1, BOT), _run(2, BOT, NEW_KEY))
    assert [(k.identity, k.key) for k in created.keys_created] == [(BOT.id, "AKIANEW")]
    deleted = drift(_run(1, BOT, OLD_KEY), _run(2, BOT))
    assert [(k.identity, k.key) for k in deleted.keys_deleted] == [(BOT.id, "AKIAOLD")]
    off = drift(_run(1, other, spare), _run(2, other, inactive))
    assert [k.key for k in off.keys_deactivated] == ["AKIASPARE"]
    assert off.keys_deleted == () and off.keys_rotated == ()


def test_identities_created_and_removed_and_their_keys_are_not_rotations() -> None:
    gone, came = role("old-role"), user("new-bot")
    change = drift(_run(1, gone, BOT), _run(2, came, BOT, access_key(came, id="AKIACAME")))
    assert change.identities_created == (came.id,)
    assert change.identities_removed == (gone.id,)
    assert [k.key for k in change.keys_created] == ["AKIACAME"] and change.keys_rotated == ()


def test_policies_attached_and_detached_and_groups_joined_per_identity() -> None:
    read = managed_policy("read", allow("s3:GetObject"))
    write = managed_policy("write", allow("s3:PutObject"))
    before = replace(BOT, policies=(read.id,))
    after = replace(BOT, policies=(write.id,), member_of=("arn:aws:iam::123456789012:group/ops",))
    change = drift(_run(1, before, read, write), _run(2, after, read, write))
    (grant,) = change.grants
    assert grant.subject == BOT.id
    assert grant.added == ("group arn:aws:iam::123456789012:group/ops", f"policy {write.id}")
    assert grant.removed == (f"policy {read.id}",)
    assert change.policies_changed == ()


def test_a_policy_whose_document_changed_is_listed() -> None:
    read = managed_policy("read", allow("s3:GetObject"))
    wider = replace(read, document=document(allow("s3:*")))
    change = drift(_run(1, read), _run(2, wider))
    assert change.policies_changed == (read.id,)


def test_grants_added_and_removed_per_agent() -> None:
    before = [{"name": "a", "granted": ["s3:GetObject arn:aws:s3:::b/*", "sns:Publish t"]},
              {"name": "gone", "granted": []}]  # fmt: skip
    after = [{"name": "a", "granted": ["s3:GetObject arn:aws:s3:::b/*", "s3:PutObject *"]},
             {"name": "new", "granted": ["x y"]}, {"name": "blind", "granted": None}]  # fmt: skip
    change: Drift = drift(_run(1, agents=before), _run(2, agents=after))
    (agent,) = change.agents
    assert (agent.subject, agent.added, agent.removed) == (
        "a",
        ("s3:PutObject *",),
        ("sns:Publish t",),
    )


def test_runs_an_hour_apart_compare_by_content_not_time() -> None:
    later = replace(
        _run(2, BOT, OLD_KEY), summary=replace(_summary(2), finished_at=NOW + timedelta(hours=1))
    )
    assert drift(_run(1, BOT, OLD_KEY), later).empty


BOUNDARY = "arn:aws:iam::123456789012:policy/boundary"


def test_a_boundary_set_and_lifted_is_a_grant_change() -> None:
    """What an AWS identity holds includes its permission boundary (the AWS analysis's
    ``held``), as the store's drift and ``nhiscan diff`` have always shown."""
    bounded = replace(BOT, permissions_boundary=BOUNDARY)
    (grant,) = drift(_run(1, BOT), _run(2, bounded)).grants
    assert (grant.subject, grant.added, grant.removed) == (BOT.id, (f"boundary {BOUNDARY}",), ())
    (lifted,) = drift(_run(1, bounded), _run(2, BOT)).grants
    assert (lifted.added, lifted.removed) == ((), (f"boundary {BOUNDARY}",))


def test_each_run_is_asked_of_its_own_snapshot() -> None:
    asked: list[tuple[int, str]] = []
    before, after = _run(1, BOT), _run(2, BOT)
    runs = {id(before.snapshot): 1, id(after.snapshot): 2}

    def held_in(snap: Snapshot) -> Held:
        def held(identity: Identity) -> frozenset[str]:
            asked.append((runs[id(snap)], identity.id))
            return frozenset({f"run {runs[id(snap)]}"})

        return held

    (grant,) = pure_drift(before, after, held=held_in).grants
    assert sorted(asked) == [(1, BOT.id), (2, BOT.id)]
    assert (grant.added, grant.removed) == (("run 2",), ("run 1",))


def test_an_identity_no_provider_analyses_holds_its_policies_and_groups() -> None:
    """A cloud with no analysis: the neutral answer (the boundary is an AWS notion)."""
    other = replace(BOT, provider=Provider("unregistered-cloud"), policies=("p",), member_of=("g",))
    assert neutral_held(other) == {"policy p", "group g"}
    bounded = replace(other, permissions_boundary=BOUNDARY, policies=("p", "q"))
    (grant,) = drift(_run(1, other), _run(2, bounded)).grants
    assert (grant.added, grant.removed) == (("policy q",), ())
