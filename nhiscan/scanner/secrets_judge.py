"""Judging a found secret by what surrounds it: a password that is a placeholder, a database
URL to a documentation host, a connection string in a test file. Data: ``TRAITS`` says what a
finding looks like, ``JUDGEMENTS`` what each look does to its severity and why; every rule is
checked with examples it must affect and twins it must not (tests/scanner/test_secrets_judge.py).

Two halves, because the secret itself never leaves the connector:

- ``value_traits`` runs in the git connector, where the secret and its line are in memory: it
  names what the password, the user and the host of a credential look like, and only the
  names travel on (``Exposure.traits``).
- ``judged`` runs in the rule (NHI200) on the exposure: its traits and its paths.

Severity is for a credential a detector identifies with confidence (a vendor format, a
checksum, a key body, a join, a verification). A password is only a string after a keyword or
in a URL: what makes it credible is a real-looking value on a real host in a file that ships.
Hosts are judged by what cannot be a deployment (loopback, RFC 2606/6761 and RFC 5737/3849
documentation names and addresses, template holes), never by a short name: ``db``, ``host``
and docker-compose service names are how real configurations name their database.

A judgement drops a finding when the value is no secret at all: a hole, a mask, code, a
variable's name, a digest, a key marker without a key, or a password everyone knows (in every
wordlist, so writing it down leaks nothing; a system that uses one has a default to change,
which a leak finding will not fix). It lowers one when a secret may be real but matters less
where it is (a real-looking password on loopback or a documentation host, in tests).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from urllib.parse import unquote

from nhiscan.scanner.model import Severity

# Detectors whose secret is a password chosen by a person (nhiscan's and detect-secrets').
PASSWORDS = frozenset(
    {
        "Database URL Password",
        "JDBC Password Property",
        "XML Password Element",
        "Basic Auth Credentials",
        "Secret Keyword",
    }
)
# nhiscan's rows that read a private key's body (detect-secrets' plugin only sees a marker).
KEY_BODIES = frozenset(
    {
        "PEM Private Key",
        "PGP Private Key Block",
        "PuTTY Private Key",
        "PuTTY Encrypted Private Key",
        "WireGuard Private Key",
    }
)
PRIVATE_KEYS = KEY_BODIES | {"Private Key"}
# detect-secrets' plugins for a format one of nhiscan's detectors also reads, with its checks
# (secrets/traits.py maps each to that detector). The plugin alone names a finding only when
# nhiscan's detector did not accept the secret.
FORMAT_CHECKED = frozenset(
    {
        "AWS Access Key",
        "GitHub Token",
        "Stripe Access Key",
        "OpenAI Token",
        "Slack Token",
        "Telegram Bot Token",
        "SendGrid API Key",
        "Mailchimp Access Key",
        "PyPI Token",
        "NPM tokens",
        "Square OAuth Secret",
        "Azure Storage Account access key",
    }
)
# detect-secrets' base64 entropy plugin: it also finds the base64 of files code embeds.
ENTROPY_BASE64 = "Base64 High Entropy String"
# Its hex entropy plugin: it also finds the digests (checksums, commit ids) code pins.
ENTROPY_HEX = "Hex High Entropy String"
ENTROPY = frozenset({ENTROPY_BASE64, ENTROPY_HEX})
# detect-secrets' private key plugin: a BEGIN marker, whatever follows it.
KEY_MARKER = "Private Key"
# Every detector: a judgement about the value itself whoever found it.
ANY = frozenset({"*"})
# Tokens handed to a client (signed assertions that expire, OAuth refresh tokens): tests and
# documentation are full of realistic ones.
TOKENS = frozenset({"Signed JWT", "JSON Web Token", "OAuth Refresh Token"})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- what a value looks like (connector side) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Credential:
    """The parts of a found credential the traits look at: the password (the secret), and the
    user and host of the URL it sits in (None: not in a URL)."""

    password: str
    user: str | None = None
    host: str | None = None


# Whole values written where a password would go (compared lowercased, with leetspeak undone
# and separators dropped: "P@ssw0rd", "pass_word" and "PASSWORD" are "password").
_PLACEHOLDER_WORDS = _words(
    """password passwd pass pwd pw secret changeme changeit letmein default admin root guest
    test testing tester example sample dummy demo fake placeholder redacted foo bar baz qux
    foobar tiger scott hunter2 qwerty abc abcd abc123 1234 12345 123456 12345678 123456789
    mypassword yourpassword mysecret yoursecret topsecret supersecret secretpassword
    somepassword mypass yourpass dbpassword dbpass userpass apikey token none null nil
    undefined value"""
)
# Words that make a value of letters (and at most four trailing digits) a named placeholder:
# DB_PASSWORD, my-secret, your_password_here, password123.
_NAMED = re.compile(
    r"[a-z_.-]*(?:pass|pwd|secret|changeme|changeit|example|sample|dummy|placeholder|redacted"
    r"|your|fake|notreal|admin|root|guest|test|demo|sandbox|default|qwerty|letmein)[a-z_.-]*"
    r"[0-9]{0,4}"
)
# What a named placeholder is made of, whole: its words (your_password_here, yourApiKeyHere,
# sk_test_notarealkeyjustasample, FLWSECK_TEST-SANDBOXDEMOKEY-X). A person's password that
# merely holds one of the words above (compassion2024, rootbeerfloat) is made of others, and a
# random body of letters after a "test" prefix is made of none.
_PLACEHOLDER_VOCABULARY = _words(
    """a an the this that is it not no real just only here there goes insert put enter paste
    replace with your my our some me own new key keys api app access private public client id
    token secret secrets password passwd pass pwd pw value string text word phrase sample
    example dummy fake test testing tester demo sandbox default change changeme changeit
    placeholder redacted mock invalid none null empty foo bar baz qux x xx xxx super top very
    strong long random generated db database user username login admin root guest live prod dev
    local staging webhook signing auth service letmein qwerty hunter tiger scott do use set"""
)
_LONGEST_WORD = max(map(len, _PLACEHOLDER_VOCABULARY))
_VENDOR_PREFIX = 7  # letters: a first part no word covers, when more parts follow (sk_, FLWSECK_)
_LEET = str.maketrans("@4310$5!", "aaeiossi")
_TEMPLATE = re.compile(r"\$\{|\{\{|\$\(|%\(|%s|<[^>]*>|^\$[A-Za-z_]|^\{[^}]*\}$|^\[[^\]]*\]$")
_MASK = re.compile(r"([*xX•#.?_-])\1*")

_PLACEHOLDER_USERS = _words(
    """user username user_name usr login name myuser my_user youruser your_user someuser
    some_user scott test tester testuser foo bar john johndoe jdoe jane alice bob me example
    sample dummy demo fake"""
)

_LOOPBACK = re.compile(
    r"(?i:localhost|localhost\.localdomain|ip6-localhost|host\.docker\.internal"
    r"|[a-z0-9.-]+\.localhost|127(?:\.[0-9]{1,3}){3}|0\.0\.0\.0|\[?::1\]?)"
)
# RFC 2606 / RFC 6761 reserved names, RFC 5737 and RFC 3849 documentation addresses.
_RESERVED = re.compile(
    r"(?i:(?:[a-z0-9-]+\.)*example(?:\.(?:com|org|net))?|[a-z0-9.-]+\.(?:test|invalid|example)"
    r"|192\.0\.2\.[0-9]{1,3}|198\.51\.100\.[0-9]{1,3}|203\.0\.113\.[0-9]{1,3}"
    r"|\[?2001:db8:[0-9a-f:]*\]?)"
)
_PLACEHOLDER_HOST = re.compile(
    r"(?i:(?:my|your|some)[_-]?(?:db[_-]?)?(?:host|hostname|server|domain)(?:\.[a-z]+)?"
    r"|hostname|(?:[a-z]+\.)?(?:your|my)domain\.[a-z]+|domain\.(?:com|tld)|x+(?:\.x+)*)"
)

SHORT = 8  # characters: NIST SP 800-63B's floor for a memorised secret


def _normalised(value: str) -> str:
    return re.sub(r"[\s_.-]", "", value.lower().translate(_LEET))


def is_template(value: str) -> bool:
    """A hole for a value (``${DB_PASSWORD}``, ``<password>``, ``%s``, ``{password}``)."""
    return _TEMPLATE.search(value) is not None


_RUN = re.compile(r"(.)\1{7,}")
_ELLIPSIS = re.compile(r"\.\.\.|…")


def is_mask(value: str) -> bool:
    """A value hidden or elided on purpose (``****``, ``xxx``, ``...``), one repeated, one cut
    short with an ellipsis (``sk-...``, ``MII…``: no key format or random value holds three
    dots in a row), or one padded out with a run of one character that is a third of it or
    more (a format's prefix then ``XXXX…``: ``sk-proj-XXXXXXXX…``), which a random value never
    holds."""
    if _MASK.fullmatch(value) is not None or len(set(value)) == 1:
        return True
    if _ELLIPSIS.search(value) is not None:
        return True
    return any(3 * len(run.group(0)) >= len(value) for run in _RUN.finditer(value))


def is_placeholder(value: str) -> bool:
    """A value everyone knows (``password``, ``changeme``, ``tiger``), or one named to be
    replaced: a placeholder word in it, and nothing but such words (and a short vendor prefix,
    and up to four trailing digits) in all of it."""
    lowered, normalised = value.lower(), _normalised(value)
    if lowered in _PLACEHOLDER_WORDS or normalised in _PLACEHOLDER_WORDS:
        return True
    if not any(_NAMED.fullmatch(form) is not None for form in (lowered, normalised)):
        return False
    words = value.rstrip("!?.*#").rstrip("0123456789").translate(_LEET).lower()
    parts = [p for p in re.split(r"[\s_.-]+", words) if p]
    uncovered = [i for i, part in enumerate(parts) if not _made_of_words(part)]
    return not uncovered or (
        uncovered == [0] and len(parts) > 1 and len(parts[0]) <= _VENDOR_PREFIX
    )


def _made_of_words(text: str) -> bool:
    """Whether ``text`` is words of the placeholder vocabulary run together."""
    reach = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        reach[end] = any(
            reach[start] and text[start:end] in _PLACEHOLDER_VOCABULARY
            for start in range(max(0, end - _LONGEST_WORD), end)
        )
    return reach[-1]


# A variable's name where its value would go: DB_PASSWORD, AWS_SECRET_ACCESS_KEY, API_TOKEN.
# Words of capitals, digits only at a word's end (S3_BUCKET): a random upper-case token with
# underscores puts its digits anywhere.
_VARIABLE = re.compile(r"[A-Z]+[0-9]*(?:_[A-Z]+[0-9]*)+")


def is_variable_name(value: str) -> bool:
    return _VARIABLE.fullmatch(value) is not None


# Code that reads the secret from elsewhere: a call or a subscript (os.environ["X"],
# os.getenv("X"), get_secret("x"), ENV.fetch("X")), or an attribute of an object that holds
# configuration (process.env.X, settings.SECRET_KEY, config.db.password). A name before a
# bracket is a dotted path or a lower-case word, which a password with a bracket in it is not.
_CALL = re.compile(
    r"(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*\s*[(\[]|[a-z_$][a-z_$]*(?:[A-Z][a-z]+)*\s*[(\[]"
)
_CONFIG_ROOTS = _words(
    """process os env environ settings config conf cfg app self this ctx context secrets vars
    params props options opts args credentials creds window system environment import"""
)
_ATTRIBUTE = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+")


def is_code_reference(value: str) -> bool:
    if _CALL.match(value) is not None:
        return True
    if _ATTRIBUTE.fullmatch(value) is None:
        return False
    return value.split(".", 1)[0].lower() in _CONFIG_ROOTS


# What comes before a counted body: a short prefix of letters and its separator, repeated
# ("sk_test_", "re_", "pk_").
_COUNT_PREFIX = re.compile(r"(?:[A-Za-z]{1,12}[_-])*")
_SEQUENCE_SHARE = 0.8  # of a body's neighbouring characters that count on


def is_sequence(value: str) -> bool:
    """A value, after its prefix, that counts (``123456789``, ``0123456789012…``,
    ``12345678_ABCDEFGHIJ…``): typed to fill a field, never drawn at random. In a random
    value a character follows the one before it about once in sixty; here four times in five."""
    prefix = _COUNT_PREFIX.match(value)
    body = re.sub(r"[_-]", "", value[prefix.end() if prefix else 0 :].lower())
    if len(body) < 3:
        return False
    steps = sum(
        ord(b) - ord(a) == 1 or (a, b) in (("9", "0"), ("z", "a")) for a, b in pairwise(body)
    )
    return steps >= _SEQUENCE_SHARE * (len(body) - 1)


_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def decoded_text(value: str) -> str | None:
    """The text a base64 value encodes (a Kubernetes Secret's ``data:``), None when it is not
    base64 of printable text."""
    if len(value) < 4 or _BASE64.fullmatch(value) is None:
        return None
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return text if text.isprintable() else None


def is_no_value(value: str) -> bool:
    """Written where a secret goes, and no secret: a hole, a mask, a placeholder word, a
    variable's name, code, a count."""
    return (
        is_template(value)
        or is_mask(value)
        or is_placeholder(value)
        or is_variable_name(value)
        or is_code_reference(value)
        or is_sequence(value)
    )


def is_encoded_placeholder(value: str) -> bool:
    """Base64 of a placeholder (``cGFzc3dvcmQ=`` is ``password``, ``Y2hhbmdlbWU=`` is
    ``changeme``): a Kubernetes Secret's sample ``data:`` is judged by what it decodes to."""
    text = decoded_text(value)
    return text is not None and is_no_value(text)


def _host_is(pattern: re.Pattern[str]) -> Callable[[Credential], bool]:
    return lambda c: c.host is not None and pattern.fullmatch(c.host) is not None


@dataclass(frozen=True, slots=True)
class Trait:
    name: str
    test: Callable[[Credential], bool]


def _deployed(c: Credential) -> bool:
    """The host looks like a deployment: a dotted name or an address, not loopback, reserved or
    a placeholder. A single name (``db``, ``rabbit``) is a docker-compose service or a test
    container's, where an image's default password is how the sample runs."""
    host = c.host
    if not host or is_template(host) or not ("." in host or ":" in host):
        return False
    return not any(p.fullmatch(host) for p in (_LOOPBACK, _RESERVED, _PLACEHOLDER_HOST))


def _known_password(c: Credential) -> bool:
    """A password everyone knows: a placeholder or sample, or the user name as a word."""
    same = c.user is not None and c.password.isalpha() and c.user.lower() == c.password.lower()
    return same or is_placeholder(c.password)


TRAITS: tuple[Trait, ...] = (
    Trait("template-password", lambda c: is_template(c.password)),
    Trait("masked-password", lambda c: is_mask(c.password)),
    Trait("placeholder-password", lambda c: is_placeholder(c.password) and not _deployed(c)),
    Trait("default-password", lambda c: _known_password(c) and _deployed(c)),
    Trait("variable-password", lambda c: is_variable_name(c.password)),
    Trait("code-reference", lambda c: is_code_reference(c.password)),
    Trait("counted-value", lambda c: is_sequence(c.password)),
    Trait("encoded-placeholder", lambda c: is_encoded_placeholder(c.password)),
    Trait("short-password", lambda c: len(c.password) < SHORT),
    # A word (postgres:postgres, guest:guest): a token used as both is no image's default.
    Trait("user-as-password", lambda c: c.user is not None and c.password.isalpha()
          and c.user.lower() == c.password.lower() and not _deployed(c)),
    Trait("placeholder-user", lambda c: c.user is not None
          and (c.user.lower() in _PLACEHOLDER_USERS or is_template(c.user))),
    Trait("loopback-host", _host_is(_LOOPBACK)),
    Trait("reserved-host", _host_is(_RESERVED)),
    Trait("placeholder-host", lambda c: c.host is not None
          and (_PLACEHOLDER_HOST.fullmatch(c.host) is not None or is_template(c.host))),
)  # fmt: skip

# scheme://user:password@host (RFC 3986 userinfo); bounded runs keep it linear on long lines.
_URL = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]{0,30}://(?P<user>[^\s:@/?#\"'`]{0,128}):"
    r"(?P<password>[^\s@/?#\"'`]{1,256})@(?P<host>\[[0-9A-Fa-f:.]{2,64}\]|[^\s/:?#\"'`,;)\]]{0,256})"
)
_JDBC_USER = re.compile(r"[?&;](?i:user(?:name)?)=(?P<user>[^&;\s\"'`<>]{1,128})")
_JDBC_HOST = re.compile(r"jdbc:[a-z0-9]+:(?:[a-z0-9]+:)?//(?P<host>[^/:;?\s\"'`<>]{0,256})")
_AROUND = 400  # characters of the line on each side of the secret that are looked at


