"""Factories, families and hand-written false examples for the developer-service rows
(nhiscan/connectors/git/secrets/detectors/services.py), merged into the evaluation corpus
(eval_corpus.py). Each factory draws a value of the documented format from the seeded generator
it is given; nothing here is a real credential.

Self-contained (no import of eval_corpus, which imports this module)."""

from __future__ import annotations

import base64
import random
import string
import uuid
from collections.abc import Callable

_B62 = string.ascii_letters + string.digits
_B57 = "".join(c for c in _B62 if c not in "01OIl")
_WORD = _B62 + "_-"
_HEX = "0123456789abcdef"
_ULID = "0123456789abcdefghjkmnpqrstvwxyz"


def _s(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(bytes=rng.randbytes(16), version=4))


def _paddle(environment: str) -> Callable[[random.Random], str]:
    def make(rng: random.Random) -> str:
        secret = _s(rng, _B62, 12) + "_" + _s(rng, _B62, 13)
        return f"pdl_{environment}_apikey_01{_s(rng, _ULID, 24)}_{secret}"

    return make


def _wireguard(rng: random.Random) -> str:
    key = bytearray(rng.randbytes(32))
    key[0] &= 248  # clamped as wg genkey writes it
    key[31] = (key[31] & 127) | 64
    return base64.b64encode(bytes(key)).decode()


def _ppk(encrypted: bool) -> Callable[[random.Random], str]:
    """A .ppk file (version 3, Ed25519) written on one line with escaped newlines."""

    def make(rng: random.Random) -> str:
        public = base64.b64encode(b"\0\0\0\x0bssh-ed25519\0\0\0\x20" + rng.randbytes(32))
        private = base64.b64encode(rng.randbytes(48 if encrypted else 36)).decode()
        lines = [
            "PuTTY-User-Key-File-3: ssh-ed25519",
            "Encryption: " + ("aes256-cbc" if encrypted else "none"),
            "Comment: eddsa-key-20260412",
            "Public-Lines: 2",
            public[:64].decode(),
            public[64:].decode(),
        ]
        if encrypted:
            lines += ["Key-Derivation: Argon2id", "Argon2-Memory: 8192", "Argon2-Passes: 13"]
            lines += ["Argon2-Parallelism: 1", "Argon2-Salt: " + _s(rng, _HEX, 32)]
        lines += ["Private-Lines: 1", private, "Private-MAC: " + _s(rng, _HEX, 64)]
        return "\\n".join(lines)

    return make


def _x_bearer(rng: random.Random) -> str:
    app = _s(rng, _B62, 4) + "AAAAAAA0" + "%2B".join(_s(rng, _B62, 10) for _ in range(3))
    return "A" * 21 + app + "%3D" + _s(rng, _B62, 50)


Factory = Callable[[random.Random], str]
FACTORIES: dict[str, tuple[Factory, str]] = {
    "PostHog Personal API Key": (
        lambda r: r.choice(("phx_", "phs_")) + _s(r, r.choice((_B62, _B57)), r.choice((43, 48))),
        "POSTHOG_PERSONAL_API_KEY",
    ),
    "Axiom Token": (lambda r: r.choice(("xaat-", "xapt-")) + _uuid(r), "AXIOM_TOKEN"),
    "NVIDIA API Key": (lambda r: "nvapi-" + _s(r, _WORD, 64), "NVIDIA_API_KEY"),
    "Tavily API Key": (
        lambda r: "tvly-" + r.choice(("", "dev-", "prod-")) + _s(r, _B62, 32),
        "TAVILY_API_KEY",
    ),
    "Paddle API Key": (_paddle("live"), "PADDLE_API_KEY"),
    "Paddle Sandbox API Key": (_paddle("sdbx"), "PADDLE_API_KEY"),
    "WooCommerce REST API Key": (
        lambda r: r.choice(("ck_", "cs_")) + _s(r, _HEX, 40),
        "WOOCOMMERCE_CONSUMER_SECRET",
    ),
    "Clojars Deploy Token": (lambda r: "CLOJARS_" + _s(r, _HEX, 60), "CLOJARS_PASSWORD"),
    "Statsig Server Secret Key": (
        lambda r: "secret-" + _s(r, _B62, 43),
        "STATSIG_SERVER_SECRET_KEY",
    ),
    "X Bearer Token": (_x_bearer, "TWITTER_BEARER_TOKEN"),
    "WireGuard Private Key": (_wireguard, "PrivateKey"),
    "PuTTY Private Key": (_ppk(encrypted=False), "PUTTY_PRIVATE_KEY"),
    "PuTTY Encrypted Private Key": (_ppk(encrypted=True), "PUTTY_PRIVATE_KEY"),
}

