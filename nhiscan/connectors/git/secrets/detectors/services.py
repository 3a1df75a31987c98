"""Token formats of developer services: product analytics and feature flags (PostHog, Statsig),
observability (Axiom), AI APIs (NVIDIA, Tavily), billing and commerce (Paddle, WooCommerce), a
package registry (Clojars), social (X) and key files (WireGuard, and PuTTY's in ``putty.py``).
Each row is one format the vendor documents, in its pages or in the code that issues or parses
the token (the comment gives the source); the conventions of the main table hold
(``detectors/__init__.py``).

Two kinds of rows. Where the vendor gives the whole shape (a prefix, the body's alphabet and
length, or an example that fixes them), the row matches exactly that and is rated high. Where
the vendor documents a distinctive prefix but not the body (``nvapi-``, ``xaat-``), the row finds
the prefix and a random-looking body of at least 20 characters of the alphabet the vendor's
examples show, ending at a character no token holds; such a finding is a credential of lesser
certainty, rated medium by ``rules/secrets_meta.py`` ("the vendor documents the prefix, not the
length"). A prefix that is short or a common word (``live_``, ``pat.``) gets no row of that kind.

Left out, for want of the token's prefix in the vendor's own pages, SDK or CLI source (what was
found named the token, masked it, or came from other scanners' rules, which are not a source):
Brevo, Render (``rnd_`` is also Renderly's), Prefect, Neon, dbt Cloud, Typeform, Contentful,
Airtable, HubSpot, Infracost, ReadMe, Frame.io, MailerSend, Cerebras, Firecrawl, Deno Deploy,
Octopus Deploy, Harness, Flagsmith, EasyPost, GoCardless, Dropbox and Meta; Adafruit
IO documents a 32-hex key with no prefix. Infisical documents its service tokens' shape
(``st.<id>.<…>.<hex key>``) but ``st.`` is in most lines of code (``list.``, ``request.``) and
the tokens are deprecated: no row."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from nhiscan.connectors.git.secrets.detectors.checks import _random_looking, _random_mixed
from nhiscan.connectors.git.secrets.detectors.model import RANK, Detector
from nhiscan.connectors.git.secrets.detectors.putty import PUTTY_DETECTORS
from nhiscan.connectors.git.secrets.detectors.vendors import _cased_random, _named, _prefixed


def _after(prefix_length: int, check: Callable[[str], bool]) -> Callable[[str], bool]:
    """``check`` on the body after the prefix, with separators inside the body removed."""

    def validate(token: str) -> bool:
        return check(token[prefix_length:].replace("-", "").replace("_", ""))

    return validate


def _hex_random(body: str) -> bool:
    """Random lowercase hex: a letter and a digit (a 40-hex random string lacks either one far
    less often than once in a billion)."""
    return _random_looking(body) and not body.isdigit() and not body.isalpha()


def _tail(token: str) -> bool:
    """The part after the last ``-``: a key's random part after its type (``tvly-dev-…``)."""
    return _cased_random(token.rsplit("-", 1)[-1])


def _paddle(token: str) -> bool:
    """``pdl_<env>_apikey_`` + a ULID (the key's id, 26 lowercase base32) + ``_`` + the secret:
    the id random-looking, the secret of both cases. The documentation's example is refused with
    the table's other samples (``checks_vendor.DOCUMENTED_EXAMPLES``)."""
    key_id, _, secret = token[16:].partition("_")
    return _random_looking(key_id) and _cased_random(secret)


