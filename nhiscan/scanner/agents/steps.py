"""Workflow steps in agent files: structured (``read: scheme://x``), raw actions (``actions:``
with ``resources:``) or one plain-English sentence (read by ``english/``). Each verb, reference
and verb-by-scheme pair is checked here, with its line, by the vocabulary that reads the
reference, so compiling never fails."""

from __future__ import annotations

from dataclasses import replace

import yaml

from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.language import BadReference, Vocabularies
from nhiscan.scanner.agents.model import Phrase, Step
from nhiscan.scanner.agents.vocabulary import Verb

STEP_KEYS = (*(v.value for v in Verb), "actions", "resources", "description")


def steps(
    node: y.Node, file: str, vocabularies: Vocabularies
) -> tuple[tuple[Step, ...], list[y.Problem]]:
    """The steps of a list; a step written once and repeated by alias (``- *step``) is read
    once, each use getting its own index."""
    steps, problems = [], []
    read: dict[int, Step] = {}
    for index, item in enumerate(y.sequence(node, file, "`steps`"), start=1):
        known = read.get(id(item))
        if known is not None:
            steps.append(replace(known, index=index))
            continue
        try:
            steps.append(read.setdefault(id(item), _step(item, index, file, vocabularies)))
        except y.Invalid as exc:
            problems.append(exc.problem)
    return tuple(steps), problems


def _step(node: y.Node, index: int, file: str, vocabularies: Vocabularies) -> Step:
    where = y.where(node, file)
    if isinstance(node, yaml.ScalarNode):
        sentence = y.text(node, file, f"step {index}")
        return Step(
            index=index,
            where=where,
            text=sentence,
            phrases=_sentence(node, sentence, file, vocabularies),
        )
    entries = y.mapping(node, file, f"step {index}")
    y.check_keys(entries, STEP_KEYS, file, f"step {index}")
    if "actions" in entries or "resources" in entries:
        return _raw_step(entries, node, index, file, vocabularies)
    phrases = []
    for key, (_, value) in entries.items():
        if key == "description":
            continue
        for item in y.items(value):
            reference = y.text(item, file, f"`{key}`")
            phrases.append(_phrase(Verb(key), reference, item, file, vocabularies))
    if not phrases:
        raise y.fail(node, file, f"step {index} names no verb (one of: {', '.join(Verb)})")
    shown = "; ".join(f"{p.verb}: {p.resource}" for p in phrases)
    return Step(index=index, where=where, text=shown, phrases=tuple(phrases))


def _raw_step(
    entries: dict[str, tuple[y.Node, y.Node]],
    node: y.Node,
    index: int,
    file: str,
    vocabularies: Vocabularies,
) -> Step:
    if "actions" not in entries or "resources" not in entries:
        raise y.fail(node, file, f"step {index}: `actions` and `resources` go together")
    verbs = [k for k in entries if k in {v.value for v in Verb}]
    if verbs:
        raise y.fail(node, file, f"step {index}: {verbs[0]!r} and `actions` cannot share a step")
    actions = []
    for item in y.items(entries["actions"][1]):
        action = y.text(item, file, "an action")
        if not vocabularies.is_action(action):
            hint = vocabularies.action_hint
            raise y.fail(item, file, f"{action!r} is not an action ({hint})")
        actions.append(action)
    resources = []
    for item in y.items(entries["resources"][1]):
        resource = y.text(item, file, "a resource")
        if resource != "*" and not vocabularies.owns_reference(resource):
            ids = " or ".join(f"{v.reference_noun}s" for v in vocabularies)
            raise y.fail(item, file, f'raw `resources` are {ids} or "*", not {resource!r}')
        resources.append(resource)
    text = f"actions: {', '.join(actions)} on {', '.join(resources)}"
    return Step(
        index=index,
        where=y.where(node, file),
        text=text,
        actions=tuple(actions),
        resources=tuple(resources),
    )


def _phrase(
    verb: Verb, reference: str, node: y.Node, file: str, vocabularies: Vocabularies
) -> Phrase:
    try:
        reason = vocabularies.owner(reference).check(verb, reference)
    except BadReference as exc:
        raise y.fail(node, file, str(exc)) from None
    if reason is not None:
        raise y.fail(node, file, f"{verb} on {reference.strip()}: {reason}")
    return Phrase(verb=verb, resource=reference)


def _sentence(
    node: y.Node, sentence: str, file: str, vocabularies: Vocabularies
) -> tuple[Phrase, ...]:
    from nhiscan.scanner.agents.english import SentenceError, parse_sentence

    try:
        found = parse_sentence(sentence, vocabularies)
    except SentenceError as exc:
        raise y.fail(node, file, f"cannot read the step with certainty: {exc.message}") from None
    return tuple(_phrase(p.verb, p.resource, node, file, vocabularies) for p in found)
