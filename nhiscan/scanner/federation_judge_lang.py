"""Regular languages of claim values, small enough to decide exactly (issue #20).

A trust's test ``sub LIKE repo:acme*`` is a language (every string the glob matches); a
question such as "a repository of an owner other than acme" is another. Whether the trust
admits such a token is whether the two intersect, and a glob cannot be read for that by eye:
``repo:acme*`` admits ``repo:acme-evil/x`` while ``repo:acme/*`` does not. So both sides are
nondeterministic automata and :func:`solve` searches their product, determinising on the fly
(the subset construction, one subset per automaton), which also gives complements for the
negated tests: a witness string, or None when the languages do not meet.

The alphabet is infinite, but the automata only ever name finitely many characters: every
character a pattern or a question spells out is a symbol of its own, and two more stand for
all the others, one for the unnamed letters and digits (a repository name may use them) and
one for the rest (a name may not). Character sets (:class:`Chars`) answer for both, so the
search over this finite alphabet is exact for the infinite one.
"""

from __future__ import annotations

import string
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

_ALNUM = frozenset(string.ascii_letters + string.digits)
# The two symbols that stand for every character no automaton names.
OTHER_ALNUM = "\x00alnum"
OTHER = "\x00other"


@dataclass(frozen=True, slots=True)
class Chars:
    """A set of characters: everything (``any``), the ASCII letters and digits with
    ``extra`` (``name``), or exactly ``extra``; less ``excluded`` in each case."""

    kind: str  # "any", "name" or "only"
    extra: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    def named(self) -> frozenset[str]:
        return self.extra | self.excluded

    def has(self, symbol: str) -> bool:
        if symbol in self.excluded:
            return False
        if symbol == OTHER_ALNUM:
            return self.kind in ("any", "name")
        if symbol == OTHER:
            return self.kind == "any"
        if self.kind == "any" or symbol in self.extra:
            return True
        return self.kind == "name" and symbol in _ALNUM

    def without(self, chars: Iterable[str]) -> Chars:
        return Chars(self.kind, self.extra, self.excluded | frozenset(chars))


ANY = Chars("any")


def one(char: str, ignore_case: bool = False) -> Chars:
    chars = {char.lower(), char.upper()} if ignore_case else {char}
    return Chars("only", frozenset(chars))


