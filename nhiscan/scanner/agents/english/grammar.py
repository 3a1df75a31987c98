"""Grammar: clauses, verb groups, binding resources to them by preposition and passive,
negation, and :func:`parse_sentence`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from nhiscan.scanner.agents.english.lexicon import AmbiguousWord, Entry, VerbClass
from nhiscan.scanner.agents.english.rules import (
    _DIRECTIONAL,
    _DIRECTIONAL_DECIDES,
    PREPOSITIONS,
    RULES,
    Case,
)
from nhiscan.scanner.agents.english.tokens import (
    PARTICIPLES,
    Kind,
    _Item,
    _items,
    _malformed,
    resource_references,
)
from nhiscan.scanner.agents.language import Vocabularies
from nhiscan.scanner.agents.vocabulary import Verb

# --------------------------------------------------------------------------------------------
# Public interface


@dataclass(frozen=True, slots=True, kw_only=True)
class Phrase:
    """One access a sentence asks for: ``verb`` on ``resource``, given by ``word``."""

    verb: Verb
    resource: str  # the reference exactly as written, trailing sentence punctuation stripped
    word: str  # the lexicon entry's headword that gave the verb ("extract", "look up")


class SentenceError(ValueError):
    """A sentence that cannot be mapped with certainty. ``message`` is one line for a person;
    ``words`` are the words it could not place (lowercase, as written)."""

    def __init__(self, message: str, words: tuple[str, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.words = words


# --------------------------------------------------------------------------------------------
# Clauses


def _verbal(item: _Item | None) -> bool:
    return item is not None and item.kind in (Kind.VERB, Kind.AMBIGUOUS)


def _then_joins(items: Sequence[_Item], index: int) -> bool:
    """ "then" between two verbs ("read and then update") joins them."""
    before = index - 1
    while before >= 0 and items[before].kind is Kind.JOIN:
        before -= 1
    after = items[index + 1] if index + 1 < len(items) else None
    return before >= 0 and _verbal(items[before]) and _verbal(after)


def _clauses(items: Sequence[_Item]) -> list[list[_Item]]:
    clauses: list[list[_Item]] = [[]]
    for index, item in enumerate(items):
        if item.kind is Kind.THEN and _then_joins(items, index):
            clauses[-1].append(_Item(Kind.JOIN, item.text))
        elif item.kind in (Kind.END, Kind.THEN):
            clauses.append([])
        else:
            clauses[-1].append(item)
    return [clause for clause in clauses if clause]


# --------------------------------------------------------------------------------------------
# Binding resources to verb groups


@dataclass(frozen=True, slots=True)
class _Group:
    start: int
    end: int  # exclusive
    members: tuple[_Item, ...]
    passive: bool  # after an auxiliary, every lexicon verb a past participle


@dataclass(frozen=True, slots=True)
class _Binding:
    reference: str
    group: _Group
    cases: tuple[Case, ...]  # one, or (directional, last) to agree
    preps: tuple[str, ...]


def _groups(clause: Sequence[_Item]) -> list[_Group]:
    groups: list[_Group] = []
    index = 0
    while index < len(clause):
        if not _verbal(clause[index]):
            index += 1
            continue
        start, end = index, index + 1
        while True:
            joiners = end
            while joiners < len(clause) and clause[joiners].kind is Kind.JOIN:
                joiners += 1
            if joiners == end or joiners >= len(clause) or not _verbal(clause[joiners]):
                break
            end = joiners + 1
        members = tuple(item for item in clause[start:end] if _verbal(item))
        groups.append(_Group(start, end, members, _is_passive(clause, start, members)))
        index = end
    return groups


def _is_passive(clause: Sequence[_Item], start: int, members: tuple[_Item, ...]) -> bool:
    after_aux = start > 0 and clause[start - 1].kind is Kind.AUX
    return after_aux and all(m.kind is Kind.AMBIGUOUS or m.text in PARTICIPLES for m in members)


def _passive_after(
    clause: Sequence[_Item], index: int, groups: Mapping[int, _Group]
) -> _Group | None:
    """The passive group whose subject the resource at index is, if any."""
    skip = (Kind.JOIN, Kind.MARK, Kind.REF)
    following = index + 1
    while following < len(clause) and clause[following].kind in skip:
        following += 1
    group = groups.get(following + 1)
    if following < len(clause) and clause[following].kind is Kind.AUX and group is not None:
        return group if group.passive else None
    return None


def _quoted(words: Iterable[str]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def _content_words(items: Iterable[_Item]) -> tuple[str, ...]:
    return tuple(i.text for i in items if i.kind in (Kind.WORD, Kind.NOUN))


def _ungoverned(reference: str, before: Sequence[_Item]) -> SentenceError:
    words = _content_words(before)
    said = f"the words before it are {_quoted(words)}" if words else "nothing before it does"
    nouns = [item.text for item in before if item.kind is Kind.NOUN]
    if nouns:
        said += f"; {_quoted(nouns)} can be a noun and is read as one here"
    return SentenceError(
        f"cannot place {reference}: no verb from the lexicon governs it ({said}); start the "
        f"clause with a verb from docs/lexicon.md, e.g. 'read {reference}'",
        words,
    )


def _carry_broken(span: Sequence[_Item]) -> bool:
    """After a resource, a joiner then an unlisted word (maybe a verb the lexicon lacks)."""
    if not span or span[0].kind is not Kind.JOIN:
        return False
    rest = [item for item in span if item.kind not in (Kind.JOIN, Kind.MARK)]
    return bool(rest) and rest[0].kind is Kind.WORD


def _cases(
    span: Sequence[_Item], previous: _Binding | None
) -> tuple[tuple[Case, ...], tuple[str, ...]]:
    if previous is not None and all(i.kind in (Kind.JOIN, Kind.MARK) for i in span):
        return previous.cases, previous.preps  # coordinated with the previous resource
    preps = [item.text for item in span if item.kind is Kind.PREP]
    if not preps:
        return (Case.DIRECT,), ()
    last = preps[-1]
    directional = [p for p in preps if PREPOSITIONS[p] in _DIRECTIONAL]
    if not directional or directional[-1] == last:
        return (PREPOSITIONS[last],), (last,)
    return (PREPOSITIONS[directional[-1]], PREPOSITIONS[last]), (directional[-1], last)


def _bind(
    clause: Sequence[_Item],
    index: int,
    anchor: int,
    current: _Group | None,
    previous: _Binding | None,
    groups: Mapping[int, _Group],
) -> _Binding:
    reference = clause[index].text
    span = clause[anchor + 1 : index]
    passive = _passive_after(clause, index, groups)
    if current is None:
        if passive is None:
            raise _ungoverned(reference, span)
        group = passive
    else:
        if passive is not None:
            active, after = current.members[-1].text, passive.members[0].text
            raise SentenceError(
                f"cannot place {reference}: '{active}' before it and '{after}' after it both "
                "claim it; split the sentence so that one verb governs it",
                (active, after),
            )
        group = current
        if previous is not None and _carry_broken(span):
            words = _content_words(span)
            raise SentenceError(
                f"cannot place {reference}: after {previous.reference}, {_quoted(words)} is not "
                f"in the lexicon and may be a verb; put a verb from docs/lexicon.md before "
                f"{reference}, e.g. 'read {reference}'",
                words,
            )
    cases, preps = _cases(span, previous)
    return _Binding(reference, group, cases, preps)


def _bindings(clause: Sequence[_Item], groups: Sequence[_Group]) -> list[_Binding]:
    starts = {group.start: group for group in groups}
    bindings: list[_Binding] = []
    current: _Group | None = None
    previous: _Binding | None = None
    anchor, index = -1, 0
    while index < len(clause):
        group = starts.get(index)
        if group is not None:
            current, previous, anchor, index = group, None, group.end - 1, group.end
            continue
        if clause[index].kind is Kind.REF:
            previous = _bind(clause, index, anchor, current, previous, starts)
            bindings.append(previous)
            anchor = index
        index += 1
    return bindings


# --------------------------------------------------------------------------------------------
# Verbs from bindings


def _outcome(member: _Item, binding: _Binding) -> tuple[Verb, ...]:
    entry = member.meaning
    if not isinstance(entry, Entry):
        raise TypeError("an ambiguous word has no outcome")
    rules = RULES[entry.verb_class]
    cases = binding.cases[:1] if entry.verb_class in _DIRECTIONAL_DECIDES else binding.cases
    outcomes = [rules[case] for case in cases]
    if any(outcome != outcomes[0] for outcome in outcomes):
        first, last = binding.preps
        raise SentenceError(
            f"cannot place {binding.reference}: after '{member.text}', it may go with "
            f"'{first}' or with '{last}'; put the preposition that matters right before it, "
            f"e.g. '{first} {binding.reference}'",
            (first, last),
        )
    if isinstance(outcomes[0], str):
        prep = binding.preps[-1] if binding.preps else ""
        reason = outcomes[0].format(word=member.text, prep=prep, ref=binding.reference)
        raise SentenceError(f"cannot place {binding.reference}: {reason}", (member.text, prep))
    return outcomes[0]


def _check_ambiguous(binding: _Binding, vocabularies: Vocabularies) -> None:
    for member in binding.group.members:
        if isinstance(member.meaning, AmbiguousWord):
            advice = member.meaning.advice.replace("{key}", vocabularies.example("key"))
            raise SentenceError(
                f"cannot place {binding.reference}: '{member.text}' {advice}",
                (member.text,),
            )


def _phrases(
    bindings: Sequence[_Binding], vocabularies: Vocabularies
) -> Iterator[tuple[_Group, _Item, Phrase]]:
    for binding in bindings:
        _check_ambiguous(binding, vocabularies)
        for member in binding.group.members:
            assert isinstance(member.meaning, Entry)
            for verb in _outcome(member, binding):
                phrase = Phrase(verb=verb, resource=binding.reference, word=member.meaning.word)
                yield binding.group, member, phrase


def _check_unplaced(
    groups: Sequence[_Group],
    found: Sequence[tuple[_Group, _Item, Phrase]],
    vocabularies: Vocabularies,
) -> None:
    """Verbs that govern no resource (rule 9), and moves with no source."""
    for group in groups:
        placed = [(member, p) for g, member, p in found if g is group]
        for member in group.members:
            entry = member.meaning
            if not isinstance(entry, Entry):
                continue
            if not placed and not entry.in_hand:
                raise SentenceError(
                    f"'{member.text}' names no resource: say what it acts on, e.g. "
                    f"'{member.text} {vocabularies.example(entry.verb_class)}'",
                    (member.text,),
                )
            deletes = any(m is member and p.verb is Verb.DELETE for m, p in placed)
            if placed and entry.verb_class is VerbClass.MOVE and not deletes:
                raise SentenceError(
                    f"'{member.text}' names no source: a move deletes what it moves, so say "
                    f"where from, e.g. '{member.text} {vocabularies.example(VerbClass.MOVE)}'",
                    (member.text,),
                )


def _clause_phrases(clause: Sequence[_Item], vocabularies: Vocabularies) -> list[Phrase]:
    has_reference = any(item.kind is Kind.REF for item in clause)
    negation = next((item.text for item in clause if item.kind is Kind.NEG), None)
    if negation is not None:
        if not has_reference:
            return []  # what the agent does not do needs no access
        raise SentenceError(
            f"negation: '{negation}' — list only what the agent does; use a separate step for "
            "anything else",
            (negation,),
        )
    groups = _groups(clause)
    found = list(_phrases(_bindings(clause, groups), vocabularies))
    _check_unplaced(groups, found, vocabularies)
    return [phrase for _, _, phrase in found]


def parse_sentence(text: str, vocabularies: Vocabularies) -> tuple[Phrase, ...]:
    """Every (verb, resource) the sentence asks for, in order of appearance, without repeats.
    Raises SentenceError when any resource cannot be mapped with certainty. References are
    read with the registered vocabularies (their id forms, and their examples in messages)."""
    read = vocabularies.example(VerbClass.READ)
    malformed = _malformed(text, vocabularies)
    if malformed is not None:
        raise SentenceError(
            f"'{malformed}' looks like a resource reference but is not one: write "
            f"scheme://name with a lowercase scheme (e.g. {read}) or {vocabularies.ids(full=True)}",
            (malformed,),
        )
    if not resource_references(text, vocabularies):
        raise SentenceError(f"names no resource: write e.g. 'read {read}'", ())
    phrases: dict[tuple[Verb, str], Phrase] = {}
    for clause in _clauses(_items(text, vocabularies)):
        for phrase in _clause_phrases(clause, vocabularies):
            phrases.setdefault((phrase.verb, phrase.resource), phrase)
    return tuple(phrases.values())
