"""Token formats of business services: payments and commerce (Stripe test mode, Plaid,
Braintree, Mollie, Flutterwave), shipping and travel APIs (Shippo, Duffel), support and email
(Zendesk, Resend) and chat webhooks (Discord, Microsoft Teams, and the Logic Apps trigger URLs
behind Teams' workflows). Each row is one format the vendor documents (the comment gives the
page); the table's conventions hold (``detectors/__init__.py``): one line, a ``secret`` group
or the whole match, every match holds a lowercase keyword, patterns linear on a long line.
The samples these vendors print in their documentation are refused with the table's others
(``checks_vendor.DOCUMENTED_EXAMPLES``).

Test-mode and sandbox credentials are rows of their own, named so: they reach no money and
no production data, but they are still credentials (rules/secrets_meta.py rates them medium).

A webhook URL is its own credential: whoever holds it posts into the channel. The secret is
the part that grants access, not the host: the ids and token of the path (Discord, Teams), the
signature (Logic Apps); so two copies of one webhook under different host names are one secret.

Vendors whose own pages give no format, or call their tokens opaque (Asana, Postmark, Trello),
have no row: a guessed format would be a guessed alarm."""

from __future__ import annotations

import re
from collections.abc import Callable

from nhiscan.connectors.git.secrets.detectors.checks import _random_looking, _random_mixed
from nhiscan.connectors.git.secrets.detectors.model import RANK, Detector
from nhiscan.connectors.git.secrets.detectors.vendors import (
    _HEX,
    _UUID,
    _WORD,
    _named,
    _prefixed,
    _uuid_random,
)
from nhiscan.scanner.model import Provider


def _body_mixed(prefix_length: int) -> Callable[[str], bool]:
    """Random-looking with both cases and a digit after the prefix."""

    def check(token: str) -> bool:
        return _random_mixed(token[prefix_length:])

    return check


_HEX_BODY = re.compile(r"[0-9a-f]{32,64}")


def _stripe_style(token: str) -> bool:
    """The body after ``sk_test_``/``rk_test_``: random base62 of both cases and digits
    (Stripe's keys), or random lowercase hex (the keys of processors that reuse Stripe's
    prefixes, Paystack's). A readable phrase of lowercase letters (``sk_test_notarealkey``)
    is neither."""
    body = token[8:]
    if _HEX_BODY.fullmatch(body):
        return _random_looking(body) and not body.isdigit() and not body.isalpha()
    return _random_mixed(body)


def _after_last(separator: str) -> Callable[[str], bool]:
    def check(token: str) -> bool:
        return _random_looking(token.rsplit(separator, 1)[-1])

    return check


def _uuid_tail(token: str) -> bool:
    return _uuid_random(token[-36:])


def _discord_webhook(secret: str) -> bool:
    """``<webhook id>/<token>``: the id is a snowflake (17 to 20 digits), the token random."""
    webhook_id, _, token = secret.partition("/")
    return 17 <= len(webhook_id) <= 20 and _random_mixed(token)


def _teams_webhook(secret: str) -> bool:
    """``webhookb2/<group>@<tenant>/IncomingWebhook/<32 hex>/<owner>[/<signature>]``: the
    ids are real UUIDs and the 32-hex connector id random (placeholders write x or 0)."""
    parts = secret.split("/")
    ids = [*parts[1].split("@"), parts[4]]
    return all(_uuid_random(i) for i in ids) and _random_looking(parts[3])


