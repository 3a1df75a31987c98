"""What a match looks like, read while the secret is still in memory; only the trait names go
on to the exposure (scanner/secrets_judge.py judges by them):

- a password's user, host and value, off its line (``value_traits``);
- a vendor's documented sample (dropped whoever found it);
- a base64 entropy match that is an encoded file (an image, a font: dropped);
- what a generic plugin's value is instead of a secret (lookalikes.py): a digest, binary
  data, a key marker without a key, base64 of a placeholder, a count;
- a detect-secrets finding of a format nhiscan's own detector also reads (it has the format's
  prefix) that this detector does not accept: a body the format cannot have, a placeholder, a
  documented example, a failed checksum.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import replace

from nhiscan.connectors.git.secrets.detectors import (
    AWS_KEY_ID,
    AWS_SECRET_KEY,
    AZURE_STORAGE_KEY,
    DETECTORS,
    Detector,
)
from nhiscan.connectors.git.secrets.detectors.checks_vendor import DOCUMENTED_EXAMPLES
from nhiscan.connectors.git.secrets.lookalikes import (
    holds_key_marker,
    is_binary_data,
    is_digest,
    key_marker_trait,
)
from nhiscan.connectors.git.secrets.match import RANK_NHISCAN, Match
from nhiscan.scanner.secrets_judge import (
    ENTROPY,
    ENTROPY_BASE64,
    FORMAT_CHECKED,
    KEY_BODIES,
    KEY_MARKER,
    PASSWORDS,
    is_encoded_placeholder,
    is_mask,
    is_sequence,
    is_template,
    value_traits,
)

# detect-secrets' type -> the formats it claims: the prefix that says a secret claims one, and
# the nhiscan detector that reads that format. detect-secrets' AWS plugin also reports ids
# after A3T, ABIA (STS service bearer tokens) and ACCA (context-specific credentials), which
# nhiscan's key id detector does not read: their shape (``_OTHER_AWS_IDS``) is checked
# instead; its 40-character secret keys are checked by the body alone (``_BODY_ONLY``). GitLab's
# many token kinds are not checked here.
FORMAT_OWNERS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "AWS Access Key": (
        (re.compile(r"AKIA|ASIA"), AWS_KEY_ID),
        (re.compile(r"A3T|ABIA|ACCA"), "AWS key id (other prefixes)"),
        (re.compile(r"(?=[A-Za-z0-9/+]{40}$)"), AWS_SECRET_KEY),  # its secret access keys
    ),
    "Azure Storage Account access key": ((re.compile(r"AccountKey="), AZURE_STORAGE_KEY),),
    "GitHub Token": ((re.compile(r"gh[pousr]_"), "GitHub Classic Token"),),
    "Stripe Access Key": ((re.compile(r"[sr]k_live_"), "Stripe Live Secret Key"),),
    "OpenAI Token": ((re.compile(r"sk-"), "OpenAI API Key"),),
    "Slack Token": (
        (re.compile(r"xox[bpars]-"), "Slack API Token"),
        (re.compile(r"https://hooks\.slack\.com/"), "Slack Webhook URL"),
    ),
    "Telegram Bot Token": ((re.compile(r"[0-9]{8,10}:"), "Telegram Bot API Token"),),
    "SendGrid API Key": ((re.compile(r"SG\."), "Twilio SendGrid API Key"),),
    "Mailchimp Access Key": ((re.compile(r"[0-9a-z]{32}-us"), "Mailchimp API Key"),),
    "PyPI Token": ((re.compile(r"pypi-"), "PyPI API Token"),),
    "NPM tokens": ((re.compile(r"npm_"), "npm Access Token"),),
    "Square OAuth Secret": ((re.compile(r"sq0csp-"), "Square Application Secret"),),
}
# The shape of the AWS ids nhiscan's detector does not read: the prefix, 16 upper-case letters
# and digits, and nothing alphanumeric on either side (not a run of DNA or of base64).
_OTHER_AWS_IDS = Detector(
    name="AWS key id (other prefixes)",
    provider=None,
    pattern=re.compile(r"(?<![A-Za-z0-9+/])(?:A3T[A-Z0-9]|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9+/])"),
    keywords=(),
    rank=0,
)
_BY_NAME = {d.name: d for d in (*DETECTORS, _OTHER_AWS_IDS)}
AWS_KEY_IDS = frozenset({AWS_KEY_ID, "AWS Access Key"})  # nhiscan's row, detect-secrets' plugin
# Owners read by their validator alone: nhiscan's secret access key row needs a name before the
# value that detect-secrets' looser context ("aws", then "key" within 20 characters) does not,
# so its pattern would refuse a real key written so; its check of the body (random, mixed case,
# a digit) is what says a value cannot be a key.
_BODY_ONLY = frozenset({AWS_SECRET_KEY})
# Owners whose secret is the plugin's without the label in front: the Azure Storage plugin
# reports "AccountKey=<key>", nhiscan's row the key.
_LABELLED = frozenset({AZURE_STORAGE_KEY})
# Characters of the line on each side of the secret the owner's pattern is run on: enough for
# its look-arounds, and bounded on a long line.
_AROUND = 200


def with_traits(matches: Sequence[Match], lines: Sequence[str]) -> tuple[Match, ...]:
    bodies = {m.line for m in matches if KEY_BODIES.intersection(m.detectors)}
    return tuple(_in_context(_traced(m, lines, bodies), lines) for m in matches)


def _in_context(match: Match, lines: Sequence[str]) -> Match:
    """Traits of where the value is written, added to those of what it is."""
    if _in_api_documentation(match.secret, _line(match, lines)):
        return replace(match, traits=(*match.traits, "api-documentation"))
    return match


# The documentation strings of API models: AWS SDKs' service models ("documentation"), Smithy's
# JSON models ("smithy.api#documentation"). Their samples ("A token looks something like this:
# <code>…sig=…</code>") are the service's reference, printed for every reader.
_API_DOC = re.compile(r'"(?:smithy\.api#)?documentation" ?: ?"')
_QUOTE = re.compile(r'(?<!\\)"')


def _in_api_documentation(secret: str, line: str) -> bool:
    if '"documentation"' not in line and "#documentation" not in line:
        return False
    at = line.find(secret)
    opened = list(_API_DOC.finditer(line, 0, at)) if at > 0 else []
    return bool(opened) and _QUOTE.search(line, opened[-1].end(), at) is None


# Lines below a YAML key's line where its block value's first line is (``key: |`` then the
# value, or a blank line or a comment first).
_BELOW = 2


def _traced(match: Match, lines: Sequence[str], bodies: set[int] | None = None) -> Match:
    if is_documented_example(match.secret) or _in_documented_example(match, lines):
        return replace(match, traits=("documented-example",))
    if match.detector in PASSWORDS:
        return replace(
            match, traits=value_traits(match.detector, match.secret, _line(match, lines))
        )
    if match.detector == ENTROPY_BASE64 and is_encoded_file(match.secret):
        return replace(match, traits=("encoded-file",))
    if match.detector == KEY_MARKER:
        line = _line(match, lines)
        if _named_above(match.line, line, bodies):
            return replace(match, traits=("key-reported-below",))
        key = key_marker_trait(line, lines[match.line :])
        return replace(match, traits=(key,)) if key else match
    if match.detector in ENTROPY:
        generic = _entropy_trait(match, _line(match, lines))
        if generic is not None:
            return replace(match, traits=(generic,))
    masked = ("masked-value",) if match.rank < RANK_NHISCAN and _masked_after_prefix(match) else ()
    if match.rank < RANK_NHISCAN and not masked and is_sequence(match.secret):
        masked = ("counted-value",)
    if match.detector in FORMAT_CHECKED and _fails_its_format(match, _line(match, lines)):
        return replace(match, traits=("failed-format-check", *masked))
    if match.detector in AWS_KEY_IDS and _in_presigned_url(match.secret, _line(match, lines)):
        masked = (*masked, "presigned-url")
    return replace(match, traits=masked) if masked else match


# The key id as a presigned URL carries it: SigV4's X-Amz-Credential=<id>/<date>/<region>/…
# (the slash often URL-encoded), SigV2's AWSAccessKeyId=<id>&…&Signature=….
# https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html#RESTAuthenticationQueryStringAuth
_PRESIGNED = re.compile(
    r"X-Amz-Credential=(?P<v4>[A-Z0-9]{16,128})(?:%2F|/)|AWSAccessKeyId=(?P<v2>[A-Z0-9]{16,128})&"
)


def _in_presigned_url(secret: str, line: str) -> bool:
    """Every place the key id is on its line, in a presigned URL's credential parameter (a
    SigV2 one with its signature on the line)."""
    places = [m for m in _PRESIGNED.finditer(line) if secret in (m["v4"], m["v2"])]
    if not places or line.count(secret) != len(places):
        return False
    return all(m["v4"] or "Signature=" in line for m in places)


def _named_above(at: int, line: str, bodies: set[int] | None) -> bool:
    """A key marker reported on a line without one, just above a key nhiscan read: the line
    that names a YAML block value holding the key."""
    if not bodies or holds_key_marker(line):
        return False
    return any(at + step in bodies for step in range(1, _BELOW + 1))


def _entropy_trait(match: Match, line: str) -> str | None:
    if is_digest(match.secret, line):
        return "digest"
    if match.detector == ENTROPY_BASE64:
        if is_binary_data(match.secret):
            return "binary-data"
        if is_encoded_placeholder(match.secret):
            return "encoded-placeholder"
    return None


# What comes before a token's body when detect-secrets' plugin has no nhiscan owner: a short
# prefix and its separator ("glpat-", "xoxb-").
_GENERIC_PREFIX = re.compile(r"[A-Za-z0-9]{1,24}[-_.:]")


def _masked_after_prefix(match: Match) -> bool:
    """The value, or what follows its format's prefix, is a mask or a hole to fill in
    (``sk_live_xxxx…``, ``AKIAXXXXXXXXXXXXXXXX``, ``glpat-vvvv…``, ``ghp_${TOKEN}``): not a
    body at all. nhiscan's own detectors never report one (their validators refuse them)."""
    prefixes = [p for p, _ in FORMAT_OWNERS.get(match.detector, ())] + [_GENERIC_PREFIX]
    for prefix in prefixes:
        found = prefix.match(match.secret)
        if found is not None:
            body = match.secret[found.end() :]
            if body and (is_mask(body) or is_template(body)):
                return True
    return is_mask(match.secret)


