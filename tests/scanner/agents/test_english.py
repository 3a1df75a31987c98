"""Plain-English steps: a corpus of sentences with their exact phrases or exact errors, and
meta-tests of the lexicon tables against docs/lexicon.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from nhiscan.scanner.agents.english import (
    AMBIGUOUS,
    AUXILIARIES,
    HOMOGRAPHS,
    LEXICON,
    NEGATIONS,
    PREPOSITIONS,
    RULES,
    Case,
    Phrase,
    SentenceError,
    VerbClass,
    parse_sentence,
    resource_references,
)
from nhiscan.scanner.agents.vocabulary import Verb
from tests.factories import vocabularies

VOCABULARIES = vocabularies()

R, L, W, D = Verb.READ, Verb.LIST, Verb.WRITE, Verb.DELETE
P, C, DEC, ENC = Verb.PUBLISH, Verb.CONSUME, Verb.DECRYPT, Verb.ENCRYPT
INV, ASM = Verb.INVOKE, Verb.ASSUME

DOC = Path(__file__).resolve().parents[3] / "docs" / "lexicon.md"


@dataclass(frozen=True)
class Fails:
    """An expected error: a substring of its message and its exact words."""

    says: str
    words: tuple[str, ...]


# (sentence, exact (verb, resource) pairs in order, or the expected error)
CORPUS: list[tuple[str, tuple[tuple[Verb, str], ...] | Fails]] = [
    # the example sentence: two read verbs, prepositions that only locate
    (
        "Extract coverage amounts from insurance certificates in s3://certs and compare them "
        "with the minimums in dynamodb://lending-policy",
        ((R, "s3://certs"), (R, "dynamodb://lending-policy")),
    ),
    # several resources after one verb; trailing punctuation; capitals
    ("READ s3://a, s3://b, and s3://c.", ((R, "s3://a"), (R, "s3://b"), (R, "s3://c"))),
    ("Read (s3://a) and `s3://b`!", ((R, "s3://a"), (R, "s3://b"))),
    # coordinated verbs, deduplicated within the group
    ("read, summarise and store s3://x", ((R, "s3://x"), (W, "s3://x"))),
    ("Read and update dynamodb://t", ((R, "dynamodb://t"), (W, "dynamodb://t"))),
    ("Read and then update dynamodb://t", ((R, "dynamodb://t"), (W, "dynamodb://t"))),
    # a new verb takes over
    ("Read s3://a and write the summary to s3://b", ((R, "s3://a"), (W, "s3://b"))),
    # write verbs: from marks a source
    ("Store the totals from s3://a in dynamodb://b", ((R, "s3://a"), (W, "dynamodb://b"))),
    (
        "Update dynamodb://t with the totals from s3://a",
        ((W, "dynamodb://t"), (R, "s3://a")),
    ),
    (
        "Store the totals from the reports in s3://a",
        Fails("it may go with 'from' or with 'in'", ("from", "in")),
    ),
    # transfer verbs: two roles
    ("Copy s3://a to s3://b", ((R, "s3://a"), (W, "s3://b"))),
    (
        "Move the reports from s3://inbox to s3://archive",
        ((R, "s3://inbox"), (D, "s3://inbox"), (W, "s3://archive")),
    ),
    ("Copy the files in s3://a to the folder in s3://b", ((R, "s3://a"), (W, "s3://b"))),
    ("Import the CSV from s3://a into dynamodb://b", ((R, "s3://a"), (W, "dynamodb://b"))),
    ("Back up dynamodb://orders to s3://backups", ((R, "dynamodb://orders"), (W, "s3://backups"))),
    ("Move the files to s3://b", Fails("'move' names no source", ("move",))),
    # passive
    ("The reports in s3://inbox are read", ((R, "s3://inbox"),)),
    ("s3://x is then updated", ((W, "s3://x"),)),
    ("The files get deleted from s3://tmp", ((D, "s3://tmp"),)),
    ("The files in s3://a are copied to s3://b", ((R, "s3://a"), (W, "s3://b"))),
    (
        "Read s3://a and s3://b are updated",
        Fails("'read' before it and 'updated' after it", ("read", "updated")),
    ),
    # multiword phrases, "then" and ";" splitting clauses
    (
        "Look up the customer in dynamodb://customers, then notify sns://alerts.",
        ((R, "dynamodb://customers"), (P, "sns://alerts")),
    ),
    ("Subscribe to sns://topic", ((C, "sns://topic"),)),
    ("read s3://x and write back s3://x", ((R, "s3://x"), (W, "s3://x"))),
    ("Read s3://a; then write s3://b.", ((R, "s3://a"), (W, "s3://b"))),
    # repeated resource, repeated pair
    ("Read s3://a. Read s3://a again", ((R, "s3://a"),)),
    (
        "Receive messages from sqs://in and delete them from sqs://in",
        ((C, "sqs://in"), (D, "sqs://in")),
    ),
    # keys, functions, roles, ARNs
    (
        "Decrypt the payload with kms://alias/app and write it to s3://out",
        ((DEC, "kms://alias/app"), (W, "s3://out")),
    ),
    (
        "Encrypt the report using kms://alias/reports and upload it to s3://out",
        ((ENC, "kms://alias/reports"), (W, "s3://out")),
    ),
    ("Invoke bedrock://claude to summarise the ticket", ((INV, "bedrock://claude"),)),
    (
        "Assume arn:aws:iam::123456789012:role/reader.",
        ((ASM, "arn:aws:iam::123456789012:role/reader"),),
    ),
    (
        "Read arn:aws:s3:::reports/2024/* and list s3://reports",
        ((R, "arn:aws:s3:::reports/2024/*"), (L, "s3://reports")),
    ),
    ("Send a notification via sns://alerts", ((P, "sns://alerts"),)),
    # conditionals do not remove the need
    (
        "Query dynamodb://customers and if it is overdue, send a reminder via sns://reminders",
        ((R, "dynamodb://customers"), (P, "sns://reminders")),
    ),
    # verb forms in noun position are nouns
    ("Read the update log in s3://x", ((R, "s3://x"),)),
    ("Read audit logs and the encrypted files in s3://x", ((R, "s3://x"),)),
    (
        "The agent updates dynamodb://x",
        Fails("'updates' can be a noun", ("agent", "updates")),
    ),
    # ambiguous words
    ("Manage s3://x", Fails("'manage' does not say which access", ("manage",))),
    ("Read and process s3://x", Fails("'process' does not say", ("process",))),
    ("Sync s3://a with s3://b", Fails("'sync' does not say the direction", ("sync",))),
    # negation
    ("Never delete s3://x", Fails("negation: 'never'", ("never",))),
    ("Read s3://a but do not delete it", Fails("negation: 'do not'", ("do not",))),
    ("Read the files in s3://a without decrypting", Fails("negation: 'without'", ("without",))),
    # negation in a clause without a resource needs no access
    ("Read s3://a; never delete anything", ((R, "s3://a"),)),
    # no verb; no resource; not a reference
    (
        "Summary of s3://docs",
        Fails("no verb from the lexicon governs it", ("summary",)),
    ),
    ("Read s3://a then s3://b", Fails("cannot place s3://b", ())),
    ("Read the quarterly report", Fails("names no resource", ())),
    ("Read S3://Bucket", Fails("looks like a resource reference", ("S3://Bucket",))),
    # a preposition that contradicts its verb
    ("Read the file into s3://b", Fails("'into' sends to s3://b", ("read", "into"))),
    ("Publish the totals from s3://a", Fails("does not take from a resource", ("publish", "from"))),
    ("Write s3://a with s3://b", Fails("'with s3://b' does not say", ("write", "with"))),
    # a verb that names no resource, unless it acts on data in hand
    ("Read s3://a and delete it", Fails("'delete' names no resource", ("delete",))),
    ("Download s3://a and summarize it", ((R, "s3://a"),)),
    # a joiner then an unlisted word may be a verb the lexicon lacks
    ("Read s3://a and tokenize s3://b", Fails("'tokenize' is not in the lexicon", ("tokenize",))),
]


def _describe(case: tuple[str, object]) -> str:
    return case[0][:60]


@pytest.mark.parametrize(("sentence", "expected"), CORPUS, ids=[_describe(c) for c in CORPUS])
def test_corpus(sentence: str, expected: tuple[tuple[Verb, str], ...] | Fails) -> None:
    if isinstance(expected, Fails):
        with pytest.raises(SentenceError) as raised:
            parse_sentence(sentence, VOCABULARIES)
        assert expected.says in raised.value.message
        assert raised.value.words == expected.words
        assert "\n" not in raised.value.message
        assert str(raised.value) == raised.value.message
    else:
        got = tuple((p.verb, p.resource) for p in parse_sentence(sentence, VOCABULARIES))
        assert got == expected


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 30
    assert sum(isinstance(e, Fails) for _, e in CORPUS) >= 10


def test_phrases_name_the_headword() -> None:
    phrases = parse_sentence("Summarized s3://b, then looked up dynamodb://c", VOCABULARIES)
    assert phrases == (
        Phrase(verb=R, resource="s3://b", word="summarise"),
        Phrase(verb=R, resource="dynamodb://c", word="look up"),
    )


def test_resource_references() -> None:
    text = 'Copy ("s3://a/b.txt"), s3://a/b.txt and arn:aws:sqs:eu-west-1:123456789012:q; then x'
    assert resource_references(text, VOCABULARIES) == (
        "s3://a/b.txt",
        "arn:aws:sqs:eu-west-1:123456789012:q",
    )
    assert resource_references("no references here: a://", VOCABULARIES) == ()
    assert resource_references("read gs://bucket/*?", VOCABULARIES) == ("gs://bucket/*",)


# ---------------------------------------------------------------------------------------------
# Meta-tests of the tables


def _all_forms() -> list[str]:
    return [f for e in LEXICON for f in e.forms] + [f for a in AMBIGUOUS for f in a.forms]


def test_forms_are_lowercase_and_listed_once() -> None:
    forms = _all_forms()
    assert all(f == f.lower() and f.strip() == f and f for f in forms)
    assert len(forms) == len(set(forms))


def test_no_word_is_both_a_verb_and_ambiguous() -> None:
    verbs = {f for e in LEXICON for f in e.forms}
    ambiguous = {f for a in AMBIGUOUS for f in a.forms}
    assert not verbs & ambiguous


def test_participles_and_homographs_are_forms() -> None:
    for entry in LEXICON:
        assert set(entry.participles) <= set(entry.forms), entry.word
    assert set(HOMOGRAPHS) <= set(_all_forms())


def test_function_words_are_not_verbs() -> None:
    words = set(PREPOSITIONS) | set(NEGATIONS) | set(AUXILIARIES)
    assert not words & set(_all_forms())


def test_rules_cover_every_class_and_case() -> None:
    assert set(RULES) == set(VerbClass)
    for verb_class, rules in RULES.items():
        assert set(rules) == set(Case), verb_class
        assert not isinstance(rules[Case.DIRECT], str), verb_class


def test_doc_lists_every_word() -> None:
    doc = DOC.read_text(encoding="utf-8")
    listed = set(re.findall(r"`([^`]+)`", doc))
    tables = _all_forms() + list(PREPOSITIONS) + list(NEGATIONS) + list(AUXILIARIES)
    missing = [word for word in tables if word not in listed]
    assert not missing, f"docs/lexicon.md does not list: {missing}"


def test_doc_examples_hold() -> None:
    """Every example line in the doc, `sentence` → pairs, is what parse_sentence returns."""
    doc = DOC.read_text(encoding="utf-8")
    examples = re.findall(r"^\| `([^`]+)` \| ((?:`[^`]+` )*`[^`]+`|error[^|]*) \|$", doc, re.M)
    assert len(examples) >= 10
    for sentence, outcome in examples:
        if outcome.startswith("error"):
            with pytest.raises(SentenceError):
                parse_sentence(sentence, VOCABULARIES)
            continue
        pairs = tuple(p.split(" ", 1) for p in re.findall(r"`([^`]+)`", outcome))
        got = tuple((p.verb.value, p.resource) for p in parse_sentence(sentence, VOCABULARIES))
        assert got == tuple((v, r) for v, r in pairs), sentence
