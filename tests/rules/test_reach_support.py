"""The neutral reach helpers ask the identity's provider; an identity no analysis answers for
gets neutral defaults (no trust exposure, not provider-managed), never an error."""

from __future__ import annotations

from nhiscan.rules.reach_support import exposure, is_nhi, provider_managed
from nhiscan.scanner.model import IdentityKind, Provider
from nhiscan.scanner.provider import ProviderSet
from tests import factories as f

PUBLIC = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}


def test_exposure_is_the_active_keys_then_the_providers_reasons() -> None:
    bot = f.role("bot")
    e = f.estate(bot, f.trust_policy(bot, f.document(PUBLIC)), f.access_key(bot, id="AKIAB"))
    identity = e.identities[bot.id]
    assert exposure(e, identity, f.providers(e)) == [
        "active access key AKIAB",
        "public trust policy",
    ]
    assert exposure(e, identity, ProviderSet()) == ["active access key AKIAB"]


def test_provider_managed_identities_are_not_nhis_when_their_provider_says_so() -> None:
    linked = f.service_linked_role()
    e = f.estate(linked)
    identity = e.identities[linked.id]
    assert provider_managed(f.providers(e), identity) is True
    assert not is_nhi(identity, f.providers(e))
    assert provider_managed(ProviderSet(), identity) is False


def test_an_unregistered_provider_gets_neutral_answers() -> None:
    other = Provider("unregistered-cloud")  # a cloud no installed provider analyses
    sa = f.identity(provider=other, kind=IdentityKind.SERVICE_PRINCIPAL, id="sp-1", account="p")
    e = f.estate(sa, f.access_key(sa, id="k1", provider=other))
    identity = e.identities[sa.id]
    assert identity.is_human is False
    assert is_nhi(identity, f.providers(e))  # the AWS analysis does not answer for it
    assert exposure(e, identity, f.providers(e)) == ["active access key k1"]
