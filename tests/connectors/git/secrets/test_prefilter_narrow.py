"""The narrow pre-filter patterns of detect-secrets' assignment plugins (Cloudant, IBM Cloud
IAM, SoftLayer), of its basic-auth plugin, of KeywordDetector (every shape of its regexes, in
the file types that use them) and of AWSKeyDetector mark every line the plugin matches, also
where re.IGNORECASE folds a non-ASCII letter (U+0130, U+0131 to i, U+017F to s, U+212A to k)
and where Unicode classes (\\s, \\w) match non-ASCII characters; and they leave plain keyword
lines unmarked (the point: such lines no longer reach these plugins)."""

from __future__ import annotations

import random
import re

import pytest

from nhiscan.connectors.git.secrets import native, plugins
from nhiscan.connectors.git.secrets.regex_bytes import translate

HEX64 = "0f1e2d3c4b5a6978" * 4
LOWER24 = "qwertyuiopasdfghjklzxcvb"
ID44 = "Zq8v_Lr2-mXw9TkB4sYh7Gf4DsA9Lk2Mn8qPo3Ui5Yt1"
AWS40 = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

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
    "AWSKeyDetector": [
        "key_id = AKIAIOSFODNN7EXAMPLE",
        f'aws_secret_access_key = "{AWS40}"',
        f"AWS_SESSION_TOKEN: '{AWS40}'",
        f"aws.pass({AWS40!r})",
        f'aw\u017f_to\u212aen = "{AWS40}"',
        f'aws_\u00e9\u00e9_key = "{AWS40}"',
        f'aws_key = "{chr(0x212A) * 10}{chr(0x131) * 10}{chr(0x17F) * 10}{chr(0x130) * 10}"',
    ],
    "TelegramBotTokenDetector": [
        f"bot = 123456789:{ID44[:35]}",
        f"bot = \u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668:{ID44[:35]}",
        f"bot = 1234567\uff18:{ID44[:35]}",
    ],
    "MailchimpDetector": [f"mc = '{HEX64[:32]}-us12'"],
    "IbmCosHmacDetector": [
        f"cos_hmac_secret_access_key = '{HEX64[:48]}'",
        f'["SECRET-KEY"] => {HEX64[:48].upper()}',
        f"\u017fecret_acce\u017f\u017f\u212aey: {HEX64[:48]}",
        f"secretkey   {HEX64[:48]}",
    ],
}
# KeywordDetector's regexes depend on the file type (by extension): each line with a file
# type that uses the shape it exercises.
KEYWORD_MATCHED = [
    ("x.py", 'password = "hunter2"'),
    ("x.py", "DB_PASS: 'hunter2'"),
    ("x.py", 'if "hunter2" == my_password:'),
    ("x.yaml", "api_key: hunter2"),
    ("x.ini", "secret_token = hunter2"),
    ("x.go", 'apiKey := "hunter2"'),
    ("x.go", "secret != hunter2"),
    ("x.c", 'char password[25] = "hunter2";'),
    ("x.cs", 'var password = @"hunter2";'),
    ("x.cpp", 'std::string secret("hunter2");'),
    ("x.cpp", 'secret.assign("hunter2", 7);'),
    ("x.cpp", 'password == "hunter2"'),
    ("x.txt", 'private_key "hunter2";'),
    ("x.js", "['password'] => 'hunter2'"),
    ("x.js", "passwd === `hunter2`"),
    ("x.py", 'pa\u017f\u017fword = "hunter2"'),
    ("x.py", 'api_\u212aey = "hunter2"'),
    ("x.py", 'AP\u0130_KEY = "hunter2"'),
    ("x.py", 'ap\u0131_key = "hunter2"'),
    ("x.py", 'CONTRASE\u00d1A = "hunter2"'),
    ("x.py", 'password\u00e9 = "hunter2"'),
    ("x.py", 'password\u00a0=\u2003"hunter2"'),
    ("x.py", 'password \u00a0= "hunter2"'),
    ("x.py", 'if "hunter2"\u00a0==\u2003password:'),
    ("x.py", 'password = "\u00e9t\u00e9"'),
    ("x.py", 'password = "\u0663\u0663"'),
    ("x.py", 'if "\u00e9t\u00e9" == password:'),
    ("x.txt", 'private_key "\u00e9t\u00e9";'),
    ("x.txt", 'secret\u2192\u2192 "hunter2";'),
    ("x.txt", 'secret\u2192x "hunter2";'),
    ("x.cpp", 'secret\u2192assign("hunter2", 7);'),
    ("x.yaml", "password:\u3000\u00e9t\u00e9"),
]
UNMARKED = {
    "CloudantDetector": ["api_key = settings.key", "token = next_token()"],
    "SoftlayerDetector": ["password = input()", "self.key = key"],
    "IbmCloudIamDetector": ["password = 'short'", f"token_name = {ID44[:20]}"],
    "BasicAuthDetector": ["see https://example.com/docs", "http://host:8080/path"],
    "AWSKeyDetector": [
        "region = 'ap-southeast-1'  # Asia Pacific (Singapore)",
        "aws_access_key_id = os.environ['AWS_ACCESS_KEY_ID']",
        "key = akiaiosfodnn7example",
        f'aws_token = "{AWS40[:39]}"',
    ],
    "TelegramBotTokenDetector": [f"arn:aws:iam::{ID44[:35]}", f"1234567:{ID44[:35]}"],
    "MailchimpDetector": ["us-east-1 and re-use", f"{HEX64[:31]}-us1"],
    "IbmCosHmacDetector": ["secret_key = os.environ['SECRET_KEY']", "the secret is kept"],
}
KEYWORD_UNMARKED = [
    "def check_password(self, raw_password):",
    "# the secret is rotated every day",
    "PASSWORD_HASHERS",
    "api_key.strip()",
    "return self._secret",
    'log("password")',
    "KEY_PASS",
]


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
    for name in [*MATCHED, "KeywordDetector"]:
        for pattern in plugins.PREFILTERS[name].patterns:
            assert translate(pattern)