def credential_of(secret: str, line: str) -> Credential:
    """The URL around ``secret`` on ``line`` (its user and host), when it sits in one."""
    at = line.find(secret)
    if at < 0:
        return Credential(password=unquote(secret))
    near = line[max(0, at - _AROUND) : at + len(secret) + _AROUND]
    for m in _URL.finditer(near):
        if m.group("password") == secret or unquote(m.group("password")) == unquote(secret):
            host = m.group("host")
            return Credential(password=unquote(secret), user=unquote(m.group("user")), host=host)
    user, host = _JDBC_USER.search(near), _JDBC_HOST.search(near)
    return Credential(
        password=unquote(secret),
        user=user.group("user") if user else None,
        host=host.group("host") if host else None,
    )


def value_traits(detector: str, secret: str, line: str) -> tuple[str, ...]:
    """The names of ``TRAITS`` that hold for a password found by ``detector`` on ``line``;
    nothing for other detectors (their formats and validators speak for them)."""
    if detector not in PASSWORDS or not secret:
        return ()
    credential = credential_of(secret, line)
    return tuple(t.name for t in TRAITS if t.test(credential))


# -- what paths say (rule side) -------------------------------------------------------------

_TEST_DIRS = _words(
    """test tests testing testdata test_data test-data __tests__ spec specs fixture fixtures
    __fixtures__ test-fixtures mock mocks __mocks__ stubs e2e unittests integration_tests
    integration-tests"""
)
_DOC_DIRS = _words(
    """doc docs documentation example examples sample samples demo tutorial tutorials"""
)
_TEST_FILE = re.compile(
    r"test_.*|.*_tests?\.[a-z]+|.*\.(?:test|spec)\.[a-z]+|conftest\.py|tests?\.py", re.I
)
_DOC_FILE = re.compile(
    r".*\.(?:md|markdown|rst|adoc|asciidoc|ipynb)|(?:readme|changes|changelog|history|news)"
    r"(?:\..*)?"
    # A configuration file's template, copied and filled in on install: .env.example,
    # config.sample.yml, settings.py.dist, docker-compose.override.yml.template.
    r"|(?:.*[._-])?(?:example|sample|template|tmpl|dist)(?:[._-].*)?",
    re.I,
)