# The first bytes of the binary formats code embeds as base64 (data: URLs, fixtures, bundled
# assets): images, fonts, archives, documents, WebAssembly. Three bytes or more each, and only
# on long values: a random key opens with one of them about once in sixteen million.
_FILE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"\x1f\x8b\x08",
    b"PK\x03\x04",
    b"%PDF-",
    b"wOFF",
    b"wOF2",
    b"OTTO",
    b"\x00\x01\x00\x00\x00",
    b"\x00asm",
    b"RIFF",
)
_FILE_MIN_LENGTH = 100  # base64 characters: 75 bytes, longer than any credential's value


def is_encoded_file(value: str) -> bool:
    """Base64 of a file (an image, a font, an archive), by the magic bytes it opens with."""
    if len(value) < _FILE_MIN_LENGTH:
        return False
    try:
        head = base64.b64decode(value[:24], validate=True)
    except (binascii.Error, ValueError):
        return False
    return head.startswith(_FILE_MAGIC)


def is_documented_example(secret: str) -> bool:
    """A sample a vendor prints in its documentation: the list of them, and AWS's convention
    of spelling EXAMPLE into its sample key ids and secret keys (``AKIAIOSFODNN7EXAMPLE``,
    ``…/bPxRfiCYEXAMPLEKEY``), which a random key never does."""
    return secret in DOCUMENTED_EXAMPLES or "EXAMPLE" in secret


