"""Evaluation-corpus entries for the business-service rows (detectors/business.py): a seeded
random true value of each documented format with the variable name people give it, the
family each row is counted in, the values with no literal prefix of their own (their near
misses are built from the whole value), and hand-written false examples: placeholders in
the documented shapes, the vendors' own documentation samples, and near misses.

Nothing here is a real credential: every body is drawn from the generator passed in."""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable

_B62 = string.ascii_letters + string.digits
_WORD = _B62 + "_-"
_HEX = "0123456789abcdef"
_LOWER36 = string.ascii_lowercase + string.digits


def _s(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(bytes=rng.randbytes(16), version=4))


def _teams(rng: random.Random) -> str:
    tenant = _s(rng, string.ascii_lowercase, 8)
    return (
        f"https://{tenant}.webhook.office.com/webhookb2/{_uuid(rng)}@{_uuid(rng)}"
        f"/IncomingWebhook/{_s(rng, _HEX, 32)}/{_uuid(rng)}/V2{_s(rng, _WORD, 44)}"
    )


def _discord(rng: random.Random) -> str:
    return f"https://discord.com/api/webhooks/{rng.randrange(10**17, 10**19)}/{_s(rng, _WORD, 68)}"


def _logic_app(rng: random.Random) -> str:
    region = rng.choice(("westus", "northeurope", "eastus2"))
    return (
        f"https://prod-{rng.randrange(100):02d}.{region}.logic.azure.com:443/workflows/"
        f"{_s(rng, _HEX, 32)}/triggers/manual/paths/invoke?api-version=2016-06-01"
        f"&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={_s(rng, _WORD, 43)}"
    )


Factory = Callable[[random.Random], str]
# detector -> (a random true value, the variable name it is assigned to)
FACTORIES: dict[str, tuple[Factory, str]] = {
    "Stripe Test Secret Key": (
        lambda r: r.choice(("sk_test_", "rk_test_")) + "51" + _s(r, _B62, 97),
        "STRIPE_SECRET_KEY",
    ),
    "Plaid Access Token": (
        lambda r: r.choice(("access-production-", "access-development-")) + _uuid(r),
        "PLAID_ACCESS_TOKEN",
    ),
    "Plaid Sandbox Access Token": (lambda r: "access-sandbox-" + _uuid(r), "PLAID_ACCESS_TOKEN"),
    "Braintree Access Token": (
        lambda r: f"access_token$production${_s(r, _LOWER36, 16)}${_s(r, _HEX, 32)}",
        "BRAINTREE_ACCESS_TOKEN",
    ),
    "Braintree Sandbox Access Token": (
        lambda r: f"access_token$sandbox${_s(r, _LOWER36, 16)}${_s(r, _HEX, 32)}",
        "BRAINTREE_ACCESS_TOKEN",
    ),
    "Mollie API Key": (lambda r: "live_" + _s(r, _B62, 30), "MOLLIE_API_KEY"),
    "Mollie Test API Key": (lambda r: "test_" + _s(r, _B62, 30), "MOLLIE_API_KEY"),
    "Flutterwave Secret Key": (
        lambda r: "FLWSECK-" + _s(r, _HEX, 32) + "-X",
        "FLW_SECRET_KEY",
    ),
    "Flutterwave Test Secret Key": (
        lambda r: "FLWSECK_TEST-" + _s(r, _HEX, 32) + "-X",
        "FLW_SECRET_KEY",
    ),
    "Shippo Live API Token": (lambda r: "shippo_live_" + _s(r, _HEX, 40), "SHIPPO_API_TOKEN"),
    "Shippo Test API Token": (lambda r: "shippo_test_" + _s(r, _HEX, 40), "SHIPPO_API_TOKEN"),
    "Duffel Live Access Token": (
        lambda r: "duffel_live_" + _s(r, _WORD, 43),
        "DUFFEL_ACCESS_TOKEN",
    ),
    "Duffel Test Access Token": (
        lambda r: "duffel_test_" + _s(r, _WORD, 43),
        "DUFFEL_ACCESS_TOKEN",
    ),
    "Resend API Key": (
        lambda r: "re_" + _s(r, _B62, 8) + "_" + _s(r, _B62, 24),
        "RESEND_API_KEY",
    ),
    "Zendesk API Token": (
        lambda r: f"{_s(r, string.ascii_lowercase, 6)}@acme.io/token:{_s(r, _B62, 40)}",
        "ZENDESK_CREDENTIALS",
    ),
    "Azure Logic Apps Trigger URL": (_logic_app, "TEAMS_WORKFLOW_URL"),
    "Discord Webhook URL": (_discord, "DISCORD_WEBHOOK_URL"),
    "Microsoft Teams Webhook URL": (_teams, "TEAMS_WEBHOOK_URL"),
}

FAMILY: dict[str, str] = {
    **dict.fromkeys(
        (
            "Stripe Test Secret Key",
            "Plaid Access Token",
            "Plaid Sandbox Access Token",
            "Braintree Access Token",
            "Braintree Sandbox Access Token",
            "Mollie API Key",
            "Mollie Test API Key",
            "Flutterwave Secret Key",
            "Flutterwave Test Secret Key",
        ),
        "payment",
    ),
    **dict.fromkeys(
        (
            "Shippo Live API Token",
            "Shippo Test API Token",
            "Duffel Live Access Token",
            "Duffel Test Access Token",
            "Resend API Key",
            "Zendesk API Token",
        ),
        "databases and SaaS",
    ),
    **dict.fromkeys(
        ("Discord Webhook URL", "Microsoft Teams Webhook URL", "Azure Logic Apps Trigger URL"),
        "chat",
    ),
}

