"""The values a caller sets in its own request, chosen together.

``conditions.py`` judges each condition on a caller-set key (``aws:SecureTransport``,
``aws:RequestedRegion``, ``aws:RequestTag/*``, ``aws:TagKeys``) with the caller's best value
for that one statement: an upper bound, since one request carries one value. When that bound
says the request may be allowed, :func:`joint_choices` lists the values worth trying together
(each value the relevant statements name, one they do not, and leaving the key out where the
caller may), and the request is evaluated once per combination, with the combination as known
values: the best answer is the caller's. An Allow that needs ``eu-west-1`` next to a Deny of
``eu-west-1`` is then not allowed.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

from nhiscan.providers.aws.policy.bound import PrincipalView, Target
from nhiscan.providers.aws.policy.conditions import UNLISTED, example
from nhiscan.providers.aws.policy.context import REQUEST_TAG, REQUESTED_REGION
from nhiscan.providers.aws.policy.matching import KeyValue, resolved_text

TRANSPORT = "aws:securetransport"
TAG_KEYS = "aws:tagkeys"
# Past this many combinations the per-statement bound is kept (never seen in real policies).
MOST = 256


def chosen(key: str, action: str) -> bool:
    """Whether the caller sets ``key`` (lower case) as it likes in a request for ``action``;
    IAM requests are always in us-east-1 (context.py)."""
    if key == REQUESTED_REGION:
        return not action.startswith("iam:")
    return key in (TRANSPORT, TAG_KEYS) or key.startswith(REQUEST_TAG)


def joint_choices(
    view: PrincipalView, target: Target, action: str, given: dict[str, KeyValue] | None
) -> list[dict[str, KeyValue]]:
    """Every combination of values worth trying for the caller-set keys the statements about
    ``action`` test; [] when they test none (or too many combinations)."""
    named: dict[str, set[str]] = {}
    for key, texts in _tested(view, target, action):
        if given is None or key not in given:
            named.setdefault(key, set()).update(texts)
    if not named:
        return []
    keys = sorted(named)
    options = [_options(key, named[key]) for key in keys]
    total = 1
    for values in options:
        total *= len(values)
    if total > MOST:
        return []
    return [dict(zip(keys, combo, strict=True)) for combo in product(*options)]


def _tested(view: PrincipalView, target: Target, action: str) -> Iterator[tuple[str, list[str]]]:
    bounds = [*view.identity, *([view.boundary] if view.boundary else [])]
    bounds += [b for _, level in view.scp_levels for b in level]
    if target.policy is not None:
        bounds.append(target.policy)
    for bound in bounds:
        if bound.document is None:
            continue
        for statement in bound.document.for_action(action):
            for condition in statement.conditions:
                if chosen(condition.key, action):
                    yield condition.key, [resolved_text(v.text) for v in condition.values]


def _options(key: str, texts: set[str]) -> list[KeyValue]:
    if key == TRANSPORT:
        return [("true",), ("false",)]
    found: list[KeyValue] = [(t,) for t in sorted({example(t) for t in texts} | {UNLISTED})]
    if key != REQUESTED_REGION:  # tags may be left out; a region is always named
        found.append(None)
    return found
