"""Tokens: resource references, words and marks, matched against the lexicon into items, with
verb forms in noun position read as nouns."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from nhiscan.scanner.agents.english.lexicon import (
    _GET_AUXILIARIES,
    AMBIGUOUS,
    AUXILIARIES,
    DETERMINERS,
    HOMOGRAPHS,
    JOINERS,
    LEXICON,
    NEGATIONS,
    STOP_WORDS,
    AmbiguousWord,
    Entry,
)
from nhiscan.scanner.agents.english.rules import PREPOSITIONS
from nhiscan.scanner.agents.language import Vocabularies

_LEAD = "(\"'`\u201c\u2018"
_TRAIL = ".,;:!?)\"'`\u201d\u2019"
_WORD_OR_MARK = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[^\sa-z0-9]")
_ENDS = frozenset({";", "!", "?"})


class Kind(StrEnum):
    REF = "reference"
    VERB = "verb"
    AMBIGUOUS = "ambiguous"
    NOUN = "noun"  # a verb form read as a noun (rule 3)
    PREP = "preposition"
    JOIN = "joiner"
    NEG = "negation"
    AUX = "auxiliary"
    DET = "determiner"
    STOP = "stop word"
    THEN = "then"
    WORD = "unlisted word"
    MARK = "mark"
    END = "clause end"


@dataclass(frozen=True, slots=True)
class _Item:
    kind: Kind
    text: str  # lowercase word or phrase; a reference exactly as written
    meaning: Entry | AmbiguousWord | None = None


def _split_reference(chunk: str, reference_regex: re.Pattern[str]) -> tuple[str, str, str] | None:
    """(leading marks, reference, trailing marks) when the chunk is a reference: ``scheme://``
    or a registered vocabulary's own id form (``Vocabularies.reference_regex``)."""
    core = chunk.lstrip(_LEAD)
    reference = core.rstrip(_TRAIL)
    if not reference_regex.fullmatch(reference):
        return None
    return chunk[: len(chunk) - len(core)], reference, core[len(reference) :]


def _marks(marks: str, chunk_end: bool) -> Iterator[tuple[str, str]]:
    for index, mark in enumerate(marks):
        last = chunk_end and index == len(marks) - 1
        yield ("end" if mark in _ENDS or (mark == "." and last) else "mark"), mark


def _raw_tokens(text: str, vocabularies: Vocabularies) -> Iterator[tuple[str, str]]:
    """("ref" | "word" | "mark" | "end", text) for every token, in order."""
    for chunk in text.split():
        parts = _split_reference(chunk, vocabularies.reference_regex)
        if parts is not None:
            lead, reference, trail = parts
            yield from _marks(lead, chunk_end=False)
            yield "ref", reference
            yield from _marks(trail, chunk_end=True)
            continue
        pieces = _WORD_OR_MARK.findall(chunk.lower().replace("\u2019", "'").replace("\u2018", "'"))
        for index, piece in enumerate(pieces):
            if piece[0].isalnum():
                yield "word", piece
            else:
                yield from _marks(piece, chunk_end=index == len(pieces) - 1)


def resource_references(text: str, vocabularies: Vocabularies) -> tuple[str, ...]:
    """The resource references in text, as written (trailing punctuation stripped), in order of
    first appearance, without repeats."""
    found = (token for kind, token in _raw_tokens(text, vocabularies) if kind == "ref")
    return tuple(dict.fromkeys(found))


def _malformed(text: str, vocabularies: Vocabularies) -> str | None:
    """A chunk that looks like a reference (contains "://", or starts like a registered
    vocabulary's own ids) but is not."""
    for chunk in text.split():
        core = chunk.lstrip(_LEAD).rstrip(_TRAIL)
        looks = "://" in core or vocabularies.owns_reference(core.lower())
        if looks and _split_reference(chunk, vocabularies.reference_regex) is None:
            return core
    return None


# --------------------------------------------------------------------------------------------
# Phrases and nouns


def _phrase_table() -> dict[tuple[str, ...], _Item]:
    table: dict[tuple[str, ...], _Item] = {}

    def add(phrase: str, item: _Item) -> None:
        key = tuple(phrase.split())
        if key in table:
            raise ValueError(f"lexicon: {phrase!r} is listed twice")
        table[key] = item

    for entry in LEXICON:
        for form in entry.forms:
            add(form, _Item(Kind.VERB, form, entry))
    for ambiguous in AMBIGUOUS:
        for form in ambiguous.forms:
            add(form, _Item(Kind.AMBIGUOUS, form, ambiguous))
    simple = (
        (PREPOSITIONS, Kind.PREP), (NEGATIONS, Kind.NEG), (AUXILIARIES, Kind.AUX),
        (("and", "or"), Kind.JOIN), (DETERMINERS, Kind.DET), (STOP_WORDS - {"then"}, Kind.STOP),
        (("then",), Kind.THEN),
    )  # fmt: skip
    for words, kind in simple:
        for word in words:
            add(word, _Item(kind, word))
    return table


_PHRASES = _phrase_table()
_LONGEST = max(len(key) for key in _PHRASES)
PARTICIPLES: frozenset[str] = frozenset(p for entry in LEXICON for p in entry.participles)
_NOMINAL = HOMOGRAPHS | PARTICIPLES


def _match(words: Sequence[str]) -> tuple[_Item, int]:
    """The longest table phrase at the start of words, or one unlisted word."""
    for length in range(min(_LONGEST, len(words)), 0, -1):
        item = _PHRASES.get(tuple(words[:length]))
        if item is not None:
            return item, length
    kind = Kind.DET if words[0].isdigit() else Kind.WORD
    return _Item(kind, words[0]), 1


def _items(text: str, vocabularies: Vocabularies) -> list[_Item]:
    raw = list(_raw_tokens(text, vocabularies))
    items: list[_Item] = []
    index = 0
    while index < len(raw):
        kind, token = raw[index]
        if kind != "word":
            mark_kind = Kind.JOIN if token in JOINERS else Kind.MARK
            items.append(_Item({"ref": Kind.REF, "end": Kind.END}.get(kind, mark_kind), token))
            index += 1
            continue
        run: list[str] = []
        for next_kind, next_token in raw[index : index + _LONGEST]:
            if next_kind != "word":
                break
            run.append(next_token)
        item, length = _match(run)
        items.append(item)
        index += length
    return _nouns(_get_auxiliaries(items))


def _get_auxiliaries(items: list[_Item]) -> list[_Item]:
    """ "get"/"gets" before a past participle is the passive auxiliary ("gets deleted")."""
    out = list(items)
    for index, item in enumerate(items[:-1]):
        following = items[index + 1]
        participle = following.kind is Kind.VERB and following.text in PARTICIPLES
        if item.text in _GET_AUXILIARIES and participle:
            out[index] = _Item(Kind.AUX, item.text)
    return out


def _noun_position(previous: _Item | None) -> bool:
    if previous is None:
        return False
    if previous.kind is Kind.PREP:
        return previous.text != "to"
    return previous.kind in (Kind.DET, Kind.WORD, Kind.NOUN, Kind.VERB, Kind.AMBIGUOUS)


def _nouns(items: list[_Item]) -> list[_Item]:
    """Verb forms in noun position are nouns (rule 3)."""
    out: list[_Item] = []
    for item in items:
        previous = out[-1] if out else None
        verbal = item.kind in (Kind.VERB, Kind.AMBIGUOUS)
        if verbal and item.text in _NOMINAL and _noun_position(previous):
            item = _Item(Kind.NOUN, item.text)
        out.append(item)
    return out