FAMILY: dict[str, str] = {
    **dict.fromkeys(
        ("PostHog Personal API Key", "Axiom Token", "Statsig Server Secret Key"), "observability"
    ),
    "X Bearer Token": "chat",
    "Clojars Deploy Token": "package registries",
    **dict.fromkeys(("NVIDIA API Key", "Tavily API Key"), "AI APIs"),
    **dict.fromkeys(
        ("Paddle API Key", "Paddle Sandbox API Key", "WooCommerce REST API Key"), "payment"
    ),
    **dict.fromkeys(
        ("WireGuard Private Key", "PuTTY Private Key", "PuTTY Encrypted Private Key"),
        "secret managers and keys",
    ),
}

# Values whose literal part is not a short prefix: their generic near misses replace the value
# after its first four characters.
NO_PREFIX = frozenset(
    ("WireGuard Private Key", "X Bearer Token", "PuTTY Private Key", "PuTTY Encrypted Private Key")
)

_PADDLE_DOCS = "01gtgztp8f4kek3yd4g1wrksa3_q6TGTJyvoIz7LDtXT65bX7_AQO"
# The shapes written instead of a credential, the vendors' documentation samples, and what
# shares a prefix without being one.
HARD_FALSE: dict[str, tuple[str, ...]] = {
    "PostHog Personal API Key": (
        "POSTHOG_API_KEY=phc_" + "Zq7" * 14,  # a project key: public by design
        "POSTHOG_PERSONAL_API_KEY=phx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "key = 'phx_123456abcd'",
    ),
    "Axiom Token": (
        "AXIOM_TOKEN=xaat-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        "AXIOM_TOKEN=xapt-your-personal-token-here",
    ),
    "NVIDIA API Key": (
        'export NVIDIA_API_KEY="nvapi-..."',
        "NVIDIA_API_KEY=nvapi-YOUR-KEY-GOES-HERE-PLEASE",
        "#include <nvapi-types.h>",
    ),
    "Tavily API Key": (
        'TavilyClient(api_key="tvly-YOUR_API_KEY")',
        "TAVILY_API_KEY=tvly-dev-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ),
    "Paddle API Key": (
        f"Authorization: Bearer pdl_live_apikey_{_PADDLE_DOCS}",
        "PADDLE_API_KEY=pdl_live_apikey_<your-api-key>",
    ),
    "Paddle Sandbox API Key": (
        f'-H "Authorization: Bearer pdl_sdbx_apikey_{_PADDLE_DOCS}"',
        "PADDLE_API_KEY=pdl_sdbx_apikey_0000000000000000000000000000000000000000000000000000",
    ),
    "WooCommerce REST API Key": (
        "WC_CONSUMER_KEY=ck_1234567890abcdef",
        "WC_AUTH=ck_xxxxxxxx:cs_xxxxxxxx",
        "cs_" + "0123456789" * 4,
    ),
    "Clojars Deploy Token": (
        "CLOJARS_PASSWORD=CLOJARS_" + "0" * 60,
        '(re-find #"^CLOJARS_[0-9a-f]{60}$" v)',
        "export CLOJARS_USERNAME=ci CLOJARS_PASSWORD=$CLOJARS_DEPLOY_TOKEN",
    ),
    "Statsig Server Secret Key": (
        "STATSIG_SERVER_SECRET_KEY=secret-123",
        "statsig_secret = os.environ['STATSIG_SERVER_SECRET']",
        "STATSIG_SERVER_SECRET_KEY=secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ),
    "X Bearer Token": (
        "TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3D"
        "EUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F",
        "blob = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='",
        "TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAA<your-bearer-token>",
    ),
    "PuTTY Private Key": (
        "PuTTY-User-Key-File-3: ssh-ed25519 is the first line of a .ppk file",
        "PPK = 'PuTTY-User-Key-File-3: ssh-ed25519\\nEncryption: none\\nComment: k\\n"
        "Public-Lines: 1\\nAAAAC3NzaC1lZDI1NTE5\\nPrivate-Lines: 1\\n" + "A" * 48 + "\\n"
        "Private-MAC: " + "0" * 64 + "'",
    ),
    "PuTTY Encrypted Private Key": (
        "if line.startswith('PuTTY-User-Key-File-2: '): version = 2",
        "HEADER = 'PuTTY-User-Key-File-3: ssh-rsa\\nEncryption: aes256-cbc\\n...'",
    ),
    "WireGuard Private Key": (
        "PrivateKey = <contents of privatekey>",
        "PrivateKey = " + "A" * 43 + "=",
        "PostUp = wg set %i private-key /etc/wireguard/privatekey",
    ),
}
