"""The Azure rules (NHI500-NHI507): each triggers on its hand-built estate and not on the clean
one, with the registry meta-test's checks (titles, stable fingerprints whatever the clock);
managed identities' and Microsoft's own service principals are never flagged; owners not read
are never "no owner"; and all of them on the export fixture read by ``--azure-export``'s
reader. The rules are run directly (the provider registers them at merge)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from nhiscan.app.config import Settings, settings_from_dict
from nhiscan.app.estates import estate_of
from nhiscan.errors import ConfigError
from nhiscan.providers.azure.rules import RULES
from nhiscan.rules.keys import AccessKeyUnused
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    CredentialKind,
    Finding,
    IdentityKind,
    Provider,
    Severity,
)
from tests.connectors.azure import export as ex
from tests.factories import NOW, context, days_ago, estate, snapshot
from tests.providers.azure.rules import fixtures as fx

BY_ID = {rule.meta.id: rule for rule in RULES}


def run(rule_id: str, e: Estate, **kw: object) -> list[Finding]:
    return list(BY_ID[rule_id].evaluate(e, context(**kw)))  # type: ignore[arg-type]


def test_ids_names_and_order() -> None:
    ids = [rule.meta.id for rule in RULES]
    assert ids == sorted(ids) and ids[0] == "NHI500" and len(set(ids)) == len(ids)
    assert set(fx.AZURE_FIXTURES) == set(ids)
    for rule in RULES:
        assert re.fullmatch(r"NHI5\d\d", rule.meta.id)
        assert re.fullmatch(r"azure(-[a-z0-9]+)+", rule.meta.name)
        assert rule.meta.summary.strip() and rule.meta.remediation.strip()


@pytest.mark.parametrize("rule_id", sorted(fx.AZURE_FIXTURES))
def test_each_rule_triggers_on_its_fixture_and_not_on_the_clean_one(rule_id: str) -> None:
    triggering, clean = fx.AZURE_FIXTURES[rule_id]
    found = run(rule_id, triggering())
    assert len(found) == 1
    assert found[0].rule_id == rule_id and found[0].provider is Provider.AZURE
    assert found[0].title.endswith(".") and "Contoso" in found[0].title
    assert found[0].remediation == BY_ID[rule_id].meta.remediation
    assert run(rule_id, clean()) == []


@pytest.mark.parametrize("rule_id", sorted(fx.AZURE_FIXTURES))
def test_fingerprints_are_stable_and_independent_of_the_clock(rule_id: str) -> None:
    """What tests/rules/test_registry.py asks of every rule: the same findings 30 days later."""
    build = fx.AZURE_FIXTURES[rule_id][0]
    first = [f.fingerprint for f in run(rule_id, build())]
    later = [f.fingerprint for f in run(rule_id, build(), now=days_ago(-30))]
    assert first == later and first


def test_the_triggering_fixtures_combine_in_one_estate() -> None:
    records = {
        (type(r).__name__, getattr(r, "id", "")): r
        for build, _ in fx.AZURE_FIXTURES.values()
        for r in [*build().snapshot.identities, *build().snapshot.credentials,
                  *build().snapshot.policies, *build().snapshot.resources]
    }  # fmt: skip
    combined = estate(fx.tenant(), *records.values())
    for rule in RULES:
        own = {
            f.fingerprint for f in rule.evaluate(fx.AZURE_FIXTURES[rule.meta.id][0](), context())
        }
        assert own <= {f.fingerprint for f in rule.evaluate(combined, context())}, rule.meta.id


# --- NHI500: expiry --------------------------------------------------------------------------


def test_an_expiring_secret_is_medium_and_becomes_a_low_expired_one_with_the_same_print() -> None:
    [soon] = run("NHI500", fx.expiring())
    assert soon.severity is Severity.MEDIUM and soon.evidence["case"] == "expiring"
    assert soon.title == (
        f"Client secret {fx.guid('a0', 0x101)} of application billing-api in tenant Contoso "
        f"({fx.TENANT}) expires in 10 days (warning at 30)."
    )
    [gone] = run("NHI500", fx.expiring(), now=days_ago(-25))
    assert gone.severity is Severity.LOW and gone.evidence["case"] == "expired"
    assert gone.title.endswith("expired 15 days ago and is still present.")
    assert gone.fingerprint == soon.fingerprint


def test_the_warning_threshold_is_read_from_the_lifecycle_settings() -> None:
    assert run("NHI500", fx.expiring(days_ago(-60))) == []
    [found] = run("NHI500", fx.expiring(days_ago(-60)), credential_expiry_warning_days=60)
    assert found.evidence["warning_days"] == 60
    assert run("NHI500", fx.expiring(), credential_expiry_warning_days=5) == []


def test_managed_identities_and_microsoft_service_principals_are_never_judged() -> None:
    e = fx.expiring()
    [identity] = e.snapshot.identities
    for changed in (replace(identity, kind=IdentityKind.MANAGED_IDENTITY),
                    replace(identity, service_linked=True)):  # fmt: skip
        other = estate(fx.tenant(), changed, *e.snapshot.resources, *e.snapshot.credentials)
        assert run("NHI500", other) == []


def test_a_credential_without_an_end_date_is_not_expiring() -> None:
    e = fx.expiring()
    [key] = e.snapshot.credentials
    other = estate(*e.snapshot.accounts, *e.snapshot.identities, replace(key, expires=None))
    assert run("NHI500", other) == []


# --- NHI501: lifetime ------------------------------------------------------------------------


def test_secrets_and_certificates_have_their_own_lifetime_limits() -> None:
    [found] = run("NHI501", fx.long_lived(365))
    assert found.evidence["lifetime_days"] == 365 and found.evidence["max_lifetime_days"] == 180
    assert found.title.endswith("is valid for 365 days (limit 180).")
    cert = CredentialKind.CERTIFICATE
    assert run("NHI501", fx.long_lived(365, cert)) == []
    [long_cert] = run("NHI501", fx.long_lived(400, cert))
    assert long_cert.title.startswith("Certificate ")
    assert run("NHI501", fx.long_lived(365), client_secret_max_lifetime_days=365) == []


def test_an_expired_credential_is_left_to_the_expiry_rule() -> None:
    assert run("NHI501", fx.long_lived(730), now=days_ago(-800)) == []


# --- NHI502: owners --------------------------------------------------------------------------


def test_no_owner_is_claimed_only_when_owners_were_read() -> None:
    [found] = run("NHI502", fx.ownerless())
    assert found.subject == fx.guid("a2", 2)
    assert found.title == (
        f"Application orphan-sync in tenant Contoso ({fx.TENANT}) has no owner and "
        "1 live certificate and 1 live client secret."
    )
    e = fx.ownerless()
    unread = [r for r in e.snapshot.policies if not r.id.endswith("#owners")]
    not_read = estate(*e.snapshot.accounts, *e.snapshot.identities, *e.snapshot.resources,
                      *e.snapshot.credentials, *unread)  # fmt: skip
    assert run("NHI502", not_read) == []  # the export's gap says owners are unknown


def test_an_ownerless_application_with_only_expired_credentials_is_not_this_rule() -> None:
    assert run("NHI502", fx.ownerless(), now=days_ago(-500)) == []


# --- NHI503: federated -----------------------------------------------------------------------


def test_federated_credentials_beside_a_secret_name_issuer_and_subject() -> None:
    subject = "repo:acme/deploy:environment:prod"
    [found] = run("NHI503", fx.federated_and_secret(subject))
    assert found.evidence["federated"] == [f"https://token.actions.githubusercontent.com {subject}"]
    assert found.evidence["key_ids"] == [fx.guid("a3", 0x101)]
    assert run("NHI503", fx.federated_and_secret(subject), now=days_ago(-500)) == []


# --- NHI504: Azure role administration -------------------------------------------------------


def test_owner_and_user_access_administrator_at_subscription_or_above() -> None:
    [owner] = run("NHI504", fx.arm_admin())
    assert owner.severity is Severity.HIGH
    assert owner.title == (
        f"Managed identity ci-deploy of tenant Contoso ({fx.TENANT}) has Owner on "
        f"subscription {fx.SUBSCRIPTION}."
    )
    [root] = run("NHI504", fx.arm_admin(fx.UAA_ROLE, fx.ROOT_MG))
    assert root.severity is Severity.CRITICAL
    assert "tenant root management group" in root.title
    group = f"/subscriptions/{fx.SUBSCRIPTION}/resourcegroups/rg-app"
    assert run("NHI504", fx.arm_admin(scope=group)) == []  # below a subscription
    contributor = (
        "b24988ac-6180-42a0-ab88-20f7382dd24c"  # NotActions Microsoft.Authorization/*/Write
    )
    assert run("NHI504", fx.arm_admin(contributor)) == []


def test_a_custom_role_that_writes_role_assignments_counts() -> None:
    from nhiscan.scanner.model import Policy, PolicyKind

    custom = "7e000000-0000-4000-8000-0000000000aa"
    definition = Policy(
        provider=Provider.AZURE,
        id=f"/providers/microsoft.authorization/roledefinitions/{custom}",
        name="Delegator", kind=PolicyKind.AZURE_ROLE_DEFINITION, account=None,
        document={"name": custom, "roleName": "Delegator", "roleType": "CustomRole",
                  "permissions": [{"actions": ["Microsoft.Authorization/roleAssignments/*"],
                                   "notActions": []}]},
    )  # fmt: skip
    e = fx.arm_admin(custom)
    [found] = run("NHI504", estate(*e.snapshot.accounts, *e.snapshot.identities,
                                   *e.snapshot.policies, definition))  # fmt: skip
    assert found.evidence["role"] == "Delegator"
    assert run("NHI504", fx.arm_admin(custom)) == []  # an unknown role is not guessed


def test_a_user_or_microsoft_principal_with_owner_is_not_this_rule() -> None:
    e = fx.arm_admin()
    [identity] = e.snapshot.identities
    microsoft = estate(*e.snapshot.accounts, replace(identity, service_linked=True),
                       *e.snapshot.policies)  # fmt: skip
    assert run("NHI504", microsoft) == []
    assert run("NHI504", estate(*e.snapshot.accounts, *e.snapshot.policies)) == []


# --- NHI505, NHI506: directory roles, Graph permissions --------------------------------------


def test_directory_role_severity_by_role_scope_and_eligibility() -> None:
    assert run("NHI505", fx.directory_admin())[0].severity is Severity.HIGH
    assert run("NHI505", fx.directory_admin(fx.GLOBAL_ADMIN))[0].severity is Severity.CRITICAL
    eligible = run("NHI505", fx.directory_admin(fx.GLOBAL_ADMIN, eligible=True))
    assert eligible[0].severity is Severity.HIGH and "is eligible for" in eligible[0].title
    reader = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"  # Global Reader: privileged, changes nothing
    assert run("NHI505", fx.directory_admin(reader))[0].severity is Severity.MEDIUM
    unit = "/administrativeUnits/7a000000-0000-4000-8000-0000000000a1"
    [scoped] = run("NHI505", fx.directory_admin(scope=unit))
    assert scoped.severity is Severity.MEDIUM and scoped.title.endswith(f"scoped to {unit}.")


def test_graph_permissions_only_of_microsoft_graph_and_only_dangerous_ones() -> None:
    [found] = run("NHI506", fx.graph_permission(fx.ROLE_MGMT_RW, fx.APP_READ_ALL))
    assert found.evidence["permission"] == "RoleManagement.ReadWrite.Directory"
    assert found.severity is Severity.CRITICAL
    assert run("NHI506", fx.graph_permission())[0].severity is Severity.HIGH
    other_api = fx.guid("5f", 1)  # the same app role id on another API is not Graph's
    assert run("NHI506", fx.graph_permission(resource=other_api)) == []


# --- NHI507: multi-tenant --------------------------------------------------------------------


def test_multi_tenant_needs_credentials_and_broad_permissions() -> None:
    [found] = run("NHI507", fx.multi_tenant("AzureADandPersonalMicrosoftAccount"))
    assert found.evidence["permissions"] == [
        f"User Access Administrator on tenant root management group {fx.TENANT}"
    ]
    assert run("NHI507", fx.multi_tenant(role=fx.READER_ROLE)) == []
    assert run("NHI507", fx.multi_tenant(), now=days_ago(-200)) == []  # its secret expired
    e = fx.multi_tenant()
    [identity] = [i for i in e.snapshot.identities]
    foreign = replace(identity, home_account="3c2b1a09-8f7e-4d6c-b5a4-93827161f5e4")
    other = estate(*e.snapshot.accounts, foreign, *e.snapshot.policies, *e.snapshot.resources,
                   *e.snapshot.credentials)  # fmt: skip
    assert run("NHI507", other) == []  # a foreign application is its publisher's


# --- the export fixture, as --azure-export reads it ------------------------------------------


def _export() -> Estate:
    return estate_of(snapshot(*ex.read()))


def _by_rule(e: Estate) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rule in RULES:
        for finding in rule.evaluate(e, context(now=ex.NOW)):
            found.setdefault(finding.rule_id, []).append(finding.subject)
    return found


def test_every_rule_on_the_export_fixture() -> None:
    by_rule = _by_rule(_export())
    assert by_rule["NHI500"] == [
        "d1000000-0000-4000-8000-0000000000e1",  # payments-api's old secret
        "d3000000-0000-4000-8000-0000000000c1",  # legacy-report, an app with no SP here
        "d4000000-0000-4000-8000-0000000000d1",  # vendor-backup's own, ends at the scan
    ]
    # payments-api's current secret (365 days) and partner-sync's (2 years); the 365-day
    # certificate is within its limit, the managed identity's certificate is Azure's.
    assert by_rule["NHI501"] == [
        "d1000000-0000-4000-8000-0000000000a2", "d2000000-0000-4000-8000-0000000000b1"
    ]  # fmt: skip
    assert by_rule["NHI502"] == [ex.PARTNER_APP]  # owners read, the list empty
    assert by_rule["NHI503"] == [ex.PAY_APP]  # a GitHub federated credential and 2 live keys
    assert by_rule["NHI504"] == [ex.SP_PARTNER, ex.SP_UAMI]  # UAA on a group, MI with Owner
    assert by_rule["NHI505"] == [ex.SP_PAY, ex.SP_PARTNER, ex.SP_VENDOR]
    assert by_rule["NHI506"] == [ex.SP_PAY]  # Application.ReadWrite.All
    assert by_rule["NHI507"] == [ex.SP_PARTNER]  # multi-tenant, a secret, UAA


def test_the_export_evidence_names_tenant_subscription_and_scope() -> None:
    e = _export()
    [mi] = [f for f in BY_ID["NHI504"].evaluate(e, context(now=ex.NOW))
            if f.subject == ex.SP_UAMI]  # fmt: skip
    assert mi.title.endswith(f"has Owner on subscription contoso-prod ({ex.PROD}).")
    assert mi.evidence["tenant"] == ex.TENANT
    [partner] = [f for f in BY_ID["NHI504"].evaluate(e, context(now=ex.NOW))
                 if f.subject == ex.SP_PARTNER]  # fmt: skip
    assert partner.evidence["scope"] == ex.PLATFORM_MG and partner.severity is Severity.HIGH


def test_owners_missing_from_the_export_are_never_no_owner(tmp_path: object) -> None:
    import shutil
    from pathlib import Path

    folder = ex.copy(Path(str(tmp_path)))
    shutil.rmtree(folder / "app-owners")
    e = estate_of(snapshot(*ex.read(folder)))
    assert "NHI502" not in _by_rule(e)
    assert any(g.operation == "azure-export:app-owners" for g in e.snapshot.gaps)


def test_unused_credentials_are_the_neutral_rule_s_and_it_stays_silent_without_sign_in_data() -> (
    None
):
    """NHI002 judges Azure secrets once a last-used date is known (the live sign-in report);
    an export has none and records the gap, so nothing is called unused."""
    e = _export()
    unused = AccessKeyUnused()
    assert [
        f for f in unused.evaluate(e, context(now=ex.NOW)) if f.provider is Provider.AZURE
    ] == []
    secret = next(c for c in e.snapshot.credentials
                  if c.id == "d1000000-0000-4000-8000-0000000000a2")  # fmt: skip
    used = replace(secret, last_used=ex.NOW - timedelta(days=100))
    others = [c for c in e.snapshot.credentials if c.id != secret.id]
    known = estate_of(replace(e.snapshot, credentials=(*others, used)))
    [found] = [f for f in unused.evaluate(known, context(now=ex.NOW))
               if f.provider is Provider.AZURE]  # fmt: skip
    assert found.evidence["key_id"] == secret.id and found.evidence["days"] == 100


def test_no_finding_shows_a_secret_hint() -> None:
    text = repr([f for rule in RULES for f in rule.evaluate(_export(), context(now=ex.NOW))])
    for hint in ("Xq7", "k9L", "Zz0", "Vn3"):
        assert hint not in text


def test_the_lifecycle_keys_are_read_from_nhiscan_toml() -> None:
    keys = {"credential_expiry_warning_days": 14, "client_secret_max_lifetime_days": 90,
            "certificate_max_lifetime_days": 730}  # fmt: skip
    settings = settings_from_dict({"lifecycle": keys}, source="nhiscan.toml")
    assert {k: getattr(settings.lifecycle, k) for k in keys} == keys
    defaults = Settings().lifecycle
    assert (defaults.credential_expiry_warning_days, defaults.client_secret_max_lifetime_days,
            defaults.certificate_max_lifetime_days) == (30, 180, 365)  # fmt: skip
    with pytest.raises(ConfigError, match="credential_expiry_warning_days: expected a whole"):
        settings_from_dict({"lifecycle": {"credential_expiry_warning_days": -1}}, source="t")
    assert NOW.year == 2025  # the fixtures' dates are relative to the factories' clock
