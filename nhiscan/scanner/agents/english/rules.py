"""Cases and rules: the preposition before a resource gives its case, and :data:`RULES` maps
each verb class and case to verbs or to a refusal (data; docs/lexicon.md lists them)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from nhiscan.scanner.agents.english.lexicon import VerbClass
from nhiscan.scanner.agents.vocabulary import Verb


class Case(StrEnum):
    """A resource's relation to its verb, given by the preposition before it."""

    DIRECT = "direct object"
    SOURCE = "source"
    DESTINATION = "destination"
    PLACE = "place"
    WITH = "with"
    MEANS = "means"


PREPOSITIONS: Mapping[str, Case] = {
    "from": Case.SOURCE,
    "out of": Case.SOURCE,
    "to": Case.DESTINATION,
    "into": Case.DESTINATION,
    "onto": Case.DESTINATION,
    "in": Case.PLACE,
    "on": Case.PLACE,
    "at": Case.PLACE,
    "of": Case.PLACE,
    "under": Case.PLACE,
    "inside": Case.PLACE,
    "within": Case.PLACE,
    "for": Case.PLACE,
    "across": Case.PLACE,
    "through": Case.PLACE,
    "over": Case.PLACE,
    "with": Case.WITH,
    "against": Case.WITH,
    "using": Case.MEANS,
    "via": Case.MEANS,
}
_DIRECTIONAL = frozenset({Case.SOURCE, Case.DESTINATION})

# What each verb class does, by case: the verbs, or why it is refused ({word}, {prep}, {ref}).
Outcome = tuple[Verb, ...] | str
_TAKES_ONLY = (
    "'{word}' takes from a resource, but '{prep}' sends to {ref}; "
    "to store data there say 'write … {prep} {ref}'"
)
_NOT_TAKING = "'{word}' does not take from a resource; to read {ref} say 'read … from {ref}'"
_NOT_SENDING = (
    "'{word}' does not send data to a resource; to store data there say 'write … {prep} {ref}'"
)
_TOOL = (
    "'{prep}' makes {ref} a tool, not data '{word}' acts on; say what is done with {ref} "
    "(e.g. 'invoke {ref}', 'decrypt … with {ref}')"
)
_WITH = (
    "'{prep} {ref}' does not say what '{word}' does to {ref}; "
    "say 'from {ref}' to read it or 'to {ref}' to write it"
)

_READ, _LIST, _WRITE, _DELETE = (Verb.READ,), (Verb.LIST,), (Verb.WRITE,), (Verb.DELETE,)
_SOURCE_ONLY = {Case.DESTINATION: _TAKES_ONLY, Case.WITH: _WITH, Case.MEANS: _TOOL}


def _taking(verbs: tuple[Verb, ...]) -> dict[Case, Outcome]:
    return {Case.DIRECT: verbs, Case.SOURCE: verbs, Case.PLACE: verbs, **_SOURCE_ONLY}


def _transfer(source: tuple[Verb, ...]) -> dict[Case, Outcome]:
    return {
        Case.DIRECT: source, Case.SOURCE: source, Case.PLACE: source,
        Case.DESTINATION: _WRITE, Case.WITH: _WITH, Case.MEANS: _TOOL,
    }  # fmt: skip


def _keyed(verbs: tuple[Verb, ...], with_ok: bool) -> dict[Case, Outcome]:
    return {
        Case.DIRECT: verbs, Case.PLACE: verbs, Case.MEANS: verbs,
        Case.WITH: verbs if with_ok else _WITH,
        Case.SOURCE: _NOT_TAKING, Case.DESTINATION: _NOT_SENDING,
    }  # fmt: skip


RULES: Mapping[VerbClass, Mapping[Case, Outcome]] = {
    VerbClass.READ: {**_taking(_READ), Case.WITH: _READ},
    VerbClass.LIST: _taking(_LIST),
    VerbClass.CONSUME: _taking((Verb.CONSUME,)),
    VerbClass.DELETE: _taking(_DELETE),
    VerbClass.WRITE: {
        Case.DIRECT: _WRITE, Case.DESTINATION: _WRITE, Case.PLACE: _WRITE,
        Case.SOURCE: _READ, Case.WITH: _WITH, Case.MEANS: _TOOL,
    },
    VerbClass.COPY: _transfer(_READ),
    VerbClass.MOVE: _transfer((Verb.READ, Verb.DELETE)),
    VerbClass.PUBLISH: {
        Case.DIRECT: (Verb.PUBLISH,), Case.DESTINATION: (Verb.PUBLISH,),
        Case.PLACE: (Verb.PUBLISH,), Case.MEANS: (Verb.PUBLISH,),
        Case.SOURCE: _NOT_TAKING, Case.WITH: _WITH,
    },
    VerbClass.DECRYPT: _keyed((Verb.DECRYPT,), with_ok=True),
    VerbClass.ENCRYPT: _keyed((Verb.ENCRYPT,), with_ok=True),
    VerbClass.INVOKE: _keyed((Verb.INVOKE,), with_ok=False),
    VerbClass.ASSUME: _keyed((Verb.ASSUME,), with_ok=False),
}  # fmt: skip
# Classes whose directional preposition decides over a later place ("copy the file to the
# folder in s3://b" writes s3://b); for the others both must agree.
_DIRECTIONAL_DECIDES = frozenset({VerbClass.COPY, VerbClass.MOVE})
