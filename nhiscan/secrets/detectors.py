"""nhiscan's own detectors, for the credentials of non-human identities that detect-secrets
lacks or handles weakly. Data, not logic: each entry is a line pattern, the lowercase keywords
the pre-filter looks for, an optional pure validator, and examples that the meta-test
(tests/secrets/test_detectors.py) checks: every ``examples`` line is found, every
``counter_examples`` line is not.

Pattern conventions: the pattern runs on one line (no newline inside a match). The named group
``secret`` is the secret (the whole match when absent); an optional named group ``id`` is a
public identifier that comes with it (an AWS access key id, a GCP private_key_id). Every match
must contain one of ``keywords`` (compared lowercased): the pre-filter only hands a detector the
lines that contain one of its keywords, so a keyword missing from a match loses that match.

Facts that need the whole file (an AWS key id and its secret key in the same file, the
``client_email`` next to a GCP ``private_key_id``) are joined by the functions in
``FILE_RULES``: ``(matches, lines) -> matches``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nhiscan.scanner.model import Provider
from nhiscan.secrets.match import Match


@dataclass(frozen=True, slots=True, kw_only=True)
class Detector:
    name: str  # the type shown in reports and keyed in baselines: "AWS Access Key ID"
    provider: Provider | None  # whose credential it is, when a cloud's
    pattern: re.Pattern[str]
    keywords: tuple[str, ...]  # lowercase; every match contains at least one
    rank: int  # specificity: when several detectors find one secret, the highest names it
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    validate: Callable[[str], bool] | None = None  # a pure check of the secret (checksum, ...)


# Ranks: detect-secrets' generic plugins (keyword, entropy) rank 0, its specific ones 10;
# these rank 20 so that an AWS key id found by both is named by the more precise detector.
RANK = 20

DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="AWS Access Key ID",
        provider=Provider.AWS,
        # Long-term (AKIA) and temporary (ASIA) key ids: 4 letters then 16 base32 characters.
        pattern=re.compile(r"(?<![A-Z0-9])(?P<secret>(?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Z0-9])"),
        keywords=("akia", "asia"),
        rank=RANK,
        examples=('aws_access_key_id = "AKIAZ7VRSQ5DXJQ4YEPX"', "ASIAZ7VRSQ5DXJQ4YEPX"),
        counter_examples=("AKIAZ7VRSQ5DXJQ4YEPX0", "akiaz7vrsq5dxjq4yepx"),
    ),
)

FileRule = Callable[[list[Match], Sequence[str]], list[Match]]

FILE_RULES: tuple[FileRule, ...] = ()