def is_test_path(path: str) -> bool:
    *dirs, name = path.replace("\\", "/").split("/")
    return any(d.lower() in _TEST_DIRS for d in dirs) or _TEST_FILE.fullmatch(name) is not None


# An installed or built Python package's metadata: its METADATA or PKG-INFO is the project's
# README (the long description), its other files are lists and licences.
_PACKAGE_INFO = re.compile(r".*\.(?:dist-info|egg-info)", re.I)


def is_doc_path(path: str) -> bool:
    *dirs, name = path.replace("\\", "/").split("/")
    return (
        any(d.lower() in _DOC_DIRS or _PACKAGE_INFO.fullmatch(d) for d in dirs)
        or _DOC_FILE.fullmatch(name) is not None
    )


def is_sample_path(path: str) -> bool:
    """Tests and documentation: where a credential is a fixture or an example unless shown
    otherwise, as opposed to code and configuration that ship."""
    return is_test_path(path) or is_doc_path(path)


PATH_TRAITS: dict[str, Callable[[str], bool]] = {"sample-path": is_sample_path}


# -- what each trait does --------------------------------------------------------------------


class Effect(StrEnum):
    DROP = "drop"  # not a credential at all: no finding
    LOWER = "lower"  # at most ``to``


@dataclass(frozen=True, slots=True)
class Judgement:
    name: str
    trait: str  # a TRAITS or PATH_TRAITS name
    detectors: frozenset[str]
    effect: Effect
    to: Severity | None  # the ceiling, for LOWER
    reason: str
    also: str | None = None  # a second trait that must hold too


