"""Suppressions in nhiscan.toml: what they match, when they expire, and how a bad entry is
refused."""

from __future__ import annotations

from datetime import date

import pytest

from nhiscan.app.config import settings_from_dict
from nhiscan.errors import ConfigError
from nhiscan.scanner.model import Finding, Provider, Severity
from nhiscan.scanner.suppress import Suppression, parse_suppressions, split
from tests.factories import NOW, days_ago


def _finding(rule_id: str, subject: str, fingerprint: str) -> Finding:
    return Finding(
        rule_id=rule_id,
        rule_name=f"name-of-{rule_id.lower()}",
        severity=Severity.HIGH,
        title="t.",
        subject=subject,
        provider=Provider.AWS,
        evidence={},
        fingerprint=fingerprint,
    )


VENDOR = _finding("NHI007", "arn:aws:iam::123456789012:role/vendor-sync", "f1")
OTHER = _finding("NHI007", "arn:aws:iam::123456789012:role/etl", "f2")
KEY = _finding("NHI001", "arn:aws:iam::123456789012:user/ci", "f3")


def _s(**kw: object) -> Suppression:
    return Suppression(reason="because", where="nhiscan.toml [[suppress]] #1", **kw)  # type: ignore[arg-type]


def test_a_rule_and_subject_glob_suppress_the_matching_findings_only() -> None:
    result = split([VENDOR, OTHER, KEY], [_s(rule="NHI007", subject="*:role/vendor-*")], NOW)
    assert result.kept == (OTHER, KEY)
    assert [(s.finding, s.by.reason) for s in result.suppressed] == [(VENDOR, "because")]
    assert result.expired == () and result.unused == ()


def test_a_rule_name_works_like_its_id_and_no_subject_means_every_subject() -> None:
    result = split([VENDOR, OTHER, KEY], [_s(rule="name-of-nhi007")], NOW)
    assert result.kept == (KEY,)


def test_a_fingerprint_suppresses_exactly_one_finding() -> None:
    result = split([VENDOR, OTHER, KEY], [_s(fingerprint="f3")], NOW)
    assert result.kept == (VENDOR, OTHER)


def test_an_expired_suppression_stops_suppressing_and_is_reported() -> None:
    yesterday = days_ago(1).date()
    expired = _s(rule="NHI001", expires=yesterday)
    today = _s(fingerprint="f1", expires=NOW.date())  # the expiry day itself still applies
    result = split([VENDOR, KEY], [expired, today], NOW)
    assert result.kept == (KEY,)
    assert result.expired == (expired,)
    assert [s.finding for s in result.suppressed] == [VENDOR]


def test_a_suppression_matching_nothing_is_reported_as_unused() -> None:
    stale = _s(rule="NHI999")
    assert split([VENDOR], [stale], NOW).unused == (stale,)


def test_nhiscan_toml_reads_suppressions_with_their_dates() -> None:
    settings = settings_from_dict(
        {
            "suppress": [
                {
                    "rule": "NHI007",
                    "subject": "*vendor*",
                    "reason": "vendor",
                    "expires": date(2027, 1, 31),
                },
                {"fingerprint": "abc", "reason": "fixture", "expires": "2027-02-01"},
            ]
        },
        source="nhiscan.toml",
    )
    first, second = settings.suppressions
    assert (first.rule, first.subject, first.expires) == ("NHI007", "*vendor*", date(2027, 1, 31))
    assert (second.fingerprint, second.expires, second.subject) == ("abc", date(2027, 2, 1), "*")
    assert second.where == "nhiscan.toml [[suppress]] #2"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"rule": "NHI007"}, "needs a reason"),
        ({"rule": "NHI007", "reason": "  "}, "reason must be non-empty"),
        ({"reason": "x"}, "either fingerprint or rule"),
        ({"rule": "NHI007", "fingerprint": "a", "reason": "x"}, "either fingerprint or rule"),
        ({"fingerprint": "a", "subject": "*", "reason": "x"}, "subject goes with rule"),
        ({"rule": "NHI007", "reason": "x", "expires": "soon"}, "expires must be a date"),
        ({"rule": "NHI007", "reason": "x", "until": "2027-01-01"}, "unknown key 'until'"),
    ],
)
def test_bad_suppressions_are_refused_naming_the_entry(
    entry: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_suppressions([{"rule": "NHI001", "reason": "ok"}, entry], source="nhiscan.toml")
    assert "nhiscan.toml [[suppress]] #2: " in str(raised.value)
    assert message in str(raised.value)


def test_suppress_must_be_an_array_of_tables() -> None:
    with pytest.raises(ConfigError, match=r"\[\[suppress\]\]"):
        parse_suppressions({"rule": "x"}, source="nhiscan.toml")
