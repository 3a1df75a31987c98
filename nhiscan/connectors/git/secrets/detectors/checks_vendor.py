"""Pure checks of vendor token formats that carry structure: a checksum (bech32), an encoded
payload whose first bytes are fixed (PyPI macaroons, Bedrock keys, JSON bodies), an encoded
numeric id (Discord). What fails is a value with the right prefix and an impossible body."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence

from nhiscan.connectors.git.secrets.detectors.checks import _password, _random_looking


def _b64any(text: str) -> bytes | None:
    """``text`` decoded as base64 (standard or URL alphabet, padding optional)."""
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


# Sample tokens that vendors print in their own documentation (each looks random, so only
# the list knows it): copied into countless READMEs and tests, no credential.
DOCUMENTED_EXAMPLES = frozenset(
    (
        # https://api.slack.com/authentication/token-types (bot token sample)
        "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
        # https://docs.github.com/en/rest/authentication (personal access token sample)
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        # https://discord.com/developers/docs/reference#authentication (bot token sample)
        "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
        # https://docs.stripe.com/keys (the test key of Stripe's API reference, current and
        # older), https://docs.mollie.com/reference/authentication, the
        # /item/public_token/exchange response of https://plaid.com/docs/api/items/
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
        "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM",
        "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6",
        # https://github.com/Flutterwave/Node-v3 (README: the secret key of its examples)
        "FLWSECK-611d0eda25a3fdf506137831019c9197-X",
        # https://developer.zendesk.com/api-reference/introduction/security-and-auth/ and
        # https://developer.zendesk.com/documentation/api-basics/authentication/using-the-api-with-2-factor-authentication-enabled
        "6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv",
        "6wiIBWbGkBMo1mRDMuVwsNkeUj95PIz2akv",
        # https://learn.microsoft.com/en-us/rest/api/logic/workflow-triggers/list-callback-url
        # and https://learn.microsoft.com/en-us/rest/api/logic/workflows/list-callback-url
        "IxEQ_ygZf6WNEQCbjV0Vs6p6Y4DyNEJVAa86U5B4xhk",
        "JXbHjs3qzLPDyk-IM_VzsN-WL_mNql3v_uWbBbKgtVk",
        # https://documentation.mailgun.com (legacy API key sample)
        "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",
        # The standards' own samples, in every OAuth and HTTP client's docs and tests: the
        # client credentials of RFC 6749 section 2.3.1 (s6BhdRkqt3:gX1fBat3bV) and its sample
        # access and refresh tokens (section 5.1), RFC 7617's Aladdin:open sesame, and the
        # token jwt.io's debugger opens with (https://jwt.io/introduction).
        "czZCaGRSa3F0MzpnWDFmQmF0M2JW",
        "2YotnFZFEjr1zCsicMWpAA",
        "tGzv3JOkF0XG5Qx2TlKWIA",
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
        "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        # https://developer.paddle.com/api-reference/about/authentication and
        # https://developer.paddle.com/changelog/2025/api-key-improvements
        "pdl_live_apikey_01gtgztp8f4kek3yd4g1wrksa3_q6TGTJyvoIz7LDtXT65bX7_AQO",
        "pdl_sdbx_apikey_01gtgztp8f4kek3yd4g1wrksa3_q6TGTJyvoIz7LDtXT65bX7_AQO",
        # https://docs.x.com/fundamentals/authentication/oauth-2-0/bearer-tokens (revoked)
        "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3D"
        "EUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F",
    )
)


def not_documented(validate: Callable[[str], bool] | None) -> Callable[[str], bool]:
    """``validate``, refusing the vendors' documentation samples first."""

    def check(secret: str) -> bool:
        return secret not in DOCUMENTED_EXAMPLES and (validate is None or validate(secret))

    return check


def body_random(prefixes: Sequence[str]) -> Callable[[str], bool]:
    """The token after its prefix looks random (no placeholder, no run, varied)."""
    ordered = sorted(prefixes, key=len, reverse=True)

    def check(token: str) -> bool:
        lowered = token.lower()
        for prefix in ordered:
            if lowered.startswith(prefix):
                return _random_looking(token[len(prefix) :])
        return _random_looking(token)

    return check


# -- PyPI macaroons --------------------------------------------------------------------------