@pytest.mark.parametrize(("filename", "line"), KEYWORD_MATCHED)
def test_every_keyword_shape_is_marked(filename: str, line: str) -> None:
    assert _plugin("KeywordDetector").analyze_line(filename=filename, line=line, line_number=1)  # type: ignore[attr-defined]
    assert _marked("KeywordDetector", line)
    assert _native_marked("KeywordDetector", line)


@pytest.mark.parametrize("line", KEYWORD_UNMARKED)
def test_a_keyword_without_an_assigned_value_stays_unmarked(line: str) -> None:
    for filename in ("x.py", "x.yaml", "x.go", "x.c", "x.cpp", "x.txt"):
        assert not _plugin("KeywordDetector").analyze_line(  # type: ignore[attr-defined]
            filename=filename, line=line, line_number=1
        )
    assert not _marked("KeywordDetector", line)
    assert not _native_marked("KeywordDetector", line)


def test_the_keywords_are_detect_secrets_own() -> None:
    """The pre-filter spells KeywordDetector's DENYLIST out: an upgrade that changes it must
    change the pre-filter too."""
    from detect_secrets.plugins import keyword

    assert plugins.KEYWORDS == keyword.DENYLIST
    for word in keyword.DENYLIST:
        for spelled in (word.replace("_?", "_"), word.replace("_?", "")):
            for line in (f'{spelled} = "x1"', f'{spelled.upper()} = "x1"'):
                assert _marked("KeywordDetector", line), line
                assert _native_marked("KeywordDetector", line), line


# Pieces of random lines dense in the relaxed plugins' shapes: keywords (folded and cased at
# random), assignments, quotes, brackets, Unicode spaces, letters and digits, values.
_WORDS = ("password", "api_key", "contraseña", "pwd", "db_pass", "secret", "aws", "token")
_PIECES = (
    *("=", "==", "!=", ":", ":=", "=>", "'", '"', "`", ";", "(", ")", "[", "]", "[25]", "@"),
    *(".assign", ".", ",", "_", "-", "x", "1"),
    *(" ", "  ", "\t", "\x0b", "\u00a0", "\u2003", "\u00e9", "\u0663", "\u2192", "\ufffd"),
)
_FOLD = {"s": "\u017f", "k": "\u212a", "i": "\u0130\u0131"}


