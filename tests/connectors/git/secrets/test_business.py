"""The business-service rows (detectors/business.py) beyond their table examples: test-mode
credentials are reported at medium and live ones at high, a webhook's secret is its path
whatever host alias carries it, and every severity override names a detector that exists."""

from __future__ import annotations

import random

from nhiscan.connectors.git.secrets import plugins
from nhiscan.connectors.git.secrets.detectors import DETECTORS
from nhiscan.connectors.git.secrets.engine import Scanner
from nhiscan.rules.secrets_meta import BY_DETECTOR, severity_of
from nhiscan.scanner.model import Severity
from tests.connectors.git.secrets.eval_business import FACTORIES


def _found(text: str) -> list[tuple[str, str]]:
    return [(m.detector, m.secret) for m in Scanner().scan(text.encode(), "app.env").matches]


def _token(name: str) -> str:
    return FACTORIES[name][0](random.Random(name + "/business"))


def test_every_severity_override_names_a_detector() -> None:
    known = {d.name for d in DETECTORS} | {p.secret_type for p in plugins.configure()}
    assert set(BY_DETECTOR) - known == set()


def test_test_mode_credentials_are_medium_and_live_ones_high() -> None:
    pairs = (
        ("Stripe Test Secret Key", "Stripe Live Secret Key"),
        ("Plaid Sandbox Access Token", "Plaid Access Token"),
        ("Braintree Sandbox Access Token", "Braintree Access Token"),
        ("Mollie Test API Key", "Mollie API Key"),
        ("Shippo Test API Token", "Shippo Live API Token"),
        ("Duffel Test Access Token", "Duffel Live Access Token"),
        ("Flutterwave Test Secret Key", "Flutterwave Secret Key"),
    )
    for test, live in pairs:
        assert severity_of(test) is Severity.MEDIUM, test
        assert severity_of(live) is Severity.HIGH, live
        if test in FACTORIES:
            token, var = _token(test), FACTORIES[test][1]
            assert _found(f"{var}={token}\n") == [(test, token)]


def test_a_discord_webhook_is_one_secret_under_either_host() -> None:
    url = _token("Discord Webhook URL")
    legacy = url.replace("discord.com/api/", "discordapp.com/api/v10/")
    (first,), (second,) = _found(f"HOOK={url}\n"), _found(f"HOOK={legacy}\n")
    assert first == second and first[0] == "Discord Webhook URL"
    assert first[1] == url.split("/webhooks/")[1]


def test_a_teams_webhook_secret_is_its_path_with_or_without_the_signature() -> None:
    url = _token("Microsoft Teams Webhook URL")
    unsigned = url.rsplit("/", 1)[0]
    assert _found(f"HOOK={url}\n") == [("Microsoft Teams Webhook URL", url.split(".com/")[1])]
    assert _found(f"HOOK={unsigned}\n") == [
        ("Microsoft Teams Webhook URL", unsigned.split(".com/")[1])
    ]


def test_a_teams_webhook_with_placeholder_ids_is_not_reported() -> None:
    url = _token("Microsoft Teams Webhook URL")
    group = url.split("webhookb2/")[1].split("@")[0]
    assert _found(f"HOOK={url.replace(group, '00000000-0000-0000-0000-000000000000')}\n") == []


def test_a_paystack_test_key_is_found_as_a_stripe_style_test_key() -> None:
    """Paystack's keys share Stripe's prefixes with a hex body: the test one is a test-mode
    key of this row (medium); a lowercase phrase after the prefix is not."""
    rng = random.Random("paystack")
    key = "sk_test_" + "".join(rng.choice("0123456789abcdef") for _ in range(40))
    assert _found(f"PAYSTACK_SECRET_KEY={key}\n") == [("Stripe Test Secret Key", key)]
    assert _found("KEY=sk_test_thisisnotarealkeyjustaplaceholder\n") == []
