"""The narrow pre-filter patterns of detect-secrets' assignment plugins (Cloudant, IBM Cloud
IAM, SoftLayer) and of its basic-auth plugin mark every line the plugin matches, also where
re.IGNORECASE folds a non-ASCII letter (U+0130, U+0131 to i, U+017F to s, U+212A to k) and
where the value holds non-ASCII characters; and they leave plain keyword lines unmarked (the
point: such lines no longer reach these plugins)."""

from __future__ import annotations

import re

import pytest

from nhiscan.connectors.git.secrets import native, plugins
from nhiscan.connectors.git.secrets.regex_bytes import translate

HEX64 = "0f1e2d3c4b5a6978" * 4
LOWER24 = "qwertyuiopasdfghjklzxcvb"
ID44 = "Zq8v_Lr2-mXw9TkB4sYh7Gf4DsA9Lk2Mn8qPo3Ui5Yt1"

MATCHED = {
    "CloudantDetector": [
        f"clou_apikey = '{LOWER24}'",
        f"CLOUDANT-PASSWORD: {HEX64}",
        f"cl_pw={LOWER24}",
        f"clap\u0131token={LOWER24}",
        f"cloudantto\u212aen = {LOWER24}",
        f"url = 'https://acct:{LOWER24}@acct.cloudant.com'",
        f'["clpa\u017f\u017f"] => {HEX64}',
    ],
    "SoftlayerDetector": [
        f"sl_api_key = {HEX64.lower()}",
        f"SOFTLAYER-API-PASSWORD: '{HEX64}'",
        f"\u017foftlayer_token={HEX64}",
        f"slap\u0130-to\u212aen = {HEX64}",
        f"https://api.softlayer.com/soap/v3/{HEX64}",
    ],
    "IbmCloudIamDetector": [
        f"ibm_cloud_iam_api_key = '{ID44}'",
        f'PASSWORD   =>   "{ID44}"',
        f"token: {ID44}",
        f'["apikey"] = {ID44}',
        f"pa\u017f\u017f = {chr(0x212A) * 44}",
        f"key :: {chr(0x131) * 44}",
    ],
    "BasicAuthDetector": [
        "https://svc:h7Gf4DsA9Lk2@db.internal",
        "http://\u00fcser:p\u00e4ss\u00c5@host",
        "git://a:b@c",
    ],
}
UNMARKED = {
    "CloudantDetector": ["api_key = settings.key", "token = next_token()"],
    "SoftlayerDetector": ["password = input()", "self.key = key"],
    "IbmCloudIamDetector": ["password = 'short'", f"token_name = {ID44[:20]}"],
    "BasicAuthDetector": ["see https://example.com/docs", "http://host:8080/path"],
}


def _plugin(name: str) -> object:
    return next(p for p in plugins.configure() if type(p).__name__ == name)


def _marked(name: str, line: str) -> bool:
    view = line.encode("utf-8").decode("latin-1")
    prefilter = plugins.PREFILTERS[name]
    return any(lit in view.lower() for lit in prefilter.literals) or any(
        re.search(p, view) for p in prefilter.patterns
    )


def _native_marked(name: str, line: str) -> bool:
    table = native.Table(
        literals=(), patterns=tuple((p, ("ds", 0)) for p in plugins.PREFILTERS[name].patterns)
    )
    return bool(native.marker(table, cache_dir=None).marks(line.encode("utf-8")))


@pytest.mark.parametrize(
    ("name", "line"), [(n, line) for n, lines in MATCHED.items() for line in lines]
)
def test_every_match_is_marked(name: str, line: str) -> None:
    assert _plugin(name).analyze_line(filename="x.txt", line=line, line_number=1)  # type: ignore[attr-defined]
    assert _marked(name, line)
    assert _native_marked(name, line)


@pytest.mark.parametrize(
    ("name", "line"), [(n, line) for n, lines in UNMARKED.items() for line in lines]
)
def test_keyword_lines_without_the_shape_stay_unmarked(name: str, line: str) -> None:
    assert not _plugin(name).analyze_line(filename="x.txt", line=line, line_number=1)  # type: ignore[attr-defined]
    assert not _marked(name, line)
    assert not _native_marked(name, line)


def test_the_patterns_translate_for_the_native_pass() -> None:
    for name in MATCHED:
        for pattern in plugins.PREFILTERS[name].patterns:
            assert translate(pattern)
