"""detect-secrets, configured as ``detect-secrets scan`` runs it: every plugin, the default
filters. Each plugin has a pre-filter entry here: literals (lowercase, one of which every match
of the plugin contains) or regular expressions (a relaxation of the plugin's own pattern that
can never match a newline). The engine hands a plugin only the lines its pre-filter marks;
``tests/connectors/git/secrets/test_prefilter.py`` checks on a corpus that nothing
detect-secrets finds is lost.

detect-secrets keeps its configuration in process-wide settings; ``configure()`` sets them once
per process (the engine's worker processes call it too). Verification filters are never
enabled: detect-secrets would otherwise send secrets to third-party APIs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

# Entropy plugins: a string of n characters has Shannon entropy at most log2(n), so a string
# above the limit has more than 2**limit characters. The defaults are detect-secrets' own.
BASE64_LIMIT = 4.5
HEX_LIMIT = 3.0


def _min_length(limit: float) -> int:
    return int(2**limit) + 1


@dataclass(frozen=True, slots=True)
class Prefilter:
    literals: tuple[str, ...] = ()  # lowercase
    patterns: tuple[str, ...] = ()  # case-sensitive regexes that cannot match "\n"


_B64 = r"A-Za-z0-9+/\\=_-"  # detect-secrets' base64 charset: letters, digits, +/ \ - _ =


def _quoted(charset: str, least: int) -> str:
    """A string of at least ``least`` characters of ``charset`` closed by the quote that
    opened it (the entropy plugins' back-reference, spelled out for the native pre-filter)."""
    run = f"[{charset}]{{{least},}}"
    return f"'{run}'|\"{run}\""


# re.IGNORECASE matches two non-ASCII letters to ASCII ones: U+017F (LATIN SMALL LETTER LONG S)
# to s and U+212A (KELVIN SIGN) to k, so a case-insensitive plugin finds "password" spelled
# with either. Every plugin compiled with IGNORECASE also gets these literals: U+017F in UTF-8
# read as latin-1 and lowercased ("\xe5\xbf"), U+212A likewise ("\xe2\x84\xaa"), and U+017F
# itself for decoded (transformed) text, where U+212A lowercases to an ASCII k.
_FOLDED = ("\xe5\xbf", "\xe2\x84\xaa", "\u017f")

# \d matches any Unicode decimal digit (Arabic-Indic, fullwidth, ...): 2 to 4 bytes in UTF-8.
# In a relaxation, a \d becomes any character >= U+0080 (a byte of one, read as latin-1, or
# the decoded digit itself) and its count is multiplied by 4. Possessive quantifiers: the
# characters after each run ("." below) are outside the run's class, so nothing is lost.
_WORD = r"\w\x80-\xff-"  # \w is Unicode: covers [a-zA-Z0-9_] and every decoded digit

# re.IGNORECASE also folds two non-ASCII letters to "i" (U+0130, U+0131) besides U+017F to "s"
# and U+212A to "k": a case-insensitive word spelled as a pattern accepts each letter in either
# ASCII case or as the UTF-8 bytes (read as latin-1) of the letters that fold to it.
_FOLDS = {"i": "\xc4[\xb0\xb1]", "k": "\xe2\x84\xaa", "s": "\xc5\xbf"}


def _caseless(word: str) -> str:
    """``word`` (lowercase letters) as re.IGNORECASE matches it, for the byte-level pre-filter."""
    return "".join(
        f"(?:[{c}{c.upper()}]|{_FOLDS[c]})" if c in _FOLDS else f"[{c}{c.upper()}]" for c in word
    )


# detect-secrets' assignment-regex keywords: key|pwd|pw|password|pass|token (pw and pass
# start the others), caseless.
_KEY_OR_PW = "|".join(_caseless(w) for w in ("key", "pw", "pass", "token"))
# The same keywords whole, for a pattern that goes on past the keyword.
_KEYWORDS = "|".join(_caseless(w) for w in ("key", "pwd", "password", "pass", "token"))
# What build_assignment_regex puts between the keyword and the value: an optional quote and
# closing bracket, spaces, one of its assignments, spaces, an optional quote.
_ASSIGNED = "[\"']?\\]? *(?:=|:|:=|=>| +|::) *[\"']?"
# BasicAuthDetector's class: not a reserved character, not whitespace. Its \s is Unicode, so
# here only the ASCII whitespace: a byte of a multi-byte character (U+00A0 is c2 a0, and a0 is
# whitespace read as latin-1) must never end a run the detector continues on decoded text.
_USERINFO = "[^:/?#\\[\\]@!$&'()*+,;= \t\n\x0b\x0c\r\x1c-\x1f]"

# What a character of detect-secrets' text can be in the pre-filter's view (UTF-8 read as
# latin-1): an ASCII character is itself, any other is 2 to 4 bytes of \x80-\xff (and an
# invalid byte, decoded as U+FFFD, is one). So a Unicode class becomes its ASCII members plus
# every byte >= \x80, and n characters become up to 4n bytes. None of these holds a newline: a
# transformed line's newline is a space in the pre-filter's view (``transform.as_raw``).
_CHARS_20 = "[^\n]{0,80}"  # .{0,20}
_SPACE = "[\t\x0b-\r\x1c-\x20\x80-\xff]"  # \s
_NOT_SPACE = "[^\t-\r\x1c-\x20]"  # \S
_WORD_CHAR = "[0-9A-Za-z_\x80-\xff]"  # \w
# The letters re.IGNORECASE folds to an ASCII one (U+0130, U+0131, U+017F, U+212A), in UTF-8.
_FOLDED_LETTER = "\xc4[\xb0\xb1]|\xc5\xbf|\xe2\x84\xaa"


def _caseless_keyword(word: str) -> str:
    """A detect-secrets keyword (lowercase letters, ``_?``, ``ñ``) as re.IGNORECASE matches
    it, in the pre-filter's view: ``ñ`` is two bytes in UTF-8, either case (c3 b1, c3 91)."""
    parts = re.findall(r"_\?|ñ|[a-z]", word)
    if "".join(parts) != word:
        raise ValueError(f"a keyword with characters the pre-filter does not fold: {word!r}")
    return "".join(
        "_?" if part == "_?" else "\xc3[\xb1\x91]" if part == "ñ" else _caseless(part)
        for part in parts
    )


# KeywordDetector's DENYLIST (detect_secrets/plugins/keyword.py), in its order.
KEYWORDS = (
    "api_?key",
    "auth_?key",
    "service_?key",
    "account_?key",
    "db_?key",
    "database_?key",
    "priv_?key",
    "private_?key",
    "client_?key",
    "db_?pass",
    "database_?pass",
    "key_?pass",
    "password",
    "passwd",
    "pwd",
    "secret",
    "contraseña",
    "contrasena",
)
_DENYLIST = "(?:" + "|".join(_caseless_keyword(w) for w in KEYWORDS) + ")"
_QUOTE = "['\"`]"
# The quoted value every KeywordDetector regex that requires one ends with: its SECRET starts
# with a word character and holds no quote or \v (a quote never is a byte of a multi-byte
# character), closed by the quote that opened it.
_QUOTED = f"{_QUOTE}{_WORD_CHAR}[^\x0b'\"\n]*{_QUOTE}"

# KeywordDetector's regexes, all file types' together (its regexes per file type are subsets
# of these; see keyword.py). Each is the keyword (caseless: the two case-sensitive regexes
# are widened with the others), ``\w*``, then:
KEYWORD_SHAPES = (
    # a closing quote or bracket, or a C array's [n]; spaces; an assignment or comparison
    # (:= : = == === != !== =>); spaces; @ (C#, Objective-C); a quote or none; the value's
    # first character, a word character.
    f"{_DENYLIST}{_WORD_CHAR}*(?:[\\]'\"]{{0,2}}|\\[[0-9]*\\]){_SPACE}*[:!=][!=>]{{0,2}}"
    f"{_SPACE}*@?{_QUOTE}?{_WORD_CHAR}",
    # C++: secret("value") or secret.assign("value", ...).
    f'{_DENYLIST}{_WORD_CHAR}*(?:[^\n]{{1,4}}assign)?\\("{_WORD_CHAR}',
    # private_key "value"; up to 50 non-space characters, spaces, a quoted value, ";".
    f"{_DENYLIST}{_NOT_SPACE}*{_SPACE}*{_QUOTED};",
    # "value" == my_password: a quoted value, spaces, == != === !==, spaces, \w*, the keyword.
    f"{_QUOTED}{_SPACE}*[!=]{{2,3}}{_SPACE}*{_WORD_CHAR}*{_DENYLIST}",
)

# detect-secrets plugin class name -> its pre-filter. Derived from each plugin's patterns
# (detect_secrets/plugins/*.py, version pinned in pyproject.toml).
PREFILTERS: dict[str, Prefilter] = {
    "ArtifactoryDetector": Prefilter(
        patterns=(r"AKC[a-zA-Z0-9]{10}", r"AP(?:[0-9ABCDEF]|[^\x00-\x7f]{1,4})[a-zA-Z0-9]{8}")
    ),
    # The key id, case-sensitive as detect-secrets compiles it; or "aws", up to 20 characters,
    # a keyword, up to 20 more, then 40 characters of its class between quotes (IGNORECASE).
    "AWSKeyDetector": Prefilter(
        patterns=(
            r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}",
            f"{_caseless('aws')}{_CHARS_20}(?:{_KEY_OR_PW}){_CHARS_20}"
            f"['\"](?:[0-9A-Za-z/+]|{_FOLDED_LETTER}){{40}}['\"]",
        )
    ),
    "AzureStorageKeyDetector": Prefilter(literals=("accountkey=",)),
    # ://user:password@ with neither part holding a reserved character or whitespace.
    "BasicAuthDetector": Prefilter(patterns=(rf"://{_USERINFO}+:{_USERINFO}+@",)),
    # (cloudant|cl|clou)(_|-)?(api)?(key|pwd|pw|password|pass|token), or a cloudant.com URL.
    "CloudantDetector": Prefilter(
        patterns=(
            _caseless("cl")
            + f"(?:{_caseless('ou')}(?:{_caseless('dant')})?)?"
            + f"[_-]?(?:{_caseless('api')})?(?:{_KEY_OR_PW})",
            _caseless("cloudant"),
        )
    ),
    "DiscordBotTokenDetector": Prefilter(
        patterns=(rf"[MNO][{_WORD}]{{23,100}}+\.[{_WORD}]{{6,24}}+\.[{_WORD}]{{27}}",)
    ),
    "GitHubTokenDetector": Prefilter(literals=("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    "GitLabTokenDetector": Prefilter(
        literals=(
            "glpat-",
            "gldt-",
            "glft-",
            "glsoat-",
            "glrt-",
            "gr1348941",
            "glcbt-",
            "glimt-",
            "glptt-",
            "glagent-",
            "gloas-",
        )
    ),
    # Both match (['"])([charset]+)\1: a whole quoted string of the charset, long enough.
    "Base64HighEntropyString": Prefilter(patterns=(_quoted(_B64, _min_length(BASE64_LIMIT)),)),
    "HexHighEntropyString": Prefilter(patterns=(_quoted("0-9a-fA-F", _min_length(HEX_LIMIT)),)),
    # (ibm...|cloud...|iam|)(api)?(key|pwd|password|pass|token) = <44 chars>: the prefix may
    # be empty, so the keyword, the assignment and the value (its 44 characters are at least
    # 44 bytes, some of them non-ASCII under IGNORECASE).
    "IbmCloudIamDetector": Prefilter(
        patterns=(rf"(?:{_KEYWORDS}){_ASSIGNED}[a-zA-Z0-9_\-\x80-\xff]{{44}}",)
    ),
    # (ibm)?cos(hmac)? secret(access)?key = <48 hex>: the prefix may be empty, so the
    # keyword, the assignment and the value (hex is ASCII under IGNORECASE: no a-f folds).
    "IbmCosHmacDetector": Prefilter(
        patterns=(
            f"{_caseless('secret')}[-_]?(?:{_caseless('access')})?[-_]?{_caseless('key')}"
            f"{_ASSIGNED}[0-9a-fA-F]{{48}}",
        )
    ),
    # Four dotted octets: the last three always follow a dot.
    "IPPublicDetector": Prefilter(patterns=(r"\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",)),
    "JwtTokenDetector": Prefilter(literals=("eyj",)),
    "KeywordDetector": Prefilter(patterns=KEYWORD_SHAPES),
    "MailchimpDetector": Prefilter(patterns=(r"[0-9a-z]{32}-us[0-9]",)),
    "NpmDetector": Prefilter(literals=(":_authtoken=",)),
    "OpenAIDetector": Prefilter(literals=("t3blbkfj",)),
    "PrivateKeyDetector": Prefilter(literals=("private key", "putty-user-key-file-2")),
    "PypiTokenDetector": Prefilter(literals=("pypi-ag",)),
    "SendGridDetector": Prefilter(literals=("sg.",)),
    "SlackDetector": Prefilter(literals=("xox", "hooks.slack.com", *_FOLDED)),
    # (softlayer|sl)(_|-)?(api)?(_|-)?(key|pwd|password|pass|token) = ..., or an
    # api.softlayer.com URL.
    "SoftlayerDetector": Prefilter(
        patterns=(
            _caseless("sl") + rf"[_-]?(?:{_caseless('api')})?[_-]?(?:{_KEY_OR_PW})",
            _caseless("softlayer"),
        )
    ),
    "SquareOAuthDetector": Prefilter(literals=("sq0csp-",)),
    "StripeDetector": Prefilter(literals=("k_live_",)),
    # \d{8,10}:... : eight digits are at least eight bytes of ASCII digits or of non-ASCII
    # characters (a Unicode digit is 2 to 4 bytes >= \x80).
    "TelegramBotTokenDetector": Prefilter(patterns=(r"[0-9\x80-\xff]{8}:[0-9A-Za-z_-]{35}",)),
    "TwilioKeyDetector": Prefilter(patterns=(r"AC[a-z0-9]{32}", r"SK[a-z0-9]{32}")),
}

# Plugins whose pattern's first group is the token's prefix ("ghp", "glpat"), which
# detect-secrets then reports as the secret; the engine reports the whole token instead.
PREFIX_GROUP_PLUGINS = frozenset({"GitHubTokenDetector", "GitLabTokenDetector"})

# detect-secrets' default filters minus is_invalid_file, which stats the path on disk (blobs
# from git history have no file there); the engine reads bytes, not paths.
_DISABLED_FILTERS = ("detect_secrets.filters.common.is_invalid_file",)


# detect-secrets filters replaced by exact, faster equivalents (secrets/filters.py).
_REPLACED_FILTERS = {
    "detect_secrets.filters.heuristic.is_indirect_reference": (
        "nhiscan.connectors.git.secrets.filters.is_indirect_reference"
    ),
}


# detect-secrets' KeywordDetector searches each line with regexes that start with its keyword
# alternation, compiled case-insensitive, then ``\w*`` (a suffix: ``password_db``). Two exact
# rewrites make them linear-ish and several times faster on long lines:
# - Python's re tries the alternation at every position. Every keyword starts with one of
#   these letters, so a lookahead on them (folded as the alternation is, U+017F and U+212A
#   included) skips the other positions without changing any match.
# - The suffix is made possessive (``\w*+``): what follows it in every regex (a closing quote
#   or bracket, spaces, an assignment, ``(``, or up to 50 non-space characters then a space or
#   quote) can never start inside a run of word characters, so giving characters back never
#   finds a match; it only cost time, quadratic in the length of the run.
_KEYWORD_FIRST = "(?=[acdkps])"


def _faster_keyword_regexes() -> None:
    """Put the lookahead in front of KeywordDetector's keyword-first regexes, in place (its
    tables are module-level dicts, shared by file type; their order is kept)."""
    from detect_secrets.plugins import keyword

    tables = {id(t): t for t in keyword.REGEX_BY_FILETYPE.values()}
    tables[id(keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)] = (
        keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
    )
    for table in tables.values():
        items = [(_keyword_first(regex), group) for regex, group in table.items()]
        table.clear()
        table.update(items)


def _keyword_first(regex: re.Pattern[str]) -> re.Pattern[str]:
    from detect_secrets.plugins import keyword

    if not regex.pattern.startswith(keyword.DENYLIST_REGEX):
        return regex
    if not all(word[0] in "acdkps" for word in keyword.DENYLIST):
        return regex  # a detect-secrets upgrade added a keyword: leave its regexes as they are
    rest = regex.pattern[len(keyword.DENYLIST_REGEX) :]
    return re.compile(_KEYWORD_FIRST + keyword.DENYLIST_REGEX + "+" + rest, regex.flags)


# detect-secrets' assignment regexes (``build_assignment_regex``: Cloudant, IBM Cloud IAM, IBM
# COS HMAC, SoftLayer) put ``(?: *)(?:=|:|:=|=>| +|::)(?: *)`` between a name and its value:
# three overlapping runs of spaces, cubic on a long run of spaces after a name (hours on one
# window). The value after them always starts with a quote or a character class without a
# space, so every space before it is consumed: possessive runs match exactly the same.
_ASSIGNMENT = "(?: *)(?:=|:|:=|=>| +|::)(?: *)"
_ASSIGNMENT_LINEAR = "(?: *+(?:=|:|:=|=>|::) *+| ++)"
_VALUE_START = "(?:\"|\\'|)(["


def _faster_assignment_regexes(instances: tuple[Any, ...]) -> None:
    for plugin in instances:
        denylist = getattr(plugin, "denylist", None)
        if denylist is not None and any(_ASSIGNMENT in r.pattern for r in denylist):
            plugin.denylist = [_linear_assignment(regex) for regex in denylist]


def _linear_assignment(regex: re.Pattern[str]) -> re.Pattern[str]:
    head, found, rest = regex.pattern.partition(_ASSIGNMENT)
    value = rest.removeprefix(_VALUE_START)
    if not found or value == rest or " " in value.partition("]")[0]:
        return regex  # not the shape the rewrite is exact for: left as it is
    return re.compile(head + _ASSIGNMENT_LINEAR + rest, regex.flags)


_VERIFICATION = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"


def verifying() -> bool:
    """Whether detect-secrets' plugins would verify what they find (its verification filter
    is on): the only use they make of a line's code snippet. ``configure`` never turns it on;
    this is asked so that the engine builds snippets only when nothing could need them."""
    from detect_secrets.settings import get_settings

    return _VERIFICATION in get_settings().filters


@cache
def configure() -> tuple[Any, ...]:
    """Configure detect-secrets in this process; returns its plugin instances, in order."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import configure_settings_from_baseline, get_settings

    classes: list[Any] = list(get_mapping_from_secret_type_to_class().values())
    configure_settings_from_baseline(
        {
            "plugins_used": [
                {"name": cls.__name__, **_limit(cls.__name__)}
                for cls in sorted(classes, key=lambda c: c.__name__)
            ]
        }
    )
    settings = get_settings()
    settings.disable_filters(*_DISABLED_FILTERS)
    for original, faster in _REPLACED_FILTERS.items():
        if original in settings.filters:
            settings.filters[faster] = settings.filters.pop(original)
    from detect_secrets.settings import get_filters, get_plugins

    get_filters.cache_clear()
    get_plugins.cache_clear()
    _faster_keyword_regexes()
    _file_type_once_per_path()
    plugins = tuple(get_plugins())
    _faster_assignment_regexes(plugins)
    _entropy_once_per_string(plugins)
    _entropy_checked_first(plugins)
    missing = {type(p).__name__ for p in plugins} - PREFILTERS.keys()
    if missing:  # a detect-secrets upgrade added a plugin: it needs a pre-filter entry
        raise RuntimeError(f"detect-secrets plugins without a pre-filter: {sorted(missing)}")
    return plugins


def _file_type_once_per_path() -> None:
    """KeywordDetector asks the file type of its path on every line it analyzes (a dict built
    per call); it is a pure function of the path, so one answer per path is exact."""
    from detect_secrets.plugins import keyword
    from detect_secrets.util.filetype import determine_file_type

    keyword.determine_file_type = cache(determine_file_type)  # type: ignore[attr-defined]


# detect-secrets' own methods this module replaced, kept for the tests that compare them.
ORIGINALS: dict[str, Any] = {}

# Distinct strings whose entropy each entropy plugin remembers (a history repeats most of them).
ENTROPY_CACHE_SIZE = 1 << 16


def shannon_entropy(charset: str, data: str) -> float:
    """detect-secrets' ``HighEntropyStringsPlugin.calculate_shannon_entropy``, bit for bit: the
    same terms added in the same order (the charset's), each count taken from one pass over
    ``data`` instead of one ``str.count`` per charset character, and only the characters
    present visited (a term of an absent character is never added)."""
    if not data:
        return 0
    order = _charset_order(charset)
    if order is None:  # a charset listing a character twice adds its term twice: as written
        return _entropy_as_written(charset, data)
    counts = Counter(data)
    size = len(data)
    entropy = 0.0
    for x in sorted([c for c in counts if c in order], key=order.__getitem__):
        p_x = float(counts[x]) / size
        entropy += -p_x * math.log(p_x, 2)
    return entropy


@cache
def _charset_order(charset: str) -> dict[str, int] | None:
    order = {c: i for i, c in enumerate(charset)}
    return order if len(order) == len(charset) else None


def _entropy_as_written(charset: str, data: str) -> float:
    entropy = 0.0
    for x in charset:
        p_x = float(data.count(x)) / len(data)
        if p_x > 0:
            entropy += -p_x * math.log(p_x, 2)
    return entropy


def _entropy_once_per_string(instances: tuple[Any, ...]) -> None:
    """The entropy plugins compute the entropy of every quoted string of their charset on every
    marked line; it is a pure function of the string (and the plugin), so each plugin instance
    remembers it per distinct string (bounded) and computes it with ``shannon_entropy``. The
    base method is replaced on the class, so HexHighEntropyString's all-digits adjustment,
    which calls it, stays as detect-secrets wrote it."""
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

    def base(self: Any, data: str) -> float:
        return shannon_entropy(self.charset, data)

    ORIGINALS.setdefault(
        "calculate_shannon_entropy", HighEntropyStringsPlugin.calculate_shannon_entropy
    )
    HighEntropyStringsPlugin.calculate_shannon_entropy = base  # type: ignore[method-assign]
    for plugin in instances:
        if isinstance(plugin, HighEntropyStringsPlugin):
            remembered = lru_cache(ENTROPY_CACHE_SIZE)(plugin.calculate_shannon_entropy)
            plugin.calculate_shannon_entropy = remembered  # type: ignore[method-assign]


def _entropy_checked_first(instances: tuple[Any, ...]) -> None:
    """Most lines an entropy plugin is handed hold no quoted string above its limit (the
    pre-filter cannot measure entropy), and the plugin builds a PotentialSecret (a SHA-1 of
    the value) for every quoted string before it drops those under the limit. Each instance
    first looks for one string above the limit, with the same regex and the same (remembered)
    entropy: where there is none, its answer is the empty set it would have returned. Eager
    search (unquoted strings, for ad hoc scans) is never asked by the engine; it goes to the
    plugin as before."""
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

    for plugin in instances:
        if isinstance(plugin, HighEntropyStringsPlugin):
            plugin.analyze_line = _above_limit_first(plugin)  # type: ignore[method-assign]


def _above_limit_first(plugin: Any) -> Any:
    analyze_line = plugin.analyze_line

    def analyze(
        filename: str,
        line: str,
        line_number: int = 0,
        context: Any = None,
        enable_eager_search: bool = False,
        **kwargs: Any,
    ) -> Any:
        if not enable_eager_search and not _any_above_limit(plugin, line):
            return set()
        return analyze_line(
            filename=filename,
            line=line,
            line_number=line_number,
            context=context,
            enable_eager_search=enable_eager_search,
            **kwargs,
        )

    return analyze


def _any_above_limit(plugin: Any, line: str) -> bool:
    """Whether a string the plugin's ``analyze_string`` yields for ``line`` is above its limit."""
    entropy, limit = plugin.calculate_shannon_entropy, plugin.entropy_limit
    for found in plugin.regex.findall(line):
        if entropy(found[1] if isinstance(found, tuple) else found) > limit:
            return True
    return False


def _limit(name: str) -> dict[str, float]:
    if name == "Base64HighEntropyString":
        return {"limit": BASE64_LIMIT}
    if name == "HexHighEntropyString":
        return {"limit": HEX_LIMIT}
    return {}


def compiled_patterns(prefilter: Prefilter) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in prefilter.patterns)
