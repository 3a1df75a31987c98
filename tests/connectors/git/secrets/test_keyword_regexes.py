"""detect-secrets' KeywordDetector regexes, rewritten by ``plugins.configure()`` (a lookahead on
the keywords' first letters, a possessive suffix), match exactly as the originals do."""

from __future__ import annotations

import random
import re

from nhiscan.connectors.git.secrets import plugins

_PIECES = (
    "password", "PASSWORD", "db_pass", "api_key", "apiKey", "secret", "private_key", "contraseña",
    "\u017fecret", "\u212aey_pass", "pwd", "_x", "abc", "assign", ".assign", "(", ")", '"', "'",
    "`", "=", "==", "!=", "!==", ":=", ":", "=>", ";", " ", "\t", "[", "]", "[12]", "@", ",",
    "hunter2", "s3cr3t_v4lue", "$VAR", "{{x}}", "0",
)  # fmt: skip


def _lines(count: int) -> list[str]:
    rng = random.Random(12)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 14))) for _ in range(count)]


def _original(regex: re.Pattern[str]) -> re.Pattern[str]:
    from detect_secrets.plugins import keyword

    pattern = regex.pattern.removeprefix(plugins._KEYWORD_FIRST)
    pattern = pattern.replace(keyword.DENYLIST_REGEX + "+", keyword.DENYLIST_REGEX, 1)
    return re.compile(pattern, regex.flags)


def test_the_rewritten_keyword_regexes_match_as_the_originals() -> None:
    plugins.configure()
    from detect_secrets.plugins import keyword

    tables = [keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP, *keyword.REGEX_BY_FILETYPE.values()]
    regexes = {regex.pattern: regex for table in tables for regex in table}
    rewritten = [r for r in regexes.values() if r.pattern.startswith(plugins._KEYWORD_FIRST)]
    assert len(rewritten) >= 8  # every keyword-first regex of the plugin
    lines = _lines(20_000)
    hits = 0
    for regex in rewritten:
        original = _original(regex)
        for line in lines:
            new, old = regex.search(line), original.search(line)
            assert (new and (new.span(), new.groups())) == (old and (old.span(), old.groups()))
            hits += new is not None
    assert hits > 1_000  # the lines do exercise the regexes


_ASSIGNED = (
    "ibm_cloud_iam_key", "cloudant_password", "cl_key", "softlayer_api_key", "sl_pwd",
    "ibm_cos_hmac_secret_access_key", "[", "]", '"', "'", " ", "   ", "=", ":", ":=", "=>", "::",
    "a1b2c3d4e5f6" * 4, "0123456789abcdef" * 4, "abcdefghijklmnopqrstuvwx", "AbC-_9" * 8, "x",
)  # fmt: skip


def test_the_rewritten_assignment_regexes_match_as_the_originals() -> None:
    rewritten = [
        regex
        for plugin in plugins.configure()
        for regex in getattr(plugin, "denylist", ())
        if plugins._ASSIGNMENT_LINEAR in regex.pattern
    ]
    assert len(rewritten) >= 5  # Cloudant (2), IBM Cloud IAM, IBM COS HMAC, SoftLayer
    rng = random.Random(5)
    lines = [
        "".join(rng.choice(_ASSIGNED) for _ in range(rng.randint(1, 8))) for _ in range(20_000)
    ]
    hits = 0
    for regex in rewritten:
        pattern = regex.pattern.replace(plugins._ASSIGNMENT_LINEAR, plugins._ASSIGNMENT)
        original = re.compile(pattern, regex.flags)
        for line in lines:
            found = regex.findall(line)
            assert found == original.findall(line)
            hits += bool(found)
    assert hits > 100  # the lines do exercise the regexes
