"""nhiscan's faster filters give exactly detect-secrets' answers."""

from __future__ import annotations

import random

from detect_secrets.filters.heuristic import is_indirect_reference as original

from nhiscan.connectors.git.secrets import plugins
from nhiscan.connectors.git.secrets.filters import is_indirect_reference

PIECES = ["secret", " ", "=", "==", "!=", "!==", ":", ":=", "!", "(", ")", "[", "]", "'",
          '"', "get_key", "a.b-c", "\v", "\t", "x" * 40, "os.environ", "$", "{", "}", ",",
          "1", "\u00e9", "===", "headers", ".", "-"]  # fmt: skip
KNOWN = [
    "secret = get_secret_key()",
    "secret = request.headers['apikey']",
    'password = "hunter2"',
    "token: os.environ['TOKEN']",
    "api_key != fetch(x)",
    "a =\v b(c)",
    "x" * 999 + "=f()",
    "x" * 1001 + "=f()",
    "key := lookup[k]",
    "!abc(d)",
]


def test_it_agrees_with_detect_secrets_on_known_and_random_lines() -> None:
    rng = random.Random(11)
    lines = KNOWN + [
        "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 25))) for _ in range(20000)
    ]
    for line in lines:
        assert is_indirect_reference(line) == original(line), repr(line)


def test_it_replaces_the_original_in_detect_secrets_settings() -> None:
    plugins.configure()
    from detect_secrets.settings import get_settings

    filters = get_settings().filters
    assert "nhiscan.connectors.git.secrets.filters.is_indirect_reference" in filters
    assert "detect_secrets.filters.heuristic.is_indirect_reference" not in filters
