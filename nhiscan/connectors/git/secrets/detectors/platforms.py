"""Token formats of developer platforms: other clouds (Yandex Cloud, Scaleway, Hetzner, Akamai),
networking (Tailscale), hosting (Fly.io), forges and CI (Sourcegraph, Gitea, Codecov), registries
(crates.io, JFrog), observability (Honeycomb), maps (Mapbox) and SaaS dev tools (LaunchDarkly,
ClickUp). Each row is one format the vendor documents (the comment gives the page, or the
vendor's own source where the format is defined in code); the conventions of the main table
hold (``detectors/__init__.py``).

Prefixes of two or three characters (``cio``, ``t1.``) are made safe by an exact body: length and
alphabet, a decodable payload (Mapbox's JWT-shaped tokens, Fly.io's msgpack macaroons) or a fixed
middle (Tailscale's ``CNTRL``). Prefixes the vendors share with unrelated tokens (LaunchDarkly's
``sdk-``, ClickUp's ``pk_``) and values with no prefix (Scaleway's UUID secret keys, Hetzner's
and Gitea's tokens) are found only after a name that says what they are (``_named``).

Left out, for want of a documented shape: Google OAuth access and refresh tokens (Google
documents no prefix), Yandex Cloud static access keys (``YC`` + 38: a two-letter prefix on a
common alphabet), and the tokens of Octopus Deploy, Harness, Prefect, Neon, Render, Deno Deploy,
Infracost, ReadMe, Typeform, Contentful, Airtable, HubSpot, Frame.io, Adafruit IO, Clojars,
Linode, Fastly, Algolia and Travis CI, and LaunchDarkly's API access tokens (their documentation
names the token, at most its prefix, but not its length or alphabet)."""

from __future__ import annotations

import re
import string
from collections.abc import Callable

from nhiscan.connectors.git.secrets.detectors.checks import (
    _b64url_json,
    _random_looking,
    _random_mixed,
)
from nhiscan.connectors.git.secrets.detectors.model import RANK, Detector
from nhiscan.connectors.git.secrets.detectors.vendors import (
    _UUID,
    _cased_random,
    _named,
    _prefixed,
    _uuid_random,
)

# Samples printed in the vendors' own documentation: random-looking, so only the list knows.
_SAMPLES = frozenset(
    (
        # https://techdocs.akamai.com/developer/docs/set-up-authentication-credentials
        "akab-acc35t0k3nodujqunph3w7hzp7-gtm6ij",
        "akab-c113ntt0k3n4qtari252bfxxbsl-yvsdj",
        # https://docs.ansible.com/ansible/latest/collections/hetzner/hcloud/docsite/guides.html
        "LRK9DAWQ1ZAEFSrCNEEzLCUwhYX1U3g7wMg4dTlkkDC96fyDuyJ39nVbVjCKSDfj",
    )
)
_EDGE_DOTTED = "A-Za-z0-9_.+/=-"


def _akamai(token: str) -> bool:
    body = token[5:].replace("-", "")
    return (
        token not in _SAMPLES
        and _random_looking(body)
        and any(c.isdigit() for c in body)
        and any(c.isalpha() for c in body)
    )


def _lower_alnum(value: str) -> bool:
    """Random-looking with a letter and a digit (a 58-character random lowercase body lacks
    either one far less often than once in a million)."""
    return (
        _random_looking(value)
        and any(c in string.ascii_lowercase for c in value)
        and any(c.isdigit() for c in value)
    )


def _mapbox(token: str) -> bool:
    """``sk.`` then a JWT-shaped body: the payload is base64url of a JSON object, then a
    signature. https://docs.mapbox.com/api/accounts/tokens/#token-format"""
    payload, _, signature = token[3:].partition(".")
    return isinstance(_b64url_json(payload), dict) and _random_looking(signature)


def _tail(separator: str, check: Callable[[str], bool] = _random_looking) -> Callable[[str], bool]:
    """The part after the last ``separator`` passes ``check`` (the random part of a token)."""

    def validate(token: str) -> bool:
        return check(token.rsplit(separator, 1)[-1].rstrip("="))

    return validate


_HONEYCOMB_PREFIXES = tuple(f"hc{c}ik_" for c in string.ascii_lowercase)