_PYPI_LOCATIONS = (b"pypi.org", b"test.pypi.org")


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while at < len(data) and shift < 35:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return value, at
        shift += 7
    return -1, at


def pypi_macaroon(token: str) -> bool:
    """A PyPI API token is ``pypi-`` and a version-2 macaroon, base64url: the location field
    (type 1) names pypi.org or test.pypi.org, the identifier field (type 2) follows, and the
    token ends with the 32-byte signature field (type 6, length 32).
    https://warehouse.pypa.io/development/token-scanning.html https://pypi.org/help/#apitoken"""
    data = _b64any(token[5:])
    if data is None or len(data) < 64 or data[:2] != b"\x02\x01":
        return False
    size, at = _varint(data, 2)
    if data[at : at + size] not in _PYPI_LOCATIONS:
        return False
    at += size
    if at >= len(data) or data[at] != 2:
        return False
    ident, at = _varint(data, at + 1)
    return ident >= 16 and data[-34:-32] == b"\x06\x20" and _random_looking(token[-43:])


# -- age (bech32) ----------------------------------------------------------------------------

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _bech32_polymod(values: Sequence[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_BECH32_GEN):
            check ^= gen if (top >> i) & 1 else 0
    return check


def bech32_valid(text: str) -> bool:
    """BIP 173 checksum of a bech32 string (human-readable part, "1", data with 6-character
    checksum), case-insensitive."""
    text = text.lower()
    hrp, _, data = text.rpartition("1")
    if not hrp or len(data) < 6 or any(c not in _BECH32 for c in data):
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + [_BECH32.index(c) for c in data]) == 1


def age_key(token: str) -> bool:
    """``AGE-SECRET-KEY-1…``: a bech32 string (HRP ``age-secret-key-``) with a valid checksum.
    https://age-encryption.org/v1 (the X25519 identity encoding)"""
    return bech32_valid(token) and _random_looking(token[16:])


# -- tokens with an encoded payload ----------------------------------------------------------


def json_payload(skip: int, *, keys: Sequence[str] = ()) -> Callable[[str], bool]:
    """The token after ``skip`` characters (up to a ``_`` that ends the payload) is base64 of a
    JSON object holding ``keys`` (Grafana Cloud, 1Password service accounts, Sentry)."""

    def check(token: str) -> bool:
        for payload in (token[skip:].split("_", 1)[0], token[skip:]):
            data = _b64any(payload.rstrip("="))
            try:
                value = json.loads(data) if data is not None else None
            except ValueError:
                continue
            if isinstance(value, dict) and all(k in value for k in keys):
                return True
        return False

    return check


def bedrock_key(token: str) -> bool:
    """A long-term Amazon Bedrock API key: ``ABSK`` then base64 of ``BedrockAPIKey-<id>:<secret>``.
    https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-how.html"""
    data = _b64any(token[4:])
    if data is None or not data.startswith(b"BedrockAPIKey-"):
        return False
    _, _, secret = data.partition(b":")
    return len(secret) >= 20 and _random_looking(secret.decode("latin-1"))


def discord_bot(token: str) -> bool:
    """A Discord bot token's first segment is base64 of the bot's numeric id (a snowflake,
    17 to 20 digits). https://discord.com/developers/docs/reference#authentication"""
    first, _, rest = token.partition(".")
    data = _b64any(first)
    return (
        data is not None
        and data.isdigit()
        and 17 <= len(data) <= 20
        and _random_looking(rest.rsplit(".", 1)[-1])
    )


def basic_or_bearer(value: str) -> bool:
    """An Authorization header's credential: Basic is base64 of ``user:password`` (judged as a
    password); anything else must look random (a bearer token)."""
    data = _b64any(value) if len(value) % 4 == 0 or value.endswith("=") else None
    if data is not None and data.count(b":") >= 1 and data.isascii():
        password = data.decode("ascii").split(":", 1)[1]
        return _password(password)
    return len(value) >= 16 and _random_looking(value) and _password(value)


def registry_auth(value: str) -> bool:
    """A container registry's ``auth``: standard base64 of ``user:password`` (printable text,
    a user before the first colon, then a real password, not a placeholder or template)."""
    if len(value) % 4:
        return False
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    user, colon, password = text.partition(":")
    if not colon or not text.isprintable():
        return False
    return bool(user) and _password(password)