BUSINESS_DETECTORS: tuple[Detector, ...] = (
    # -- payments ----------------------------------------------------------------------------
    # Stripe test-mode secret (sk_test_) and restricted (rk_test_) keys: the live row
    # (vendors.py) leaves them out because they move no money; they still read and write the
    # account's test data. https://docs.stripe.com/keys https://docs.stripe.com/api/authentication
    # (Paystack's sk_test_ keys, hex, are found here too, as its sk_live_ ones by the live row.)
    _prefixed(
        "Stripe Test Secret Key",
        ("sk_test_", "rk_test_"),
        "[A-Za-z0-9]{24,247}",
        validate=_stripe_style,
    ),
    # Plaid tokens are "<type>-<environment>-<uuid>"; an access token (type "access") is the
    # long-lived credential for one Item (public and link tokens expire in minutes).
    # https://plaid.com/docs/quickstart/glossary/#access-token
    _prefixed(
        "Plaid Access Token",
        ("access-production-", "access-development-"),
        _UUID,
        validate=_uuid_tail,
    ),
    _prefixed("Plaid Sandbox Access Token", ("access-sandbox-",), _UUID, validate=_uuid_tail),
    # Braintree OAuth access tokens: "access_token$<environment>$<merchant id>$<secret>", the
    # form the SDKs split on "$" to read the environment and the merchant id.
    # https://developer.paypal.com/braintree/docs/guides/extend/oauth/access-tokens
    # https://github.com/braintree/braintree_python/blob/master/braintree/credentials_parser.py
    _prefixed(
        "Braintree Access Token",
        ("access_token$production$",),
        "[a-z0-9]{8,32}\\$[A-Za-z0-9]{24,64}",
        validate=_after_last("$"),
    ),
    _prefixed(
        "Braintree Sandbox Access Token",
        ("access_token$sandbox$",),
        "[a-z0-9]{8,32}\\$[A-Za-z0-9]{24,64}",
        validate=_after_last("$"),
    ),
    # Mollie API keys: "live_" or "test_" and 30 base62 characters (the reference's own
    # sample is "test_" + 30). The prefixes are words code uses, so the key is found after a
    # name holding "mollie". https://docs.mollie.com/reference/authentication
    _named("Mollie API Key", ("mollie",), "live_[A-Za-z0-9]{30}", validate=_body_mixed(5)),
    _named("Mollie Test API Key", ("mollie",), "test_[A-Za-z0-9]{30}", validate=_body_mixed(5)),
    # Flutterwave secret keys: "FLWSECK-" (live) or "FLWSECK_TEST-" (test), 32 hex, "-X", the
    # shape of the public keys' (FLWPUBK_TEST-<32 hex>-X) with the secret prefix, as the
    # vendor's own SDK README shows it. https://developer.flutterwave.com/docs/authentication
    # https://github.com/Flutterwave/Node-v3/blob/master/README.md
    _prefixed("Flutterwave Secret Key", ("FLWSECK-",), f"{_HEX}{{32}}-X"),
    _prefixed("Flutterwave Test Secret Key", ("FLWSECK_TEST-",), f"{_HEX}{{32}}-X"),
    # -- shipping and travel -----------------------------------------------------------------
    # Shippo live (shippo_live_) and test (shippo_test_) API tokens.
    # https://docs.goshippo.com/guides/authentication
    _prefixed("Shippo Live API Token", ("shippo_live_",), "[A-Za-z0-9]{30,64}"),
    _prefixed("Shippo Test API Token", ("shippo_test_",), "[A-Za-z0-9]{30,64}"),
    # Duffel access tokens: test tokens "start with duffel_test_", live ones duffel_live_.
    # https://duffel.com/docs/api/overview/test-mode
    _prefixed("Duffel Live Access Token", ("duffel_live_",), f"[{_WORD}]{{30,64}}"),
    _prefixed("Duffel Test Access Token", ("duffel_test_",), f"[{_WORD}]{{30,64}}"),
    # -- support and email -------------------------------------------------------------------
    # Zendesk API tokens are used with an agent's address: "{email_address}/token:{api_token}",
    # the Basic credentials of the API (the documentation's samples are 36 and 40 base62).
    # https://developer.zendesk.com/api-reference/introduction/security-and-auth/
    Detector(
        name="Zendesk API Token",
        provider=None,
        pattern=re.compile(
            r"@[A-Za-z0-9.-]{3,253}/token:(?P<secret>[A-Za-z0-9]{30,64})(?![A-Za-z0-9])"
        ),
        keywords=("/token:",),
        rank=RANK,
        validate=_random_mixed,
    ),
    # Resend API keys: "re_" then the key, sent as "Authorization: Bearer re_…". "re_" alone
    # is too short a prefix to trust (regular-expression helpers are named re_*), so the key
    # is found after a name holding "resend". https://resend.com/docs/api-reference/
    _named(
        "Resend API Key",
        ("resend",),
        f"re_[{_WORD}]{{20,64}}",
        validate=lambda key: _random_mixed(key[3:].replace("_", "")),
    ),
    # -- chat webhooks -------------------------------------------------------------------------
    # Discord webhooks: POST /webhooks/{webhook.id}/{webhook.token} executes one; the URL with
    # both is what the channel settings hand out.
    # https://discord.com/developers/docs/resources/webhook#execute-webhook
    Detector(
        name="Discord Webhook URL",
        provider=None,
        pattern=re.compile(
            r"(?i:(?:ptb\.|canary\.)?discord(?:app)?\.com)/api/(?:v[0-9]{1,2}/)?webhooks/"
            rf"(?P<secret>[0-9]{{17,20}}/[{_WORD}]{{60,80}})(?![{_WORD}])"
        ),
        keywords=("discord.com/api/", "discordapp.com/api/"),
        rank=RANK,
        validate=_discord_webhook,
    ),
    # Teams' Workflows (the successor of its Office 365 connectors) and any Logic App with a
    # request trigger: the callback URL carries its own shared access signature (sp, sv, sig:
    # an HMAC-SHA256, 43 base64url characters); the signature is the secret.
    # https://learn.microsoft.com/en-us/rest/api/logic/workflow-triggers/list-callback-url
    # https://learn.microsoft.com/en-us/powershell/module/az.logicapp/get-azlogicapptriggercallbackurl
    Detector(
        name="Azure Logic Apps Trigger URL",
        provider=Provider.AZURE,
        pattern=re.compile(
            r"(?i:prod-[0-9]{1,3}\.[a-z0-9]{2,30}\.logic\.azure\.com)(?::443)?/workflows/"
            r"[0-9a-f]{32}/(?:versions/[0-9]{1,30}/)?triggers/[A-Za-z0-9_.-]{1,80}/"
            r"(?:paths/invoke|run)\?(?:[^\s\"'`<>#]{0,400}?&(?:amp;)?)?sig="
            r"(?P<secret>[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])"
        ),
        keywords=("logic.azure.com",),
        rank=RANK,
        validate=_random_mixed,
    ),
    # Microsoft Teams incoming webhooks (Office 365 connectors):
    # https://<tenant>.webhook.office.com/webhookb2/<group id>@<tenant id>/IncomingWebhook/
    # <connector id>/<owner id>, since 2021 with a trailing signature segment.
    # https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
    Detector(
        name="Microsoft Teams Webhook URL",
        provider=None,
        pattern=re.compile(
            r"(?i:[a-z0-9-]{1,63}\.webhook\.office\.com)/"
            rf"(?P<secret>webhookb2/{_UUID}@{_UUID}/IncomingWebhook/{_HEX}{{32}}/{_UUID}"
            r"(?:/V2[A-Za-z0-9_-]{20,80})?)(?![A-Za-z0-9_-])"
        ),
        keywords=("webhook.office.com",),
        rank=RANK,
        validate=_teams_webhook,
    ),
)
