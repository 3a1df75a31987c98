"""build_estate tells people from machines: tags, then the providers' classifiers, then a
workload identity. A record that says is_human is kept as it is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nhiscan.scanner.estate import build_estate
from nhiscan.scanner.humans import Verdict
from nhiscan.scanner.model import Credential, Identity, IdentityKind, Policy
from tests import factories as f


class Says:
    def __init__(self, verdict: Verdict | None) -> None:
        self.verdict = verdict
        self.asked: list[str] = []

    def classify(
        self, identity: Identity, credentials: Sequence[Credential], policies: Mapping[str, Policy]
    ) -> Verdict | None:
        self.asked.append(identity.id)
        return self.verdict


def sa(**overrides: object) -> Identity:
    return f.identity(kind=IdentityKind.SERVICE_ACCOUNT, id="sa@p", name="sa", **overrides)


def is_human(identity: Identity, *classifiers: Says) -> tuple[bool | None, str | None]:
    found = build_estate(f.snapshot(identity), classifiers).identities[identity.id]
    return found.is_human, found.human_reason


def test_without_a_classifier_an_untagged_identity_is_a_workload() -> None:
    assert is_human(sa()) == (False, "service-account is a workload identity")


def test_the_first_classifier_with_evidence_decides() -> None:
    silent, person, machine = Says(None), Says(Verdict(True, "a")), Says(Verdict(False, "b"))
    assert is_human(sa(), silent, person, machine) == (True, "a")
    assert silent.asked == ["sa@p"] and machine.asked == []


def test_tags_come_before_any_classifier() -> None:
    person = Says(Verdict(True, "a"))
    assert is_human(sa(tags={"nhi": "true"}), person) == (False, "tag nhi=true")
    assert person.asked == []


def test_a_record_that_says_is_kept() -> None:
    person = Says(Verdict(True, "a"))
    assert is_human(sa(is_human=False, human_reason="the provider says"), person) == (
        False,
        "the provider says",
    )
    assert person.asked == []