@dataclass(slots=True)
class Lang:
    """A nondeterministic automaton: state 0 starts; ``moves[s]`` are (characters, next
    state) pairs; ``free[s]`` the states reached without reading. Built by the functions
    below, never by hand."""

    size: int = 1
    moves: dict[int, list[tuple[Chars, int]]] = field(default_factory=dict)
    free: dict[int, list[int]] = field(default_factory=dict)
    accept: set[int] = field(default_factory=set)
    # The subsets ``step`` reached: a solve revisits them for every product state.
    _steps: dict[tuple[frozenset[int], str], frozenset[int]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _named: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _options: dict[frozenset[int], frozenset[str] | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    def _state(self) -> int:
        self.size += 1
        return self.size - 1

    def _move(self, src: int, chars: Chars, dst: int) -> None:
        self.moves.setdefault(src, []).append((chars, dst))

    def _free(self, src: int, dst: int) -> None:
        self.free.setdefault(src, []).append(dst)

    def named(self) -> frozenset[str]:
        if self._named is None:
            self._named = frozenset(c for moves in self.moves.values() for chars, _ in moves
                                    for c in chars.named())  # fmt: skip
        return self._named

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        found, todo = set(states), list(states)
        while todo:
            for nxt in self.free.get(todo.pop(), ()):
                if nxt not in found:
                    found.add(nxt)
                    todo.append(nxt)
        return frozenset(found)

    def step(self, states: frozenset[int], symbol: str) -> frozenset[int]:
        found = self._steps.get((states, symbol))
        if found is None:
            reached = {dst for s in states for chars, dst in self.moves.get(s, ())
                       if chars.has(symbol)}  # fmt: skip
            found = self._steps[(states, symbol)] = self.closure(reached)
        return found

    def options(self, states: frozenset[int]) -> frozenset[str] | None:
        """The characters some move from ``states`` reads when every such move reads named
        characters only (a literal's next one); None when a move reads a whole class."""
        if states in self._options:
            return self._options[states]
        found: set[str] | None = set()
        for chars, _ in (move for state in states for move in self.moves.get(state, ())):
            if chars.kind != "only":
                found = None
                break
            found |= chars.extra - chars.excluded  # type: ignore[operator]
        self._options[states] = None if found is None else frozenset(found)
        return self._options[states]

    def accepts(self, text: str) -> bool:
        states = self.closure([0])
        for char in text:
            states = self.step(states, char)
            if not states:
                return False
        return bool(states & self.accept)


def _embed(into: Lang, part: Lang) -> tuple[int, set[int]]:
    """Copy ``part``'s states into ``into``: its start and its accepting states there."""
    offset = into.size
    into.size += part.size
    for src, moves in part.moves.items():
        for chars, dst in moves:
            into._move(src + offset, chars, dst + offset)
    for src, dsts in part.free.items():
        for dst in dsts:
            into._free(src + offset, dst + offset)
    return offset, {s + offset for s in part.accept}


def seq(*parts: Lang | str) -> Lang:
    """The concatenation of ``parts`` (a str is that literal string)."""
    out = Lang()
    ends = {0}
    for part in parts:
        lang = literal(part) if isinstance(part, str) else part
        start, accept = _embed(out, lang)
        for end in ends:
            out._free(end, start)
        ends = accept
    out.accept = set(ends)
    return out


def alt(*parts: Lang | str) -> Lang:
    """The union of ``parts``."""
    out = Lang()
    for part in parts:
        lang = literal(part) if isinstance(part, str) else part
        start, accept = _embed(out, lang)
        out._free(0, start)
        out.accept |= accept
    return out


@lru_cache(maxsize=4096)
def literal(text: str, ignore_case: bool = False) -> Lang:
    """``text`` itself (built once per text: an automaton is never changed once built)."""
    out = Lang()
    state = 0
    for char in text:
        nxt = out._state()
        out._move(state, one(char, ignore_case), nxt)
        state = nxt
    out.accept = {state}
    return out


def many(chars: Chars, at_least: int = 1) -> Lang:
    """``at_least`` or more characters of ``chars``."""
    out = Lang()
    state = 0
    for _ in range(at_least):
        nxt = out._state()
        out._move(state, chars, nxt)
        state = nxt
    out._move(state, chars, state)
    out.accept = {state}
    return out


@lru_cache(maxsize=4096)
def glob(pattern: str, ignore_case: bool = False) -> Lang:
    """``*`` any run of characters, ``?`` any one, anything else itself (AWS StringLike);
    built once per pattern."""
    out = Lang()
    state = 0
    for char in pattern:
        if char == "*":
            out._move(state, ANY, state)
            continue
        nxt = out._state()
        out._move(state, ANY if char == "?" else one(char, ignore_case), nxt)
        state = nxt
    out.accept = {state}
    return out


def but(words: Iterable[str], chars: Chars, ignore_case: bool = False) -> Lang:
    """One or more characters of ``chars``, none of ``words``: "a repository other than
    these" (a trie whose word ends do not accept, and a sink for every other string). With
    ``ignore_case``, no word in any case either (GitHub's and GitLab's names are one name
    whatever their case)."""
    if ignore_case:
        words = {word.lower() for word in words}
    out = Lang()
    sink = out._state()
    out._move(sink, chars, sink)
    out.accept = {sink}
    children: dict[int, dict[str, int]] = {}
    ends: set[int] = set()
    for word in set(words):
        state = 0
        for char in word:
            nxt = children.setdefault(state, {}).get(char)
            if nxt is None:
                nxt = out._state()
                children[state][char] = nxt
            state = nxt
        ends.add(state)
    for state in range(out.size):
        if state == sink:
            continue
        kids = children.get(state, {})
        for char, nxt in kids.items():
            if chars.has(char):
                out._move(state, one(char, ignore_case), nxt)
        cased = {c for k in kids for c in (k.lower(), k.upper())} if ignore_case else set(kids)
        out._move(state, chars.without(cased), sink)
        if state != 0 and state not in ends:
            out.accept.add(state)
    return out


def _representatives(named: frozenset[str]) -> dict[str, str]:
    """A real character for each stand-in symbol, one no automaton names (for witnesses)."""
    alnum = next((c for c in "xqzjkvwy0123456789" + string.ascii_letters if c not in named), "x")
    other = next((c for c in "_~+!%&=" if c not in named), "\u00b7")
    return {OTHER_ALNUM: alnum, OTHER: other}


def solve(must: Sequence[Lang], must_not: Sequence[Lang] = ()) -> str | None:
    """A shortest string in every language of ``must`` and in none of ``must_not``, or None
    when there is none. Breadth-first over the product of the automata's subsets."""
    langs = [*must, *must_not]
    named = frozenset().union(*(lang.named() for lang in langs))
    alphabet = [OTHER_ALNUM, *sorted(named), OTHER]  # a made-up letter first: readable witnesses
    start = tuple(lang.closure([0]) for lang in langs)
    split = len(must)
    parents: dict[tuple[frozenset[int], ...], tuple[tuple[frozenset[int], ...], str] | None]
    parents = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if _accepting(langs, node, split):
            return _unwind(parents, node, _representatives(named))
        narrow = _narrow(langs, node, split)
        for symbol in alphabet if narrow is None else [s for s in alphabet if s in narrow]:
            nxt = _step(langs, node, symbol, split)
            if nxt is None or nxt in parents:
                continue
            parents[nxt] = (node, symbol)
            queue.append(nxt)
    return None


def _narrow(
    langs: Sequence[Lang], node: tuple[frozenset[int], ...], split: int
) -> frozenset[str] | None:
    """The only characters worth trying next: those every automaton that must accept and
    reads named characters only here (a literal, a glob's literal run) could read."""
    narrow: frozenset[str] | None = None
    for lang, states in zip(langs[:split], node, strict=False):
        found = lang.options(states)
        if found is not None:
            narrow = found if narrow is None else narrow & found
    return narrow


def _step(
    langs: Sequence[Lang], node: tuple[frozenset[int], ...], symbol: str, split: int
) -> tuple[frozenset[int], ...] | None:
    """Every automaton's subset after ``symbol``; None as soon as one that must accept has
    none left (most symbols end the first, the question, at once: ask it first)."""
    found = []
    for index, (lang, states) in enumerate(zip(langs, node, strict=True)):
        reached = lang.step(states, symbol)
        if not reached and index < split:
            return None
        found.append(reached)
    return tuple(found)


def _accepting(langs: Sequence[Lang], node: tuple[frozenset[int], ...], split: int) -> bool:
    for index, (lang, states) in enumerate(zip(langs, node, strict=True)):
        if bool(states & lang.accept) != (index < split):
            return False
    return True


def _unwind(
    parents: dict[tuple[frozenset[int], ...], tuple[tuple[frozenset[int], ...], str] | None],
    node: tuple[frozenset[int], ...],
    stand_in: dict[str, str],
) -> str:
    chars: list[str] = []
    link = parents[node]
    while link is not None:
        node, symbol = link
        chars.append(stand_in.get(symbol, symbol))
        link = parents[node]
    return "".join(reversed(chars))
