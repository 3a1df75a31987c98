"""Meta-tests over all_rules() (the neutral rules and every provider's): every rule has a
triggering and a clean fixture, well-formed metadata, and fingerprints that depend on the input
only, never on the clock; the registry assembles them in the frozen order."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pytest

from nhiscan import providers
from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.app.rules import RULE_ORDER, all_rules
from nhiscan.errors import ConfigError
from nhiscan.rules.base import Rule
from nhiscan.rules.provider import assemble
from nhiscan.rules.registry import CORE_RULES
from nhiscan.scanner.activity import ActionUse
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import CredentialStatus, Identity, Policy, Record, ResourceKind
from tests.factories import (
    ACCOUNT,
    NOW,
    OTHER_ACCOUNT,
    access_key,
    agent_context,
    agent_file,
    allow,
    assume_role_statement,
    context,
    days_ago,
    deny,
    document,
    estate,
    exposure,
    group,
    managed_policy,
    password,
    resource,
    resource_policy,
    role,
    snapshot,
    trail_scope,
    trail_session,
    trail_use,
    trust_policy,
    user,
)
from tests.providers.azure.rules.fixtures import AZURE_FIXTURES
from tests.providers.gcp.rules.fixtures import GCP_FIXTURES
from tests.rules.behaviour_fixtures import WithBehaviour, changed
from tests.rules.federation_fixtures import FEDERATION_FIXTURES, WithTrusts, federating
from tests.rules.test_federation_repos import WithTrusts as WithRepositories
from tests.rules.test_federation_repos import fixture as trusting
from tests.rules.test_federation_repos import github_trust
from tests.rules.unused_fixtures import accessed

Builder = Callable[[], "Estate | WithAgents | WithTrusts | WithBehaviour"]
LEAKED_KEY = "AKIAZ7VRSQ5DXJQ4YEPX"
OWNED = {"owner": "team-platform"}


def _old_key() -> Estate:
    bot = user("svc-ci", tags=OWNED)
    return estate(bot, access_key(bot, id="AKIAOLD", created=days_ago(200)))


def _fresh_key() -> Estate:
    bot = user("svc-ci", tags=OWNED)
    return estate(bot, access_key(bot, created=days_ago(90), last_used=days_ago(45)))


def _idle_key() -> Estate:
    bot = user("svc-ci", tags=OWNED)
    return estate(bot, access_key(bot, id="AKIAIDLE", created=days_ago(30), last_used=None))


def _two_keys() -> Estate:
    bot = user("svc-ci", tags=OWNED)
    return estate(bot, access_key(bot, id="AKIA1"), access_key(bot, id="AKIA2"))


def _rotated_keys() -> Estate:
    bot = user("svc-ci", tags=OWNED)
    old = access_key(bot, status=CredentialStatus.INACTIVE, created=days_ago(400))
    return estate(bot, access_key(bot), old)


def _console_and_key() -> Estate:
    jane = user("jane.doe", console_access=True)
    return estate(jane, password(jane), access_key(jane))


def _console_only() -> Estate:
    jane = user("jane.doe", console_access=True)
    return estate(jane, password(jane))


def _trusting(principal: object, condition: dict[str, object] | None = None) -> Estate:
    target = role("partner", tags=OWNED)
    doc = document(assume_role_statement(principal, condition=condition))
    return estate(target, trust_policy(target, doc))


def _public_bucket() -> Estate:
    bucket = resource("assets")
    doc = document({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"})
    return estate(bucket, resource_policy(bucket, doc))


def _unowned_machine() -> Estate:
    return estate(role("orphan"))


def _owned_machine() -> Estate:
    return estate(role("etl", tags={"Owner": "team-data"}))


def _stale_role() -> Estate:
    return estate(role("etl", tags=OWNED, created=days_ago(400), last_used=days_ago(100)))


def _busy_role() -> Estate:
    return estate(role("etl", tags=OWNED, created=days_ago(400), last_used=days_ago(2)))


# --- reach rules: every name is distinct, so the triggering estates combine in one snapshot ---


def _grant(who: Identity, name: str, *statements: Mapping[str, Any]) -> tuple[Identity, Policy]:
    """``who`` holding a managed policy ``name`` of ``statements`` (and its tags OWNED)."""
    policy = managed_policy(name, *statements)
    return replace(who, policies=(*who.policies, policy.id), tags=OWNED), policy


def _trusts(target: Identity, principal: object) -> Policy:
    return trust_policy(target, document(assume_role_statement(principal)))


def _admin_agent(human: bool = False) -> Estate:
    name = "jane.admin" if human else "admin-agent"
    who = user(name, console_access=True) if human else role(name)
    return estate(*_grant(who, f"{name}-all", allow("*")))


def _self_policy(target: str | None = None) -> Estate:
    bot = user("esc-policy-bot")
    return estate(*_grant(bot, "esc-policy", allow("iam:PutUserPolicy", target or bot.id)))


def _join_admins(*guard: Mapping[str, Any]) -> Estate:
    admins_policy = managed_policy("esc-admins-all", allow("*"))
    admins = group("esc-admins", policies=(admins_policy.id,))
    bot = user("esc-group-bot")
    return estate(*_grant(bot, "esc-group", allow("iam:AddUserToGroup"), *guard), admins,
                  admins_policy)  # fmt: skip


def _create_key(scope: str | None = None) -> Estate:
    bot, victim = user("esc-key-bot"), user("esc-key-victim", tags=OWNED)
    return estate(*_grant(bot, "esc-key", allow("iam:CreateAccessKey", scope or "*")), victim)


def _rewrite_trust(boundary: bool = False) -> Estate:
    actor, target = role("esc-trust-actor"), role("esc-trust-target", tags=OWNED)
    fence = managed_policy("esc-trust-fence", allow("s3:*"))
    actor = replace(actor, permissions_boundary=fence.id if boundary else None)
    return estate(*_grant(actor, "esc-trust", allow("iam:UpdateAssumeRolePolicy")), target, fence)


def _pass_role(service: str = "lambda.amazonaws.com") -> Estate:
    bot, runner = user("esc-pass-bot"), role("esc-pass-runner", tags=OWNED)
    needs = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
    return estate(*_grant(bot, "esc-pass", allow(needs)), runner,
                  _trusts(runner, {"Service": service}))  # fmt: skip


def _update_code(*guard: Mapping[str, Any]) -> Estate:
    bot, runner = user("esc-code-bot"), role("esc-code-runner", tags=OWNED)
    fn = resource("esc-code-fn", id=f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:esc-code-fn",
                  kind=ResourceKind.LAMBDA_FUNCTION, runs_as=runner.id, policy=None)  # fmt: skip
    return estate(*_grant(bot, "esc-code", allow("lambda:UpdateFunctionCode"), *guard), runner, fn)


def _cross_account(prefix: str, *guard: Mapping[str, Any]) -> Estate:
    caller = user(f"{prefix}-caller")
    target = role(f"{prefix}-target", account=OTHER_ACCOUNT, tags=OWNED)
    caller, grant = _grant(caller, f"{prefix}-assume", allow("sts:AssumeRole", target.id), *guard)
    return estate(caller, grant, target, _trusts(target, {"AWS": caller.id}))


def _secret_reader(reads: bool = True) -> Estate:
    vault = resource("data-vault", id=f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:v-Ab1",
                     kind=ResourceKind.SECRET, policy=None)  # fmt: skip
    target = vault.id if reads else "arn:aws:secretsmanager:eu-west-1:999999999999:secret:x"
    reader = role("data-reader")
    return estate(*_grant(reader, "data-read", allow("secretsmanager:GetSecretValue", target)),
                  vault)  # fmt: skip


def _leaked(joined: bool) -> Estate:
    bot = user("svc-leaky", tags=OWNED)
    key = access_key(bot, id=LEAKED_KEY)
    return estate(bot, key, exposure(LEAKED_KEY if joined else "AKIAQ2VRSQ5DXJQ4YEPA"))


def _shared(repos: int) -> Estate:
    found = [exposure(repository=f"git@example.com:acme/app{n}.git") for n in range(repos)]
    return estate(*found)


# --- agent rules: an estate and the agents declared over it -----------------------------------


@dataclass(frozen=True)
class WithAgents:
    estate: Estate
    agents: AgentFile


def _agent(name: str, identity: str, *steps: str, extra: str = "") -> str:
    body = "".join(f"      - {step}\n" for step in steps) if steps else ""
    return (
        f"  - name: {name}\n    owner: team-{name}\n    identities: [{identity}]\n{extra}"
        f"    steps:{'' if steps else ' []'}\n{body}"
    )


def _reader_role(name: str, *statements: Mapping[str, Any]) -> list[Record]:
    who, grant = _grant(role(name), f"{name}-access", *statements)
    return [who, grant, _trusts(who, {"Service": "lambda.amazonaws.com"})]


READS = (
    allow("s3:GetObject", "arn:aws:s3:::ag-docs/*"),
    allow("s3:ListBucket", "arn:aws:s3:::ag-docs"),
)


def _excess(admin: bool) -> WithAgents:
    records = _reader_role("ag-excess", allow("*")) if admin else _reader_role("ag-excess", *READS)
    agents = agent_file(_agent("excess-agent", records[0].id, "read: s3://ag-docs/*"))
    return WithAgents(estate(*records), agents)


def _missing(granted: bool) -> WithAgents:
    # It can assume no role: in the combined snapshot, roles whose trust was not collected
    # would otherwise meet its needs conditionally.
    fence = deny("sts:AssumeRole")
    records = _reader_role("ag-missing", *(READS if granted else (allow("sns:Publish"),)), fence)
    agents = agent_file(_agent("missing-agent", records[0].id, "read: s3://ag-docs/*"))
    return WithAgents(estate(*records), agents)


# --- audit trail rules: the agent's role, its plan (read ag-docs) and what the trail saw ------

DOCS_OBJECTS, DOCS_BUCKET = "arn:aws:s3:::ag-docs/*", "arn:aws:s3:::ag-docs"


def _traced(
    name: str, *uses: ActionUse, grants: tuple[Mapping[str, Any], ...] = READS
) -> WithAgents:
    """A role granted ``grants`` whose agent reads ag-docs, and a trail of the role's account
    holding ``uses`` (none: the trail covered the account and saw nothing of the role)."""
    records: list[Record] = [*_reader_role(name, *grants), trail_scope()]
    if uses:
        records.append(trail_session(records[0].id, *uses, session_name=f"{name}-*"))
    agents = agent_file(_agent(f"{name}-agent", records[0].id, "read: s3://ag-docs/*"))
    return WithAgents(estate(*records), agents)


def _reads(days: float = 1) -> tuple[ActionUse, ...]:
    return (trail_use("s3:GetObject", DOCS_OBJECTS, days=days),
            trail_use("s3:ListBucket", DOCS_BUCKET, days=days))  # fmt: skip


def _outside(deletes: bool) -> WithAgents:
    extra = (trail_use("s3:DeleteObject", DOCS_OBJECTS),) if deletes else ()
    return _traced(
        "ag-outside", *_reads(), *extra, grants=(allow("s3:*", "arn:aws:s3:::ag-docs*"),)
    )


def _revocable(published: bool) -> WithAgents:
    extra = (trail_use("sns:Publish", "arn:aws:sns:us-east-1:123456789012:ag-topic"),)
    grants = (*READS, allow("sns:Publish", "arn:aws:sns:us-east-1:123456789012:ag-topic"))
    return _traced("ag-revocable", *_reads(), *(extra if published else ()), grants=grants)


def _planned_unused(used: bool) -> WithAgents:
    return _traced("ag-stale", *(_reads() if used else ()))


def _denied(refused: bool) -> WithAgents:
    extra = (trail_use("s3:PutObject", DOCS_OBJECTS, denied=True),) if refused else ()
    return _traced("ag-refused", *_reads(), *extra)


def _decommissioned(key_active: bool) -> WithAgents:
    bot = user("ag-retired", tags=OWNED)
    status = CredentialStatus.ACTIVE if key_active else CredentialStatus.INACTIVE
    extra = "    status: decommissioned\n    decommissioned_at: 2025-01-01\n"
    agents = agent_file(_agent("retired-agent", bot.id, extra=extra))
    return WithAgents(estate(bot, access_key(bot, id="AKIARETIRED", status=status)), agents)


def _shared_identity(shared: bool) -> WithAgents:
    one, two = user("ag-shared-1", tags=OWNED), user("ag-shared-2", tags=OWNED)
    second = one if shared else two
    text = _agent("share-a", one.id) + _agent("share-b", second.id)
    return WithAgents(estate(one, two), agent_file(text))


def _on_human(human: bool) -> WithAgents:
    who = (
        user("pat.doe", console_access=True, mfa_devices=1) if human else user("ag-bot", tags=OWNED)
    )
    creds = [password(who)] if human else []
    return WithAgents(estate(who, *creds), agent_file(_agent("human-agent", who.id)))


def _rotation(age: int) -> WithAgents:
    bot = user("ag-rotating", tags=OWNED)
    extra = "    credentials: {max_key_age_days: 30}\n"
    key = access_key(bot, id="AKIAROTATE", created=days_ago(age), last_used=days_ago(1))
    return WithAgents(estate(bot, key), agent_file(_agent("rotating-agent", bot.id, extra=extra)))


def _unclaimed(claimed: bool) -> WithAgents:
    claimed_role, dark = role("ag-claimed", tags=OWNED), role("ag-dark", tags=OWNED)
    text = _agent("claiming-agent", claimed_role.id)
    if claimed:
        text += _agent("dark-agent", dark.id)
    return WithAgents(estate(claimed_role, dark), agent_file(text))


def _unmatched(exists: bool) -> WithAgents:
    bot = role("ag-present", tags=OWNED)
    ref = bot.id if exists else f"arn:aws:iam::{ACCOUNT}:role/ag-absent"
    return WithAgents(estate(bot), agent_file(_agent("ghost-agent", ref)))


def _idle_identity(last_days: float) -> Estate:
    idle = role("idle-batch", tags=OWNED, created=days_ago(500), last_used=None)
    return estate(idle, accessed(idle, "s3", days_ago(last_days)))


def _unused_service(used: bool) -> Estate:
    policy = managed_policy("queue-worker", allow("sqs:SendMessage"))
    worker = role("queue-worker", tags=OWNED, policies=(policy.id,))
    return estate(worker, policy, accessed(worker, "sqs", days_ago(1) if used else None))


# rule id -> (an estate that triggers it, an estate that does not)
FIXTURES: dict[str, tuple[Builder, Builder]] = {
    "NHI001": (_old_key, _fresh_key),
    "NHI002": (_idle_key, _fresh_key),
    "NHI003": (_two_keys, _rotated_keys),
    "NHI004": (_console_and_key, _console_only),
    "NHI005": (
        lambda: _trusting({"AWS": OTHER_ACCOUNT}),
        lambda: _trusting({"AWS": OTHER_ACCOUNT}, {"StringEquals": {"sts:ExternalId": "x"}}),
    ),
    "NHI006": (
        _public_bucket,
        lambda: _trusting("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}),
    ),
    "NHI007": (_unowned_machine, _owned_machine),
    "NHI008": (_stale_role, _busy_role),
    "NHI100": (_admin_agent, lambda: _admin_agent(human=True)),
    "NHI101": (_self_policy, lambda: _self_policy(f"arn:aws:iam::{ACCOUNT}:user/other")),
    "NHI102": (_join_admins, lambda: _join_admins(deny("iam:AddUserToGroup"))),
    "NHI103": (_create_key, lambda: _create_key("arn:aws:iam::*:user/${aws:username}")),
    "NHI104": (_rewrite_trust, lambda: _rewrite_trust(boundary=True)),
    "NHI105": (_pass_role, lambda: _pass_role("ec2.amazonaws.com")),
    "NHI106": (_update_code, lambda: _update_code(deny("lambda:Update*"))),
    "NHI107": (lambda: _cross_account("xa"), lambda: _cross_account("xa", deny("sts:*"))),
    "NHI108": (lambda: _cross_account("xb"), lambda: _cross_account("xb", deny("sts:*"))),
    "NHI109": (_secret_reader, lambda: _secret_reader(reads=False)),
    "NHI200": (lambda: _leaked(joined=False), lambda: _leaked(joined=True)),
    "NHI201": (lambda: _leaked(joined=True), lambda: _leaked(joined=False)),
    "NHI202": (lambda: _shared(2), lambda: _shared(1)),
    "NHI300": (lambda: _excess(admin=True), lambda: _excess(admin=False)),
    "NHI301": (lambda: _missing(granted=False), lambda: _missing(granted=True)),
    "NHI302": (lambda: _decommissioned(True), lambda: _decommissioned(False)),
    "NHI303": (lambda: _shared_identity(True), lambda: _shared_identity(False)),
    "NHI304": (lambda: _on_human(True), lambda: _on_human(False)),
    "NHI305": (lambda: _rotation(60), lambda: _rotation(10)),
    "NHI306": (lambda: _unclaimed(False), lambda: _unclaimed(True)),
    "NHI307": (lambda: _unmatched(False), lambda: _unmatched(True)),
    "NHI605": (
        lambda: trusting(github_trust("repo:acme/ap:*")),
        lambda: trusting(github_trust("repo:acme/app:*")),
    ),
    "NHI700": (lambda: _outside(True), lambda: _outside(False)),
    "NHI701": (lambda: _revocable(False), lambda: _revocable(True)),
    "NHI702": (lambda: _planned_unused(False), lambda: _planned_unused(True)),
    "NHI703": (lambda: _denied(True), lambda: _denied(False)),
    "NHI706": (lambda: changed(True), lambda: changed(False)),
    "NHI704": (lambda: _idle_identity(200), lambda: _idle_identity(1)),
    "NHI705": (lambda: _unused_service(False), lambda: _unused_service(True)),
    **GCP_FIXTURES,
    **AZURE_FIXTURES,
    **FEDERATION_FIXTURES,
}


def _run(
    rule_id: str,
    fixture: Estate | WithAgents | WithTrusts | WithBehaviour,
    now: datetime | None = None,
) -> list[Any]:
    """The rule's findings on a fixture (at ``now``, NOW by default); an agent fixture gets
    its agent analysis, a reach rule the fixture's reach graph, a keyless trust fixture its
    trusts from the provider's analysis (``federating``), NHI605's its trusts and
    [federation], NHI706's the previous run's stored behaviour."""
    rule = RULES[rule_id]
    if isinstance(fixture, WithRepositories | WithBehaviour):
        return list(rule.evaluate(fixture.estate, replace(fixture.context(), now=now or NOW)))
    if isinstance(fixture, WithTrusts):
        with federating(fixture.trusts, fixture.registrations):
            ctx = context(now=now or NOW, graph_of=fixture.estate)
            return list(rule.evaluate(fixture.estate, ctx))
    if isinstance(fixture, WithAgents):
        return list(
            rule.evaluate(
                fixture.estate, agent_context(fixture.estate, fixture.agents, now=now or NOW)
            )
        )
    graph_of = fixture if rule.meta.needs_graph else None
    return list(rule.evaluate(fixture, context(now=now or NOW, graph_of=graph_of)))


RULES = {rule.meta.id: rule for rule in all_rules()}


def test_every_rule_has_fixtures() -> None:
    assert set(FIXTURES) == set(RULES)


def test_rule_ids_are_unique_and_in_order() -> None:
    ids = [rule.meta.id for rule in all_rules()]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    assert len({rule.meta.name for rule in all_rules()}) == len(all_rules())


def test_every_rule_is_in_the_frozen_order_and_listed_in_it() -> None:
    assert [rule.meta.id for rule in all_rules()] == list(RULE_ORDER)


def test_the_core_rules_name_no_provider_rule() -> None:
    core = {rule.meta.id for rule in CORE_RULES}
    aws = {rule.meta.id for rule in providers.rules_of("aws")}
    gcp = {rule.meta.id for rule in providers.rules_of("gcp")}
    azure = {rule.meta.id for rule in providers.rules_of("azure")}
    sets = [core, aws, gcp, azure]
    assert all(a.isdisjoint(b) for i, a in enumerate(sets) for b in sets[i + 1 :])
    assert core | aws | gcp | azure == set(RULES)
    assert {"NHI004", "NHI005", "NHI008", "NHI107", "NHI109"} <= aws
    assert {"NHI100", "NHI101", "NHI106"} <= core


def test_assembly_follows_the_order_then_puts_unlisted_rules_by_id() -> None:
    core, aws = CORE_RULES[:2], providers.rules_of("aws")[:2]
    order = [aws[1].meta.id, core[0].meta.id]
    assembled = assemble(core, [aws], order)
    assert [r.meta.id for r in assembled] == [
        aws[1].meta.id, core[0].meta.id, *sorted([core[1].meta.id, aws[0].meta.id])
    ]  # fmt: skip
    with pytest.raises(ValueError, match=f"two rules have the id {core[0].meta.id}"):
        assemble(core, [core[:1]], order)


def test_a_provider_without_rules_adds_none_and_an_unknown_one_is_an_error(
    registry: None,
) -> None:
    providers.register("toy", providers.provider("aws"))
    assert providers.rules_of("toy") == ()
    assert [r.meta.id for r in all_rules()] == list(RULE_ORDER)
    with pytest.raises(ConfigError, match=r"no provider is registered for 'nope'"):
        providers.rules_of("nope")


def test_a_provider_rules_module_is_loaded_lazily_from_its_entry(registry: None) -> None:
    extra = replace(providers.REGISTRY["aws"], rules="tests.rules.toy_rules")
    providers.register("toy", extra)
    assert [r.meta.id for r in providers.rules_of("toy")] == ["NHI900"]
    assert [r.meta.id for r in all_rules()] == [*RULE_ORDER, "NHI900"]
    missing = replace(extra, rules="nhiscan_toy_absent.rules", install_hint="pip install toy")
    providers.register("toy", missing)
    with pytest.raises(ConfigError, match=r"nhiscan_toy_absent.*run pip install toy"):
        providers.rules_of("toy")


@pytest.fixture
def registry() -> Iterator[None]:
    saved, loaded = dict(providers.REGISTRY), dict(providers._LOADED)
    rules = dict(providers._RULES)
    yield
    providers.REGISTRY.clear()
    providers.REGISTRY.update(saved)
    providers._LOADED.clear()
    providers._LOADED.update(loaded)
    providers._RULES.clear()
    providers._RULES.update(rules)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.meta.id)
def test_rule_meta_is_well_formed(rule: Rule) -> None:
    assert re.fullmatch(r"NHI\d{3}", rule.meta.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.meta.name)
    assert rule.meta.summary.strip()
    assert rule.meta.remediation.strip()


@pytest.mark.parametrize("rule_id", sorted(FIXTURES))
def test_triggering_fixture_triggers(rule_id: str) -> None:
    rule = RULES[rule_id]
    findings = _run(rule_id, FIXTURES[rule_id][0]())
    assert findings
    for finding in findings:
        assert finding.rule_id == rule_id
        assert finding.rule_name == rule.meta.name
        assert finding.title.strip() and finding.title.endswith(".")
        assert finding.remediation == _remediation(rule, finding)
        assert finding.subject


def _remediation(rule: Rule, finding: Any) -> str:
    """The rule's remediation, or its provider's words for it (``ProviderFacts.remediations``)."""
    name = str(finding.provider)
    own = providers.provider(name).facts.remediations if name in providers.REGISTRY else {}
    return own.get(rule.meta.id, rule.meta.remediation)


@pytest.mark.parametrize("rule_id", sorted(FIXTURES))
def test_clean_fixture_does_not_trigger(rule_id: str) -> None:
    assert _run(rule_id, FIXTURES[rule_id][1]()) == []


@pytest.mark.parametrize("rule_id", sorted(FIXTURES))
def test_fingerprint_is_stable_and_independent_of_the_clock(rule_id: str) -> None:
    first = [f.fingerprint for f in _run(rule_id, FIXTURES[rule_id][0]())]
    again = [f.fingerprint for f in _run(rule_id, FIXTURES[rule_id][0]())]
    shifted = [f.fingerprint for f in _run(rule_id, FIXTURES[rule_id][0](), days_ago(-30))]
    assert first == again == shifted
    assert all(re.fullmatch(r"[0-9a-f]{32}", fp) for fp in first)


def test_fingerprints_differ_between_rules_on_one_subject() -> None:
    bot = user("svc-ci", tags=OWNED)
    key = access_key(bot, id="AKIAX", created=days_ago(200), last_used=days_ago(100))
    e = estate(bot, key)
    ctx = context(graph_of=e)
    fingerprints = [f.fingerprint for rule in all_rules() for f in rule.evaluate(e, ctx)]
    assert len(fingerprints) == 2  # too old and unused
    assert len(set(fingerprints)) == 2


def test_pipeline_runs_every_rule_over_a_snapshot() -> None:
    # The triggering fixtures use distinct subjects, so together they trigger every rule; but
    # NHI605's, whose [federation] is its own, and NHI706's, whose previous run is the store's
    # (their modules run them end to end).
    built = {rule_id: build() for rule_id, (build, _) in FIXTURES.items()}
    apart = (WithRepositories, WithBehaviour)
    handed = {rule_id for rule_id, b in built.items() if isinstance(b, apart)}
    kept = [b for b in built.values() if not isinstance(b, apart)]
    records = [
        r for b in kept for r in _records(b.estate if isinstance(b, WithAgents | WithTrusts) else b)
    ]
    declared = [a for b in kept if isinstance(b, WithAgents) for a in b.agents.agents]
    agents = AgentFile(agents=tuple(declared), sources=("agents.yaml",), source_hash="test")
    trusts = [t for b in kept if isinstance(b, WithTrusts) for t in b.trusts]
    found = [r for b in kept if isinstance(b, WithTrusts) for r in b.registrations]
    with federating(trusts, found):
        report = analyze(snapshot(*records), settings=Settings(), now=NOW, agents=agents)
    # NHI008's never-used role is in the account the activity fixtures' trail covers: NHI704
    # judges it there, and NHI008 steps back (rules/unused.py)
    stepped_back = {"NHI008"}
    assert {f.rule_id for f in report.findings} == set(RULES) - handed - stepped_back
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks, reverse=True)


def _records(e: Estate) -> list[Record]:
    s = e.snapshot
    return [*s.identities, *s.credentials, *s.policies, *s.resources, *s.gaps, *s.exposures,
            *s.activity, *s.activity_sources, *s.service_access]  # fmt: skip