def _lower(name: str, trait: str, detectors: frozenset[str], to: Severity, why: str) -> Judgement:
    return Judgement(name, trait, detectors, Effect.LOWER, to, why)


JUDGEMENTS: tuple[Judgement, ...] = (
    Judgement("documented-example", "documented-example", ANY, Effect.DROP, None,
              "a vendor's documented sample value (AKIAIOSFODNN7EXAMPLE, the EXAMPLEKEY secret "
              "key, a token printed in the vendor's own guide): published, no credential"),
    Judgement("template-password", "template-password", PASSWORDS, Effect.DROP, None,
              "the password is a template to fill in (${VAR}, <password>, %s), not a value"),
    Judgement("masked-password", "masked-password", PASSWORDS, Effect.DROP, None,
              "the password is masked or elided (****, xxx), not a value"),
    Judgement("encoded-file", "encoded-file", frozenset({ENTROPY_BASE64}), Effect.DROP, None,
              "base64 of a file (an image, a font, an archive: its first bytes say which), "
              "embedded data, no credential"),
    Judgement("masked-value", "masked-value", ANY, Effect.DROP, None,
              "a format's prefix with a mask or a hole after it (sk_live_xxxx…, "
              "AKIAXXXXXXXXXXXXXXXX, glpat-vvvv…, ghp_${TOKEN}): a placeholder, no credential"),
    Judgement("counted-value", "counted-value", ANY, Effect.DROP, None,
              "the value counts (re_123456789, sk_test_0123456789…, ABCDEFGH…): typed to fill "
              "the field, never a generated secret"),
    Judgement("digest", "digest", ENTROPY, Effect.DROP, None,
              "a digest where the line says so (sha256:…, an MD5 or SHA-1 checksum, a commit "
              "id, an ETag, an integrity hash): the hash of something public, no credential"),
    Judgement("binary-data", "binary-data", frozenset({ENTROPY_BASE64}), Effect.DROP, None,
              "base64 of binary structure (runs of zero bytes, an eighth of it or more: a font "
              "or an image cut over lines), not random key material"),
    Judgement("no-key-body", "no-key-body", frozenset({KEY_MARKER}), Effect.DROP, None,
              "a private key's BEGIN marker or PuTTY key file header with no key after it (…, "
              "<your key here>, a body shorter than any key, no Private-Lines, the marker in a "
              "parser's code): no key"),
    Judgement("key-reported-below", "key-reported-below", frozenset({KEY_MARKER}), Effect.DROP,
              None, "detect-secrets' YAML reading puts a block value's BEGIN marker on the line "
              "that names it (key: |); nhiscan reports the key itself, read from its body, on "
              "the lines below: one key, one finding"),
    Judgement("public-key-block", "public-key-block", frozenset({KEY_MARKER}), Effect.DROP,
              None, "a PGP private key block whose packets hold no secret key (a public key's "
              "packets under a private key's header): nothing secret"),
    Judgement("variable-password", "variable-password", PASSWORDS, Effect.DROP, None,
              "the password is a variable's name (DB_PASSWORD, API_TOKEN), not its value"),
    Judgement("code-reference", "code-reference", PASSWORDS, Effect.DROP, None,
              "the value is code that reads the secret from elsewhere (os.environ[...], "
              "process.env.X, settings.X, a call), not the secret"),
    Judgement("encoded-placeholder", "encoded-placeholder", PASSWORDS | {ENTROPY_BASE64},
              Effect.DROP, None, "the value is base64 of a placeholder (cGFzc3dvcmQ= is "
              "\"password\", Y2hhbmdlbWU= \"changeme\"): a sample Kubernetes Secret"),
    # A password everyone knows is in every wordlist: writing it down leaks nothing. Where a
    # system really uses one, it is a default to change, which no leak finding will fix.
    Judgement("placeholder-password", "placeholder-password", PASSWORDS, Effect.DROP, None,
              "the password is a placeholder or a sample everyone knows (password, changeme, "
              "scott/tiger, your_password_here): in every wordlist, nothing secret leaks"),
    Judgement("user-as-password", "user-as-password", PASSWORDS, Effect.DROP, None,
              "the password is the user name (postgres:postgres, guest:guest), an image's "
              "documented default: nothing secret leaks"),
    Judgement("sample-default-password", "default-password", PASSWORDS, Effect.DROP, None,
              "a password everyone knows, found only in tests and documentation: an example, "
              "whatever host it names", also="sample-path"),
    # The same on a host that looks deployed: still no secret, but perhaps a system that really
    # runs with its default, which someone should look at.
    _lower("default-password", "default-password", PASSWORDS, Severity.LOW,
           "a password everyone knows (a placeholder, a default, the user name) on a host that "
           "looks deployed (a dotted name or an address): no secret leaks, but the system there "
           "may really use it: change it"),
    # RFC 9580 §6.1 has readers ignore a wrong CRC-24, so such a body may still import: kept,
    # low, for a person to look at (a hand-edited copy of a real key is still most of it).
    _lower("failed-key-checksum", "failed-key-checksum", frozenset({KEY_MARKER}), Severity.LOW,
           "a PGP private key block whose CRC-24 does not match its packets: corrupted, edited "
           "or made up; a real key's armour carries its own checksum"),
    _lower("api-documentation", "api-documentation", ANY, Severity.LOW,
           "in an API model's documentation string (an AWS SDK's service model, a Smithy "
           "model): a sample printed in the service's own reference"),
    _lower("presigned-url", "presigned-url", frozenset({"AWS Access Key ID", "AWS Access Key"}),
           Severity.LOW,
           "the key id is a presigned URL's credential parameter (X-Amz-Credential, "
           "AWSAccessKeyId): every presigned URL shows its key id, which names the key and is "
           "no secret, and a SigV4 URL's signature expires within 7 days"),
    Judgement("sample-failed-format", "failed-format-check", FORMAT_CHECKED, Effect.DROP, None,
              "the format's own detector rejected it, and it is found only in tests, "
              "documentation and templates (.env.sample): a made-up example of the format",
              also="sample-path"),
    _lower("failed-format-check", "failed-format-check", FORMAT_CHECKED, Severity.LOW,
           "the format's own detector rejected it where it is written: a documented example "
           "(AKIAIOSFODNN7EXAMPLE), a placeholder, a body that fails the format's checksum, or "
           "a run of a longer string (base64, a DNA sequence, an ARN) that merely holds its shape"),
    _lower("short-password", "short-password", PASSWORDS, Severity.LOW,
           f"the password has fewer than {SHORT} characters: a sample, or too weak to matter"),
    _lower("reserved-host", "reserved-host", PASSWORDS, Severity.INFO,
           "the host is a reserved documentation name or address (RFC 2606, 6761, 5737): "
           "nothing answers there"),
    _lower("placeholder-host", "placeholder-host", PASSWORDS, Severity.LOW,
           "the host is a placeholder to fill in (your-host, <host>, ${HOST})"),
    _lower("loopback-host", "loopback-host", PASSWORDS, Severity.MEDIUM,
           "the host is loopback: a local development database, reachable only on the machine"),
    _lower("placeholder-user", "placeholder-user", PASSWORDS, Severity.MEDIUM,
           "the user is a placeholder (user, username, scott)"),
    _lower("sample-password", "sample-path", PASSWORDS, Severity.LOW,
           "found only in tests and documentation, where a password is a fixture or an "
           "example unless shown otherwise"),
    _lower("sample-private-key", "sample-path", PRIVATE_KEYS, Severity.MEDIUM,
           "found only in tests and documentation, where a private key is usually a fixture "
           "(a test CA or server key): check that nothing in production trusts it"),
    _lower("sample-token", "sample-path", TOKENS, Severity.LOW,
           "found only in tests and documentation, where a JWT is a fixture or an example "
           "(and JWTs expire)"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Verdict:
    severity: Severity | None  # None: dropped
    applied: tuple[Judgement, ...]

    @property
    def reasons(self) -> str:
        return "; ".join(j.reason for j in self.applied)


def judged(detector: str, base: Severity, traits: Iterable[str], paths: Iterable[str]) -> Verdict:
    """``base`` (the detector's severity) after every judgement that applies to ``detector``
    with its traits: the lowest ceiling wins; a drop drops. A path trait holds when it holds
    for every path given (a secret also in a production file is judged by that file)."""
    present = set(traits)
    places = list(paths)
    for name, test in PATH_TRAITS.items():
        if places and all(test(p) for p in places):
            present.add(name)
    applied = tuple(
        j
        for j in JUDGEMENTS
        if (detector in j.detectors or j.detectors is ANY)
        and j.trait in present
        and (j.also is None or j.also in present)
    )
    if any(j.effect is Effect.DROP for j in applied):
        return Verdict(None, applied)
    severity = base
    for j in applied:
        if j.to is not None and j.to.rank < severity.rank:
            severity = j.to
    return Verdict(severity, applied)
