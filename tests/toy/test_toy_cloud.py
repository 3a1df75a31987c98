"""A cloud the core has never heard of (tests/toy): its kinds decode, its snapshot loads, the
report schema accepts them, and the rules judge its records from its provider's facts and
analysis, with no core change. The whole pipeline, command line and reports included, is
``test_toy_pipeline.py``; these are the rules' finer cases on hand-made toy records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from nhiscan.app.pipeline import provider_set
from nhiscan.connectors.base import CollectContext
from nhiscan.errors import SnapshotError
from nhiscan.reports.schema import report_schema
from nhiscan.rules.agent_gaps import _provider_of
from nhiscan.rules.agent_lifecycle import DecommissionedAgentActive, _assumable
from nhiscan.rules.base import RuleContext
from nhiscan.rules.common import active_keys, is_active_key
from nhiscan.rules.keys import AccessKeyTooOld, AccessKeyUnused, MultipleActiveKeys
from nhiscan.rules.thresholds import LifecycleThresholds
from nhiscan.scanner import snapshot as snap
from nhiscan.scanner.agents.model import AgentStatus
from nhiscan.scanner.codec import decode, encode
from nhiscan.scanner.estate import Estate, build_estate
from nhiscan.scanner.model import (
    CollectionGap,
    Credential,
    CredentialKind,
    CredentialStatus,
    Finding,
    GapReason,
    Identity,
    IdentityKind,
    Provider,
    Record,
)
from nhiscan.scanner.provider import CloudProvider, ProviderSet
from tests import factories as f
from tests.toy.connector import ToyConnector, bot_id
from tests.toy.provider import BOT, LAST_USED_OPERATION, TOKEN, TOY

NOW = f.NOW
BUILDER = bot_id("acme", "builder")


def records(tenant: str = "acme") -> list[Record]:
    return list(ToyConnector(tenant).collect(CollectContext(now=NOW)))


def toy_estate(*extra: Record, provider: CloudProvider | None = None) -> Estate:
    found = f.snapshot(*records(), *extra)
    return build_estate(found, (provider.classifier,) if provider is not None else ())


def toy_context(e: Estate, toy: CloudProvider | None) -> RuleContext:
    """What the pipeline hands the rules (``app.pipeline.provider_set``: the registered toy
    provider and its analysis of ``e``); ``toy`` None: no provider at all."""
    found = ProviderSet() if toy is None else provider_set(e)
    assert toy is None or (found.get("toy") is toy and found.analysis("toy") is not None)
    return RuleContext(now=NOW, thresholds=LifecycleThresholds(), providers=found)


def run(rule: object, e: Estate, ctx: RuleContext) -> list[Finding]:
    return list(rule.evaluate(e, ctx))  # type: ignore[attr-defined]


def titles(found: Sequence[Finding]) -> list[str]:
    return [x.title for x in found]


# --- open kinds --------------------------------------------------------------------------------


def test_a_new_clouds_kinds_are_cached_pseudo_members() -> None:
    assert Provider("toy") is TOY and IdentityKind("toy-bot") is BOT
    assert CredentialKind("toy-token") is TOKEN and TOKEN == "toy-token"
    assert not BOT.listed and not TOY.listed and IdentityKind.IAM_ROLE.listed
    assert "toy-bot" not in [kind.value for kind in IdentityKind]
    assert {"toy-bot": "bot"}[BOT] == "bot"  # hashes as its value: facts tables find it
    assert not TOKEN.is_login and CredentialKind.PASSWORD.is_login


@pytest.mark.parametrize("value", ["", 5, None])
def test_open_kinds_still_refuse_what_is_not_a_name(value: object) -> None:
    with pytest.raises(ValueError):
        IdentityKind(value)


def test_the_codec_round_trips_a_toy_record() -> None:
    bot = next(r for r in records() if isinstance(r, Identity))
    data = encode(bot)
    assert data["kind"] == "toy-bot" and data["provider"] == "toy"
    back = decode(Identity, data)
    assert back == bot and back.kind is BOT and back.provider is TOY


def test_a_snapshot_of_a_toy_cloud_saves_and_loads(tmp_path: Path) -> None:
    written = f.snapshot(*records())
    snap.save(written, tmp_path / "toy.json")
    loaded = snap.load(tmp_path / "toy.json")
    assert loaded == written
    assert {c.kind for c in loaded.credentials} == {TOKEN}


def test_a_listed_clouds_record_of_an_unlisted_kind_is_still_an_error(tmp_path: Path) -> None:
    aws_bot = f.role("x", kind=BOT)
    snap.save(f.snapshot(aws_bot), tmp_path / "bad.json")
    with pytest.raises(SnapshotError, match=r"identities\[0\] .*: kind: expected one of iam-user"):
        snap.load(tmp_path / "bad.json")


def test_the_report_schema_lists_the_known_kinds_and_accepts_a_new_clouds() -> None:
    assert TOKEN.value == "toy-token"  # created: still not listed
    listed, other = report_schema()["$defs"]["credential_kind"]["anyOf"]
    assert listed["enum"] == [kind.value for kind in CredentialKind] and "toy-token" not in listed
    assert "access-key" in listed["enum"]
    assert re.fullmatch(other["pattern"], "toy-token") and not re.fullmatch(other["pattern"], "")


def test_provider_managed_reads_the_snapshots_service_linked_field() -> None:
    assert f.service_linked_role().provider_managed is True
    assert f.role("r").provider_managed is False
    assert f.role("r", service_linked=None).provider_managed is False


# --- lifecycle rules through the toy provider's facts --------------------------------------


def test_only_the_providers_long_lived_kinds_are_judged(toy_cloud: CloudProvider) -> None:
    session = Credential(
        provider=TOY,
        id="ts-1",
        identity=BUILDER,
        kind=CredentialKind("toy-session"),
        account="acme",
        status=CredentialStatus.ACTIVE,
        created=f.days_ago(900),
    )
    second = replace(session, id="tt-second", kind=TOKEN, last_used=f.days_ago(1))
    e = toy_estate(session, second, provider=toy_cloud)
    ctx = toy_context(e, toy_cloud)
    assert [k.id for k in active_keys(e.credentials(BUILDER), ctx.providers)] == [
        "tt-builder",
        "tt-second",
    ]
    assert [x.evidence["key_id"] for x in run(AccessKeyTooOld(), e, ctx)] == [
        "tt-builder",
        "tt-second",
    ]
    assert titles(run(MultipleActiveKeys(), e, ctx)) == ["Bot builder has 2 active toy tokens."]


def test_a_gap_in_the_providers_last_used_operation_is_not_never_used(
    toy_cloud: CloudProvider,
) -> None:
    unused = Credential(
        provider=TOY,
        id="tt-new",
        identity=BUILDER,
        kind=TOKEN,
        account="acme",
        status=CredentialStatus.ACTIVE,
        created=f.days_ago(200),
    )
    gap = CollectionGap(
        provider=TOY,
        scope="acme",
        operation=LAST_USED_OPERATION,
        reason=GapReason.ACCESS_DENIED,
        detail="denied",
        subject=BUILDER,
    )
    other = replace(gap, operation="toy.bots.list")

    def never_used(*extra: Record) -> list[str]:
        e = toy_estate(unused, *extra, provider=toy_cloud)
        found = run(AccessKeyUnused(), e, toy_context(e, toy_cloud))
        return [x.evidence["key_id"] for x in found if x.evidence["case"] == "never-used"]

    assert never_used() == ["tt-new"]
    assert never_used(other) == ["tt-new"]  # not the call that reports last use
    assert never_used(gap) == []


def test_without_a_registered_provider_every_non_login_kind_counts() -> None:
    cloud = Provider("nocloud")
    who = Identity(
        provider=cloud, id="nc:robot", name="robot", kind=IdentityKind("nc-robot"), account="n1"
    )
    key = Credential(
        provider=cloud,
        id="nk-1",
        identity=who.id,
        kind=CredentialKind("nc-key"),
        account="n1",
        status=CredentialStatus.ACTIVE,
        created=f.days_ago(500),
    )
    login = replace(key, id="pw-1", kind=CredentialKind.PASSWORD)
    assert is_active_key(key, None) and not is_active_key(login, None)
    e = build_estate(f.snapshot(who, key, login))
    found = run(AccessKeyTooOld(), e, toy_context(e, None))
    assert titles(found) == ["Nc key nk-1 of nc-robot robot is 500 days old (limit 90)."]
    assert found[0].provider is cloud


def test_aws_keys_are_judged_as_before_with_and_without_the_facts() -> None:
    user = f.user("app")
    key = f.access_key(user, created=f.days_ago(100))
    aws = f.providers()
    assert active_keys([key], aws) == active_keys([key]) == (key,)
    assert active_keys([replace(key, status=CredentialStatus.INACTIVE)], aws) == ()


def test_assumable_is_the_providers_answer(toy_cloud: CloudProvider) -> None:
    e = toy_estate(provider=toy_cloud)
    delegated = replace(e.identities[BUILDER], tags={"toy:delegate": "fresh"})
    with_analysis = toy_context(e, toy_cloud).providers
    assert _assumable(with_analysis, delegated) is True
    assert _assumable(with_analysis, e.identities[BUILDER]) is False
    assert _assumable(ProviderSet(providers={"toy": toy_cloud}), delegated) is False


# --- the agent rules -------------------------------------------------------------------------


def _agents(name: str, *identities: str) -> SimpleNamespace:
    """The part of the agent analysis the agent lifecycle rules read: one decommissioned
    agent running as ``identities``."""
    agent = SimpleNamespace(name=name, status=AgentStatus.DECOMMISSIONED, decommissioned_at=None)
    return SimpleNamespace(results=[SimpleNamespace(agent=agent, identities=identities)])


def test_a_decommissioned_agents_identity_works_when_its_provider_says_it_is_assumable(
    toy_cloud: CloudProvider,
) -> None:
    idle = Identity(provider=TOY, id=bot_id("acme", "idle"), name="idle", kind=BOT, account="acme")
    delegated = replace(
        idle, id=bot_id("acme", "delegated"), name="delegated", tags={"toy:delegate": "builder"}
    )
    e = toy_estate(idle, delegated, provider=toy_cloud)
    ctx = replace(toy_context(e, toy_cloud), agents=_agents("old", idle.id, delegated.id))
    (found,) = run(DecommissionedAgentActive(), e, ctx)
    assert found.subject == delegated.id and found.evidence["assumable_role"] is True
    assert found.title == "Agent old is decommissioned but bot delegated still works."
    no_analysis = replace(ctx, providers=ProviderSet(providers={"toy": toy_cloud}))
    assert run(DecommissionedAgentActive(), e, no_analysis) == []


def test_agent_gap_findings_name_the_provider_of_the_agents_identities(
    toy_cloud: CloudProvider,
) -> None:
    e = toy_estate(provider=toy_cloud)

    def result(*identities: str, defaults: tuple[str, ...] = ()) -> Any:
        agent = SimpleNamespace(defaults=dict.fromkeys(defaults))
        return SimpleNamespace(identities=identities, agent=agent)

    assert _provider_of(e, result(BUILDER)) is TOY
    # Not in the inventory: the one cloud the agent's defaults name, else unknown (no guess).
    assert _provider_of(e, result("toy://gone", defaults=("toy",))) is TOY
    assert _provider_of(e, result("toy://gone", defaults=("aws", "toy"))) == "unknown"
    assert _provider_of(e, result("toy://gone")) == "unknown"
