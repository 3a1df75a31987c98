from __future__ import annotations

from nhiscan.rules.ownership import NhiWithoutOwner
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Finding, Identity, IdentityKind, Provider, Severity
from nhiscan.scanner.owners import Owner, owner_of
from tests.factories import context, estate, identity, role, service_linked_role, user


def run(e: Estate, **lifecycle: object) -> list[Finding]:
    return list(NhiWithoutOwner().evaluate(e, context(**lifecycle)))


def test_machine_without_owner_is_flagged() -> None:
    bot = user("svc-deploy", console_access=False, tags={"team": ""})
    [finding] = run(estate(bot))
    assert finding.rule_id == "NHI007"
    assert finding.subject == bot.id
    assert finding.severity is Severity.LOW
    assert finding.evidence["is_human"] is False
    assert finding.evidence["owner_tag_keys"] == ["owner"]
    assert finding.evidence["tag_keys"] == ["team"]
    assert "svc-deploy" in finding.title


def test_unclassified_identity_without_owner_is_flagged() -> None:
    unknown = user("jdoe")  # no console data, a name with no sign: is_human None
    [finding] = run(estate(unknown))
    assert finding.evidence["is_human"] is None


def test_owner_tag_any_case_clears_it() -> None:
    assert run(estate(role("app", tags={"OWNER": "team-payments"}))) == []


def test_blank_owner_tag_does_not_count() -> None:
    assert len(run(estate(role("app", tags={"owner": "  "})))) == 1


def test_native_owner_clears_it() -> None:
    sp = identity(kind=IdentityKind.SERVICE_PRINCIPAL, id="sp-1", name="sp", owner="alice@x")
    assert run(estate(sp)) == []


def test_owner_tag_keys_come_from_settings() -> None:
    tagged = role("app", tags={"CostCenter-Owner": "team-data"})
    assert len(run(estate(tagged))) == 1
    assert run(estate(tagged), owner_tag_keys=("owner", "costcenter-owner")) == []


def test_people_and_service_linked_roles_are_skipped() -> None:
    person = user("jane.doe", console_access=True)
    sso = role("AWSReservedSSO_Admin_abc123")
    assert run(estate(person, sso, service_linked_role())) == []


def test_owner_helper() -> None:
    assert owner_of(user(tags={"Owner": "a", "owner": "b"}), ("owner",)) == Owner("a", "Owner")
    assert owner_of(user(tags={"Owner": " "}), ("owner",)) is None
    assert owner_of(user(owner="native", tags={"owner": "b"}), ("owner",)) == Owner("native", None)
    assert owner_of(user(tags={"team": "t", "owner": "o"}), ("team", "owner")) == Owner("t", "team")


def _gcp_account(email: str, **overrides: object) -> Identity:
    return identity(
        provider=Provider.GCP, id=email, name=email.split("@")[0], account="acme-prod",
        kind=IdentityKind.SERVICE_ACCOUNT, is_human=False, **overrides,
    )  # fmt: skip


def test_google_service_agents_are_skipped_by_what_the_provider_says() -> None:
    """A service agent's record need not say service_linked: the GCP analysis knows it."""
    agent = _gcp_account("service-650184339212@gcp-sa-aiplatform.iam.gserviceaccount.com")
    mine = _gcp_account("etl@acme-prod.iam.gserviceaccount.com")
    e = estate(agent, mine)
    found = list(NhiWithoutOwner().evaluate(e, context(graph_of=e)))
    assert [f.subject for f in found] == [mine.id]
    assert "description" in (found[0].remediation or "")  # GCP's words: no tags to set


def test_a_gcp_owner_written_in_the_description_counts() -> None:
    from nhiscan.connectors.gcp.records import described_tags

    tags = described_tags("ETL exports. owner=team-data, ticket: OPS-12 (see https://x.example)")
    assert tags["owner"] == "team-data" and tags["ticket"] == "OPS-12"
    owned = _gcp_account("etl@acme-prod.iam.gserviceaccount.com", tags=tags)
    e = estate(owned)
    assert list(NhiWithoutOwner().evaluate(e, context(graph_of=e))) == []
