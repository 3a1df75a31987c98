"""Plain-English workflow steps, read with a documented lexicon: never a guess.

A step may be one English sentence ("Extract coverage amounts from insurance certificates in
bucket://certs and compare them with the minimums in dynamodb://lending-policy"). This module finds
every resource reference in it and the verb that governs each one, and produces
``(verb, resource)`` phrases. Whether a verb makes sense on a resource's scheme, and which cloud
permissions it needs, is decided elsewhere (the verb-by-scheme table and the compiler).

Grammar (documented for users in ``docs/lexicon.md``; every table below is data):

1. **Tokens.** The text splits at whitespace. A chunk that is a resource reference
   (``scheme://rest`` with a lowercase scheme, or a registered provider's own id form, such
   as an ARN, matched by its vocabulary's ``reference_pattern``), once leading
   ``( " ' ``` `` and trailing ``. , ; : ! ? ) " ' ``` `` are stripped, is one token, kept exactly
   as written. Other chunks split into lowercase words (``don't``, ``cross-check`` are one word)
   and marks. A chunk that contains ``://`` but is not a reference is an error.
2. **Phrases.** Words are matched, longest first, against the tables: :data:`LEXICON` (verbs,
   with every inflection listed; no stemming), :data:`AMBIGUOUS`, :data:`PREPOSITIONS`,
   :data:`NEGATIONS`, :data:`AUXILIARIES`, determiners, joiners and stop words. Any other word
   is unlisted (a noun, an adjective, or a verb this module does not know).
3. **Nouns.** A verb form that is also a noun or adjective (:data:`HOMOGRAPHS`, and every past
   participle) is read as a noun right after a determiner, an unlisted word, a verb, another
   such noun, or a preposition other than "to": "the *update* log", "audit *logs*", "the
   *encrypted* files", "read *update* logs". "get"/"gets" before a past participle is the
   passive auxiliary ("gets deleted").
4. **Clauses.** A clause ends at ``;``, ``!``, ``?``, a sentence-ending ``.`` and the word
   "then" ("then" between two verbs, as in "read and then update", joins them instead; "is
   then" is the passive auxiliary).
5. **Verb groups.** Verbs joined only by "and", "or", ``,``, ``/`` and ``&`` form one group.
   Each resource is governed by the nearest verb group before it in its clause, and keeps it
   until another verb group starts ("read bucket://a and bucket://b" reads both). If the group holds
   an :data:`AMBIGUOUS` word, the resource cannot be placed. Carrying a group over a resource
   stops at a joiner followed by an unlisted word ("read bucket://a and tokenize bucket://b": the
   unlisted word may be a verb), which is an error.
6. **Passive.** A resource with no verb before it in its clause may be the subject of an
   explicit passive: ``<resource> is|are|gets|get|will be|is then|are then <participle>``
   ("the reports in bucket://inbox are read"). A resource both after a verb and before a passive is
   an error.
7. **Prepositions.** The prepositions between a resource and what comes before it (its verb
   group, or the previous resource) give its case: none (direct object), source ("from", "out
   of"), destination ("to", "into", "onto"), place ("in", "on", "of", ...), "with"/"against",
   or means ("using", "via"). The last preposition decides; when a directional one comes
   earlier ("from the reports in bucket://a") both are tried and must agree (copy and move: the
   directional one decides). :data:`RULES` maps each verb class and case to verbs or to a
   refusal: "store the totals from bucket://a in dynamodb://b" reads bucket://a and writes
   dynamodb://b; "read ... into bucket://b" is refused.
8. **Negation** ("not", "never", "without", "except", ...) in a clause that names a resource
   is an error. Conditionals ("if", "when", "only if") are ignored: the agent may do it, so it
   needs the access.
9. **Verbs that name no resource.** A verb group that governs no resource is an error unless
   every verb in it may act on data the step already holds ("summarise it", "compare them"):
   "read bucket://a and delete it" does not say what is deleted. "move" must name its source.

Every ``(verb, resource)`` pair is emitted once, in order of first appearance.
"""

from nhiscan.scanner.agents.english.grammar import Phrase, SentenceError, parse_sentence
from nhiscan.scanner.agents.english.lexicon import (
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
    VerbClass,
)
from nhiscan.scanner.agents.english.rules import PREPOSITIONS, RULES, Case, Outcome
from nhiscan.scanner.agents.english.tokens import PARTICIPLES, Kind, resource_references

__all__ = [
    "AMBIGUOUS",
    "AUXILIARIES",
    "DETERMINERS",
    "HOMOGRAPHS",
    "JOINERS",
    "LEXICON",
    "NEGATIONS",
    "PARTICIPLES",
    "PREPOSITIONS",
    "RULES",
    "STOP_WORDS",
    "AmbiguousWord",
    "Case",
    "Entry",
    "Kind",
    "Outcome",
    "Phrase",
    "SentenceError",
    "VerbClass",
    "parse_sentence",
    "resource_references",
]
