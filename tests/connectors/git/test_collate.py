"""One secret in several places of a repository (collate.merged): the result does not depend
on the order the places arrive in, and the finding is judged by its most severe place: a
judgement that lowers it survives only when every place where the naming detector found the
secret is judged as low."""

from __future__ import annotations

import itertools

from nhiscan.connectors.git.collate import merged
from nhiscan.connectors.git.secrets.match import RANK_NHISCAN, RANK_SPECIFIC, Match

SECRET = "Vq7xK2mPz9LwR4tNb8Yc"  # random, written for this test


def _match(detector: str, rank: int, traits: tuple[str, ...] = (), line: int = 1) -> Match:
    return Match(detector=detector, detectors=(detector,), provider=None, secret=SECRET,
                 line=line, rank=rank, traits=traits)  # fmt: skip


def _all_orders(*matches: Match) -> set[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    out = set()
    for order in itertools.permutations(matches):
        result = order[0]
        for match in order[1:]:
            result = merged(result, match)
        out.add((result.detector, tuple(sorted(result.detectors)), result.traits))
    return out


def test_two_detectors_as_specific_name_it_the_same_whatever_arrives_first() -> None:
    a, b = _match("Zeta Token", RANK_NHISCAN), _match("Alpha Token", RANK_NHISCAN)
    assert _all_orders(a, b) == {("Alpha Token", ("Alpha Token", "Zeta Token"), ())}


def test_the_more_specific_detector_names_it() -> None:
    generic, vendor = _match("Alpha Plugin", RANK_SPECIFIC), _match("Zeta Token", RANK_NHISCAN)
    assert {d for d, _, _ in _all_orders(generic, vendor)} == {"Zeta Token"}


def test_a_lowering_trait_holds_only_where_every_place_has_it() -> None:
    name = "Database URL Password"
    test_db = _match(name, RANK_NHISCAN, ("loopback-host", "placeholder-user"), line=3)
    local = _match(name, RANK_NHISCAN, ("loopback-host",), line=9)
    production = _match(name, RANK_NHISCAN, (), line=12)
    assert _all_orders(test_db, local) == {(name, (name,), ("loopback-host",))}
    assert _all_orders(test_db, local, production) == {(name, (name,), ())}
    failed = _match("AWS Access Key", RANK_SPECIFIC, ("failed-format-check",))
    written_right = _match("AWS Access Key", RANK_SPECIFIC, ())
    assert _all_orders(failed, written_right) == {("AWS Access Key", ("AWS Access Key",), ())}
    assert _all_orders(failed, failed) == {
        ("AWS Access Key", ("AWS Access Key",), ("failed-format-check",))
    }


def test_a_place_found_only_by_a_less_specific_detector_keeps_the_namers_traits() -> None:
    url = _match("Database URL Password", RANK_NHISCAN, ("placeholder-user",), line=94)
    keyword = _match("Secret Keyword", 0, (), line=296)  # "PASSWORD = '…'": no user to judge
    other_url = _match("Database URL Password", RANK_NHISCAN, ("loopback-host",), line=97)
    assert _all_orders(url, keyword) == {
        (
            "Database URL Password",
            ("Database URL Password", "Secret Keyword"),
            ("placeholder-user",),
        )
    }
    # Two places each judged medium (a placeholder user; loopback): medium, by one of them.
    assert {traits for _, _, traits in _all_orders(url, keyword, other_url)} == {("loopback-host",)}


def test_places_judged_differently_are_judged_by_the_most_severe() -> None:
    name = "Basic Auth Credentials"
    sample = _match(name, RANK_NHISCAN, ("placeholder-password",), line=3)  # dropped
    deployed = _match(name, RANK_NHISCAN, ("default-password", "placeholder-user"), line=9)
    real = _match(name, RANK_NHISCAN, ("placeholder-user",), line=12)  # medium
    assert _all_orders(sample, deployed) == {
        (name, (name,), ("default-password", "placeholder-user"))
    }
    assert _all_orders(sample, deployed, real) == {(name, (name,), ("placeholder-user",))}
    assert _all_orders(sample, sample) == {(name, (name,), ("placeholder-password",))}