def _cased(rng: random.Random, word: str) -> str:
    out = []
    for c in word:
        roll = rng.random()
        out.append(
            rng.choice(_FOLD[c]) if c in _FOLD and roll < 0.15 else c.upper() if roll < 0.4 else c
        )
    return "".join(out)


def _piece(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return _cased(rng, rng.choice(_WORDS))
    if roll < 0.4:
        return "".join(rng.choices("0123456789abcdef", k=rng.choice([8, 32, 40, 48])))
    if roll < 0.45:
        return "".join(rng.choices("0123456789\u0663\uff18", k=rng.choice([8, 10])))
    if roll < 0.5:
        return "".join(rng.choices("ABCabc019/+\u212a\u0131", k=rng.choice([35, 40])))
    return rng.choice(_PIECES)


def _pieces(rng: random.Random, most: int) -> str:
    return "".join(_piece(rng) for _ in range(rng.randint(0, most)))


_AWS_VALUE = "ABCabc019/+\u212a\u0131\u0130\u017f"
_DIGITS = "0123456789\u0663\uff18"


def _line(rng: random.Random) -> str:
    """Random pieces, or a plugin's shape with random pieces in and around it."""

    def p(most: int = 3) -> str:
        return _pieces(rng, most)

    def chars(alphabet: str, k: int) -> str:
        return "".join(rng.choices(alphabet, k=k))

    def cased(*words: str) -> str:
        return _cased(rng, rng.choice(words))

    quote = rng.choice("'\"")
    aws = cased("aws") + p() + cased("key", "pw", "pass", "token") + p()
    cos = cased("cos_hmac_", "ibm-cos", "") + cased("secret_access_key", "secretkey", "secret-key")
    assigned = chars("'\"] ", rng.randint(0, 3)) + rng.choice(["=", ":", "=>", " ", "::", "-"])
    assigned += chars(" '", rng.randint(0, 2))
    return rng.choice(
        [
            p(14),
            p(14),
            f"{p()}{aws}{quote}{chars(_AWS_VALUE, 40)}{rng.choice([quote, '`'])}",
            f"{p()}{chars(_DIGITS, rng.randint(7, 10))}:{chars('aZ0_-', 35)}{p()}",
            f"{p()}{chars('0123456789abcdefz', 32)}-us{chars('0123456789', 2)}{p()}",
            f"{p()}{cos}{assigned}{chars('0123456789abcdefABCDEF', 48)}{p()}",
        ]
    )


def _regexes(name: str) -> list[re.Pattern[str]]:
    if name != "KeywordDetector":
        return list(_plugin(name).denylist)  # type: ignore[attr-defined]
    from detect_secrets.plugins import keyword

    tables = [*keyword.REGEX_BY_FILETYPE.values(), keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP]
    return list({regex: None for table in tables for regex in table})


def test_random_lines_are_marked_wherever_a_regex_of_the_plugin_matches() -> None:
    """Lines of random pieces: wherever one of the plugin's regexes (KeywordDetector's of every
    file type) matches the text, the pre-filter marks its UTF-8 bytes."""
    rng = random.Random(15)
    names = (
        "KeywordDetector",
        "AWSKeyDetector",
        "TelegramBotTokenDetector",
        "MailchimpDetector",
        "IbmCosHmacDetector",
    )
    regexes = {name: _regexes(name) for name in names}
    matched = dict.fromkeys(names, 0)
    for _ in range(6_000):
        line = _line(rng)
        for name in names:
            if any(regex.search(line) for regex in regexes[name]):
                matched[name] += 1
                assert _marked(name, line), (name, line)
    assert min(matched.values()) > 100, matched
