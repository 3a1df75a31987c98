"""The entropy plugins' faster, remembered entropy (plugins.shannon_entropy and the per-string
cache) gives detect-secrets' own value bit for bit: a string just above or below a limit must
land on the same side."""

from __future__ import annotations

import random
import string

from nhiscan.connectors.git.secrets import plugins


def _strings(rng: random.Random, charset: str) -> list[str]:
    out = []
    for _ in range(4000):
        alphabet = charset[: rng.randrange(1, len(charset) + 1)]
        out.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 90))))
    return out


def test_shannon_entropy_is_detect_secrets_own_bit_for_bit() -> None:
    ds = plugins.configure()
    original = plugins.ORIGINALS["calculate_shannon_entropy"]
    rng = random.Random(17)
    for plugin in ds:
        charset = getattr(plugin, "charset", None)
        if charset is None:
            continue
        for text in [*_strings(rng, charset), *_strings(rng, string.digits), "a", "aa"]:
            assert plugins.shannon_entropy(charset, text) == original(plugin, text), text


def test_the_plugins_answer_as_detect_secrets_does_once_cached() -> None:
    """Through the configured instances (cached, HexHighEntropyString's all-digits adjustment
    included), twice: the second answer comes from the cache."""
    from detect_secrets.plugins.high_entropy_strings import (
        Base64HighEntropyString,
        HexHighEntropyString,
    )

    ds = {type(p).__name__: p for p in plugins.configure()}
    original = plugins.ORIGINALS["calculate_shannon_entropy"]
    rng = random.Random(5)
    hex_plugin = ds["HexHighEntropyString"]
    b64_plugin = ds["Base64HighEntropyString"]
    for text in [*_strings(rng, string.hexdigits), "1234567890123456", "9" * 20]:
        expected = original(hex_plugin, text)
        try:
            int(text)
            if len(text) > 1:
                import math

                expected -= 1.2 / math.log(len(text), 2)
        except ValueError:
            pass
        for _ in range(2):
            assert hex_plugin.calculate_shannon_entropy(text) == expected
    for text in _strings(rng, b64_plugin.charset):
        for _ in range(2):
            assert b64_plugin.calculate_shannon_entropy(text) == original(b64_plugin, text)
    assert isinstance(hex_plugin, HexHighEntropyString)
    assert isinstance(b64_plugin, Base64HighEntropyString)


def test_a_charset_listing_a_character_twice_counts_it_twice() -> None:
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString

    plugins.configure()
    original = plugins.ORIGINALS["calculate_shannon_entropy"]
    plugin = Base64HighEntropyString()
    plugin.charset = "abca"
    for text in ("abc", "aaab", "cab", "zz"):
        assert plugins.shannon_entropy("abca", text) == original(plugin, text)


def _line(rng: random.Random, charset: str) -> str:
    parts = []
    for _ in range(rng.randrange(0, 4)):
        alphabet = "".join(rng.sample(charset, rng.randrange(8, len(charset) + 1)))
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60)))
        quote = rng.choice(["'", '"', "", "'\""])
        parts.append(f"{quote}{value}{quote[::-1]}")
    return rng.choice([" = ", ", ", " ", ": "]).join(parts)


def test_a_line_without_a_string_above_the_limit_is_answered_as_detect_secrets_does() -> None:
    """The configured entropy plugins look for a quoted string above their limit before
    building any finding: on lines with strings either side of the limit they report exactly
    what detect-secrets' own instances report; eager search goes to the plugin unchanged."""
    from detect_secrets.plugins.high_entropy_strings import (
        Base64HighEntropyString,
        HexHighEntropyString,
    )

    ds = {type(p).__name__: p for p in plugins.configure()}
    own = {
        "Base64HighEntropyString": Base64HighEntropyString(limit=plugins.BASE64_LIMIT),
        "HexHighEntropyString": HexHighEntropyString(limit=plugins.HEX_LIMIT),
    }
    rng = random.Random(11)
    for name, reference in own.items():
        found = 0
        for _ in range(3000):
            line = _line(rng, reference.charset)
            expected = reference.analyze_line(filename="x.py", line=line, line_number=1)
            got = ds[name].analyze_line(filename="x.py", line=line, line_number=1)
            assert {s.secret_value for s in got} == {s.secret_value for s in expected}, line
            found += bool(expected)
        assert 100 < found < 2900  # both sides of the limit
        line = "token = " + reference.charset[:40]
        eager = {"filename": "x.py", "line": line, "enable_eager_search": True}
        assert ds[name].analyze_line(**eager) == reference.analyze_line(**eager) != set()