def _curve25519_key(value: str) -> bool:
    """Base64 of exactly 32 bytes (a Curve25519 private key), random-looking."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == 32 and _random_looking(value) and len(set(raw)) >= 16


SERVICE_DETECTORS: tuple[Detector, ...] = (
    # -- product analytics and observability ---------------------------------------------------
    # PostHog personal API keys ("phx_") and project secret API keys ("phs_", feature-flag local
    # evaluation): the prefix and base62 (base57 in the current source) of 32 or 35 random
    # bytes, 42 to 48 characters. Project API keys ("phc_") are public by design: no row.
    # https://github.com/PostHog/posthog/blob/master/posthog/models/utils.py
    # (generate_random_token_personal, generate_random_token_secret)
    # https://posthog.com/docs/api/personal-api-keys
    _prefixed(
        "PostHog Personal API Key",
        ("phx_", "phs_"),
        "[A-Za-z0-9]{42,48}",
        validate=_after(4, _random_mixed),
    ),
    # Axiom API tokens ("xaat-") and personal access tokens ("xapt-"): the prefixes are what
    # Axiom's own Go SDK checks (IsAPIToken, IsPersonalToken); the body is not documented.
    # https://github.com/axiomhq/axiom-go/blob/main/internal/config/token.go
    # https://axiom.co/docs/reference/tokens
    _prefixed(
        "Axiom Token",
        ("xaat-", "xapt-"),
        "[A-Za-z0-9-]{20,80}",
        validate=_after(5, lambda b: _random_looking(b) and any(c.isdigit() for c in b)),
    ),
    # -- AI APIs -------------------------------------------------------------------------------
    # NVIDIA API keys (build.nvidia.com, NIM and NGC personal keys): "Keys typically start with
    # nvapi-"; the body is not documented (base64url in the keys seen).
    # https://docs.nvidia.com/nemo/retriever/latest/extraction/api-keys/index.html
    _prefixed(
        "NVIDIA API Key",
        ("nvapi-",),
        "[A-Za-z0-9_-]{20,100}",
        validate=_after(6, _cased_random),
    ),
    # Tavily API keys start with "tvly-" (the quick start's sample is "tvly-YOUR_API_KEY");
    # development and production keys carry their type before the random part.
    # https://docs.tavily.com/guides/quickstart
    _prefixed(
        "Tavily API Key",
        ("tvly-",),
        "(?:(?:dev|prod)-)?[A-Za-z0-9]{20,64}",
        validate=_tail,
    ),
    # -- billing and commerce ------------------------------------------------------------------
    # Paddle Billing API keys (since May 2025): "pdl_", the environment ("live_", or "sdbx_" for
    # the sandbox, where no money moves), "apikey_", the key's id (a ULID: 26 lowercase base32),
    # "_", the secret (26 characters; 69 in all, as the documentation's example).
    # https://developer.paddle.com/api-reference/about/api-keys
    # https://developer.paddle.com/changelog/2025/api-key-improvements
    _prefixed(
        "Paddle API Key",
        ("pdl_live_apikey_",),
        "[0-9a-z]{26}_[A-Za-z0-9_]{26}",
        validate=_paddle,
    ),
    _prefixed(
        "Paddle Sandbox API Key",
        ("pdl_sdbx_apikey_",),
        "[0-9a-z]{26}_[A-Za-z0-9_]{26}",
        validate=_paddle,
    ),
    # WooCommerce REST API keys: the consumer key "ck_" and the consumer secret "cs_", each the
    # prefix and wc_rand_hash() (40 lowercase hex), as WooCommerce's key screen and its
    # authorisation endpoint create them; WooCommerce stores the key hashed, so both are secret.
    # https://github.com/woocommerce/woocommerce/blob/trunk/plugins/woocommerce/includes/class-wc-auth.php
    # https://github.com/woocommerce/woocommerce/blob/trunk/plugins/woocommerce/includes/wc-core-functions.php
    # https://developer.woocommerce.com/docs/apis/rest-api/authentication/
    _prefixed(
        "WooCommerce REST API Key",
        ("ck_", "cs_"),
        "[0-9a-f]{40}",
        validate=_after(3, _hex_random),
    ),
    # -- package registries --------------------------------------------------------------------
    # Clojars deploy tokens: "CLOJARS_" and the lowercase hex of 30 secure-random bytes, the shape
    # the registry's own check accepts (generate-deploy-token, is-deploy-token?).
    # https://github.com/clojars/clojars-web/blob/main/src/clojars/db.clj
    _prefixed(
        "Clojars Deploy Token",
        ("CLOJARS_",),
        "[0-9a-f]{60}",
        validate=_after(8, _hex_random),
    ),
    # Statsig server secret keys: the console API returns them as "secret-…" (its reference's
    # sample is "secret-123"); client keys ("client-…") are public. The prefix is a common word,
    # so the key is found after a name holding "statsig".
    # https://docs.statsig.com/api-reference/keys/create-key https://docs.statsig.com/access-management/api-keys
    _named(
        "Statsig Server Secret Key",
        ("statsig",),
        "secret-[A-Za-z0-9]{20,64}",
        validate=_after(7, _cased_random),
    ),
    # -- social --------------------------------------------------------------------------------
    # X (Twitter) app-only bearer tokens, as the developer portal and POST oauth2/token issue
    # them: URL-encoded, a run of 21 "A", the app's part, "%3D", then 50 base62 (the shape of
    # the revoked token the documentation prints, refused as a sample).
    # https://docs.x.com/fundamentals/authentication/oauth-2-0/bearer-tokens
    Detector(
        name="X Bearer Token",
        provider=None,
        pattern=re.compile(
            r"(?<![A-Za-z0-9+/%])A{21}[A-Za-z0-9%]{10,120}%3D[A-Za-z0-9]{50}(?![A-Za-z0-9%])"
        ),
        keywords=("a" * 21,),
        rank=RANK,
        validate=lambda token: _random_mixed(token[-50:]),
    ),
    # -- VPN -----------------------------------------------------------------------------------
    # WireGuard: an interface's PrivateKey, "a base64 private key generated by wg genkey" (32
    # bytes: 43 base64 characters and "="), in a wg(8) / wg-quick(8) configuration file.
    # https://git.zx2c4.com/wireguard-tools/about/src/man/wg.8
    _named(
        "WireGuard Private Key",
        ("privatekey",),
        "[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=",
        validate=_curve25519_key,
    ),
    # PuTTY private key files (putty.py): unencrypted, and encrypted with a passphrase.
    *PUTTY_DETECTORS,
)