# Values whose literal part is not a short prefix (URLs, tokens built around a UUID): their
# generic near misses replace the value after its first four characters.
NO_PREFIX = frozenset(
    (
        "Plaid Access Token",
        "Plaid Sandbox Access Token",
        "Braintree Access Token",
        "Braintree Sandbox Access Token",
        "Discord Webhook URL",
        "Microsoft Teams Webhook URL",
        "Azure Logic Apps Trigger URL",
        "Zendesk API Token",
    )
)

_ZERO_UUID = "00000000-0000-0000-0000-000000000000"
_X_UUID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
HARD_FALSE: dict[str, tuple[str, ...]] = {
    "Stripe Test Secret Key": (
        "STRIPE_SECRET_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "stripe.api_key = 'sk_test_BQokikJOvBiI2HlWgH4olfQ2'",
        "STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx",
        "STRIPE_SECRET_KEY=sk_test_123",
        "STRIPE_SECRET_KEY=sk_test_thisisnotarealkeyjustaplaceholder",
        "PAYSTACK_SECRET_KEY=sk_test_" + "0123456789" * 4,
    ),
    "Plaid Access Token": (
        f"PLAID_ACCESS_TOKEN=access-production-{_X_UUID}",
        "PLAID_ACCESS_TOKEN=access-production-<ACCESS_TOKEN>",
        "public_token = 'public-production-0a3f4d6e-7b21-4c09-9e55-6f0b7c2d1a48'",
    ),
    "Plaid Sandbox Access Token": (
        f"PLAID_ACCESS_TOKEN=access-sandbox-{_ZERO_UUID}",
        '{"access_token": "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6"}',
        "link_token: link-sandbox-0a3f4d6e-7b21-4c09-9e55-6f0b7c2d1a48",
    ),
    "Braintree Access Token": (
        "BRAINTREE_ACCESS_TOKEN=access_token$production$merchant_id$access_token",
        "BRAINTREE_ACCESS_TOKEN=access_token$production$abcdefgh$" + "x" * 32,
    ),
    "Braintree Sandbox Access Token": (
        "accessToken: 'access_token$sandbox$<merchant_id>$<secret>'",
        "ACCESS_TOKEN=access_token$sandbox$wgz9fhk3rxtm2qpd$" + "0" * 32,
    ),
    "Mollie API Key": (
        "MOLLIE_API_KEY=live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "live_connectionStatusWidget2 = render(live_panel)",
    ),
    "Mollie Test API Key": (
        "MOLLIE_API_KEY=test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM",
        "def test_parsesWebhookPayloadWithMollie3Keys(): pass",
    ),
    "Flutterwave Secret Key": (
        "new Flutterwave(PUBLIC_KEY, 'FLWSECK-611d0eda25a3fdf506137831019c9197-X')",
        "FLW_SECRET_KEY=FLWSECK-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-X",
    ),
    "Flutterwave Test Secret Key": (
        "FLW_SECRET_KEY=FLWSECK_TEST-SANDBOXDEMOKEY-X",
        "FLW_PUBLIC_KEY=FLWPUBK_TEST-32193bba8dab84e3d9c4525c85ea7a12-X",
    ),
    "Shippo Live API Token": (
        "SHIPPO_API_TOKEN=shippo_live_<your-token>",
        "SHIPPO_API_TOKEN=shippo_live_" + "0" * 40,
    ),
    "Duffel Test Access Token": (
        "DUFFEL_ACCESS_TOKEN=duffel_test_YOUR_ACCESS_TOKEN_GOES_HERE_OK1",
        "DUFFEL_ACCESS_TOKEN=duffel_test_",
    ),
    "Resend API Key": (
        "RESEND_API_KEY=re_123456789",
        "RESEND_API_KEY=re_xxxxxxxxx",
        "resend_after = re_compile_pattern_for_retries_now(x)",
    ),
    "Zendesk API Token": (
        "curl https://example.zendesk.com/api/v2/users.json"
        " -u jdoe@example.com/token:6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv",
        "ZENDESK_CREDENTIALS={email_address}/token:{api_token}",
        "auth = f'{agent}@acme.io/token:{ZENDESK_TOKEN}'",
        "ZENDESK_CREDENTIALS=ops@acme.io/token:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    ),
    "Azure Logic Apps Trigger URL": (
        "url: https://prod-03.westus.logic.azure.com:443/workflows/"
        "c4ed9335bc864140a11f4508d19acea3/triggers/manual/run?api-version=2016-06-01"
        "&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=<value>",
        "https://prod-03.westus.logic.azure.com/workflows/d4690301f3b340de9330256bb2e83974"
        "/triggers/requestTrigger/paths/invoke?api-version=2016-06-01&sv=1.0"
        "&sig=JXbHjs3qzLPDyk-IM_VzsN-WL_mNql3v_uWbBbKgtVk",
    ),
    "Discord Webhook URL": (
        "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/{webhook.id}/{webhook.token}",
        "url = 'https://discord.com/api/webhooks/123456789012345678/your-webhook-token-here'",
        "https://discord.com/api/webhooks/1337/example-token",
    ),
    "Microsoft Teams Webhook URL": (
        "TEAMS_WEBHOOK_URL=https://yourorg.webhook.office.com/webhookb2/"
        f"{_X_UUID}@{_X_UUID}/IncomingWebhook/{'x' * 32}/{_X_UUID}",
        "TEAMS_WEBHOOK_URL=https://your-org.webhook.office.com/webhookb2/...",
    ),
}