def _in_documented_example(match: Match, lines: Sequence[str]) -> bool:
    """A plugin's secret that is part of a documented sample written on its line: detect-secrets'
    JWT plugin reports a token without its signature (its pattern ends lazily)."""
    if len(match.secret) < _PART_MIN or match.rank >= RANK_NHISCAN:
        return False
    line = _line(match, lines)
    return any(match.secret in sample and sample in line for sample in DOCUMENTED_EXAMPLES)


_PART_MIN = 16  # characters: a part shorter than this says nothing of where it comes from


def _line(match: Match, lines: Sequence[str]) -> str:
    return lines[match.line - 1] if 0 < match.line <= len(lines) else ""


def _fails_its_format(match: Match, line: str) -> bool:
    """Whether the detector of the format the secret claims rejects it where it is written:
    its pattern, look-arounds included, on the line around the secret, and its validator. A
    secret that is not on the line as written (found on a transformer's line, a YAML value
    folded over several) is judged alone."""
    for prefix, name in FORMAT_OWNERS[match.detector]:
        owner = _BY_NAME.get(name)
        claimed = prefix.match(match.secret)
        if owner is None or claimed is None:
            continue
        secret = match.secret[claimed.end() :] if name in _LABELLED else match.secret
        if name in _BODY_ONLY:
            return owner.validate is not None and not owner.validate(secret)
        at = line.find(match.secret)
        if at < 0:
            return not _accepted(owner, secret, secret)
        near = line[max(0, at - _AROUND) : at + len(match.secret) + _AROUND]
        return not _accepted(owner, near, secret)
    return False


def _accepted(owner: Detector, text: str, secret: str) -> bool:
    for found in owner.pattern.finditer(text):
        if (found.groupdict().get("secret") or found.group(0)) == secret:
            return owner.validate is None or owner.validate(secret)
    return False