PLATFORM_DETECTORS: tuple[Detector, ...] = (
    # -- other clouds ----------------------------------------------------------------------------
    # Yandex Cloud publishes the expressions of its secrets for self-scanning:
    # https://yandex.cloud/en/docs/security/operations/search-secrets#regex
    # API keys: "AQVN" + 35-38 base64url.
    _prefixed(
        "Yandex Cloud API Key",
        ("AQVN",),
        "[A-Za-z0-9_-]{35,38}",
        validate=lambda t: _cased_random(t[4:]),
    ),
    # IAM tokens ("t1.") and refresh tokens ("rt1."): a base64url segment, ".", 86 base64url
    # (the signature), with "=" padding after either.
    _prefixed(
        "Yandex Cloud IAM Token",
        ("t1.", "rt1."),
        "[A-Za-z0-9_-]{8,1000}={0,2}\\.[A-Za-z0-9_-]{86}={0,2}",
        validate=_tail(".", _random_mixed),
        edge=_EDGE_DOTTED,
    ),
    # Yandex OAuth tokens: "y0_" to "y6_" + 55-199 base64url.
    _prefixed(
        "Yandex OAuth Token",
        tuple(f"y{n}_" for n in range(7)),
        "[A-Za-z0-9_-]{55,199}",
        validate=lambda t: _random_mixed(t[3:]),
    ),
    # SmartCaptcha server keys: "ysc2_" + 40 base62 + 8 hex.
    _prefixed(
        "Yandex SmartCaptcha Server Key",
        ("ysc2_",),
        "[A-Za-z0-9]{40}[0-9a-f]{8}",
        validate=lambda t: _random_mixed(t[5:45]),
    ),
    # OIDC application secrets: "yccs__" + 64 hex + "_" + 8 hex.
    _prefixed("Yandex Cloud OIDC App Secret", ("yccs__",), "[0-9a-f]{64}_[0-9a-f]{8}"),
    # Scaleway API keys: the access key ("SCW" + 17) names the key and is not secret; the secret
    # key is a UUID, found after the names the SDKs and CLI read (SCW_SECRET_KEY).
    # https://www.scaleway.com/en/developers/api/iam/api-keys
    # https://www.scaleway.com/en/docs/generate-api-keys/
    _named(
        "Scaleway Secret Key",
        ("scw_secret_key", "scaleway_secret_key"),
        _UUID,
        validate=_uuid_random,
    ),
    # Hetzner Cloud API tokens: 64 base62, read from HCLOUD_TOKEN by the hcloud CLI and Hetzner's
    # Ansible collection (whose guide prints the sample refused here).
    # https://docs.hetzner.com/cloud/api/getting-started/generating-api-token/
    # https://docs.ansible.com/ansible/latest/collections/hetzner/hcloud/docsite/guides.html
    _named(
        "Hetzner Cloud API Token",
        ("hcloud_token", "hcloud_api_token", "hetzner_cloud_token", "hetzner_api_token"),
        "[A-Za-z0-9]{64}",
        validate=lambda v: v not in _SAMPLES and _random_mixed(v),
    ),
    # Akamai EdgeGrid (.edgerc): client_token and access_token are "akab-" + two lowercase
    # base36 groups; the host ("akab-….luna.akamaiapis.net") is not a token.
    # https://techdocs.akamai.com/developer/docs/set-up-authentication-credentials
    _prefixed(
        "Akamai EdgeGrid Token",
        ("akab-",),
        "[a-z0-9]{16,32}-[a-z0-9]{5,16}",
        validate=_akamai,
        edge=_EDGE_DOTTED,
    ),
    # -- networking and hosting ------------------------------------------------------------------
    # Tailscale keys: "tskey-" + type (api, auth, client, scim, webhook) + "-" + a key id
    # ending in "CNTRL" + "-" + the secret. https://tailscale.com/kb/1277/key-prefixes
    _prefixed(
        "Tailscale Key",
        ("tskey-api-", "tskey-auth-", "tskey-client-", "tskey-scim-", "tskey-webhook-"),
        "[A-Za-z0-9]{1,32}CNTRL-[A-Za-z0-9]{16,64}",
        validate=_tail("-"),
    ),
    # Fly.io tokens are macaroons: "fm2_" + base64 of msgpack whose first bytes are fixed
    # (array of 4, then the nonce: array of 3 with a bin field, "lJPE"), sent as "FlyV1 fm2_…".
    # https://fly.io/docs/flyctl/tokens-create/ https://github.com/superfly/macaroon
    _prefixed(
        "Fly.io Access Token",
        ("fm2_",),
        "lJPE[A-Za-z0-9+/]{76,4000}={0,2}",
        validate=lambda t: _random_looking(t.rstrip("=")[-60:]),
        edge="A-Za-z0-9_+/=-",
    ),
    # -- code search, registries, observability, maps ------------------------------------------
    # Sourcegraph access tokens: "sgp_" + (16 hex instance id or "local") + "_" + 40 hex (v3),
    # or "sgp_" + 40 hex (v2).
    # https://github.com/sourcegraph/sourcegraph-public-snapshot/blob/main/doc/dev/security/secret_formats.md
    # https://sourcegraph.com/docs/cli/how-tos/revoking_an_access_token
    _prefixed(
        "Sourcegraph Access Token",
        ("sgp_",),
        "(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}",
        validate=lambda t: _random_looking(t[-40:]),
    ),
    # Gitea access tokens: 40 hex ("by creation access tokens are 40 byte hexadecimal strings"),
    # found after GITEA_TOKEN and the like. https://github.com/go-gitea/gitea/pull/16164
    _named(
        "Gitea Access Token",
        ("gitea_token", "gitea_access_token", "gitea_api_token"),
        "[0-9a-f]{40}",
    ),
    # Codecov repository upload tokens are UUIDs, read from CODECOV_TOKEN.
    # https://www.npmjs.com/package/codecov (Codecov's uploader: "Upload repo tokens")
    _named("Codecov Upload Token", ("codecov_token",), _UUID, validate=_uuid_random),
    # JFrog reference tokens (the short form of an access token): "cmVmd" + 59 base62.
    # https://jfrog.com/help/r/jfrog-platform-administration-documentation/understanding-identity-tokens
    _prefixed(
        "JFrog Reference Token",
        ("cmVmd",),
        "[A-Za-z0-9]{59}",
        validate=lambda t: _random_mixed(t[5:]),
    ),
    # crates.io API tokens: "cio" + 32 base62, as crates.io generates them (TOKEN_PREFIX,
    # TOKEN_LENGTH): https://github.com/rust-lang/crates.io/blob/main/crates/crates_io_database/src/utils/token.rs
    _prefixed(
        "crates.io API Token",
        ("cio",),
        "[A-Za-z0-9]{32}",
        validate=lambda t: _random_mixed(t[3:]),
    ),
    # Honeycomb ingest keys: the key id ("hc" + a letter + "ik_" + 26) and the secret (32),
    # concatenated. https://docs.honeycomb.io/api/authentication
    Detector(
        name="Honeycomb Ingest Key",
        provider=None,
        pattern=re.compile(r"(?<![A-Za-z0-9_+/-])hc[a-z]ik_[a-z0-9]{58}(?![A-Za-z0-9_+/=-])"),
        keywords=_HONEYCOMB_PREFIXES,
        rank=RANK,
        validate=lambda t: _lower_alnum(t[6:]),
    ),
    # Mapbox secret tokens: "sk." + JWT-shaped body (base64url JSON payload, signature).
    # https://docs.mapbox.com/api/accounts/tokens/#token-format
    # https://docs.mapbox.com/help/dive-deeper/access-tokens/
    _prefixed(
        "Mapbox Secret Token",
        ("sk.eyJ",),
        "[A-Za-z0-9_-]{10,1000}\\.[A-Za-z0-9_-]{16,200}",
        validate=_mapbox,
        edge=_EDGE_DOTTED,
    ),
    # -- SaaS dev tools --------------------------------------------------------------------------
    # LaunchDarkly server-side SDK keys start with "sdk-" (a prefix shared with many names):
    # found after a LaunchDarkly name. https://launchdarkly.com/docs/home/account/environment/keys
    _named(
        "LaunchDarkly SDK Key",
        ("launchdarkly_sdk_key", "ld_sdk_key", "launchdarkly_key"),
        "sdk-[A-Za-z0-9-]{30,60}",
        validate=lambda v: _random_looking(v[4:].replace("-", "")),
    ),
    # ClickUp personal API tokens start with "pk_" (as do publishable keys of other vendors):
    # found after a ClickUp name. https://developer.clickup.com/docs/authentication
    _named(
        "ClickUp API Token",
        ("clickup_api_token", "clickup_token", "clickup_api_key"),
        "pk_[A-Za-z0-9_]{24,80}",
        validate=lambda v: _random_looking(v[3:].replace("_", "")),
    ),
)
