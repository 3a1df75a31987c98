"""Plain-English workflow steps, read with a documented lexicon: never a guess.

A step may be one English sentence ("Extract coverage amounts from insurance certificates in
s3://certs and compare them with the minimums in dynamodb://lending-policy"). This module finds
every resource reference in it and the verb that governs each one, and produces
``(verb, resource)`` phrases. Whether a verb makes sense on a resource's scheme, and which cloud
permissions it needs, is decided elsewhere (the verb-by-scheme table and the compiler).

Grammar (documented for users in ``docs/lexicon.md``; every table below is data):

1. **Tokens.** The text splits at whitespace. A chunk that is a resource reference
   (``scheme://rest`` with a lowercase scheme, or ``arn:partition:service:...``), once leading
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
   until another verb group starts ("read s3://a and s3://b" reads both). If the group holds
   an :data:`AMBIGUOUS` word, the resource cannot be placed. Carrying a group over a resource
   stops at a joiner followed by an unlisted word ("read s3://a and tokenize s3://b": the
   unlisted word may be a verb), which is an error.
6. **Passive.** A resource with no verb before it in its clause may be the subject of an
   explicit passive: ``<resource> is|are|gets|get|will be|is then|are then <participle>``
   ("the reports in s3://inbox are read"). A resource both after a verb and before a passive is
   an error.
7. **Prepositions.** The prepositions between a resource and what comes before it (its verb
   group, or the previous resource) give its case: none (direct object), source ("from", "out
   of"), destination ("to", "into", "onto"), place ("in", "on", "of", ...), "with"/"against",
   or means ("using", "via"). The last preposition decides; when a directional one comes
   earlier ("from the reports in s3://a") both are tried and must agree (copy and move: the
   directional one decides). :data:`RULES` maps each verb class and case to verbs or to a
   refusal: "store the totals from s3://a in dynamodb://b" reads s3://a and writes
   dynamodb://b; "read ... into s3://b" is refused.
8. **Negation** ("not", "never", "without", "except", ...) in a clause that names a resource
   is an error. Conditionals ("if", "when", "only if") are ignored: the agent may do it, so it
   needs the access.
9. **Verbs that name no resource.** A verb group that governs no resource is an error unless
   every verb in it may act on data the step already holds ("summarise it", "compare them"):
   "read s3://a and delete it" does not say what is deleted. "move" must name its source.

Every ``(verb, resource)`` pair is emitted once, in order of first appearance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

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
# The lexicon (data; docs/lexicon.md lists every word, checked by a test)


class VerbClass(StrEnum):
    """How a verb relates to the resources it governs; :data:`RULES` gives the verbs."""

    READ = "read"
    LIST = "list"
    WRITE = "write"
    DELETE = "delete"
    COPY = "copy"  # two roles: source read, destination written
    MOVE = "move"  # two roles: source read and deleted, destination written
    PUBLISH = "publish"
    CONSUME = "consume"
    DECRYPT = "decrypt"
    ENCRYPT = "encrypt"
    INVOKE = "invoke"
    ASSUME = "assume"


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A verb: every form understood (headword first), its class, which forms are past
    participles (for the passive), and whether it may act on data the step already holds
    (then it may name no resource: "summarise it")."""

    forms: tuple[str, ...]
    verb_class: VerbClass
    participles: tuple[str, ...] = ()
    in_hand: bool = False

    @property
    def word(self) -> str:
        return self.forms[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class AmbiguousWord:
    """A verb that does not say which access it needs, and what to write instead."""

    forms: tuple[str, ...]
    advice: str

    @property
    def word(self) -> str:
        return self.forms[0]


def _v(forms: str, verb_class: VerbClass, participles: str = "", *, in_hand: bool = False) -> Entry:
    split = tuple(f.strip() for f in forms.split(","))
    parts = tuple(p.strip() for p in participles.split(",") if p.strip())
    return Entry(forms=split, verb_class=verb_class, participles=parts, in_hand=in_hand)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _a(forms: str, advice: str) -> AmbiguousWord:
    return AmbiguousWord(forms=tuple(f.strip() for f in forms.split(",")), advice=advice)


_R, _L, _W, _D = VerbClass.READ, VerbClass.LIST, VerbClass.WRITE, VerbClass.DELETE
_C, _M, _P, _Q = VerbClass.COPY, VerbClass.MOVE, VerbClass.PUBLISH, VerbClass.CONSUME
_I = VerbClass.INVOKE

LEXICON: tuple[Entry, ...] = (
    # read: take data from a resource
    _v("read, reads, reading", _R, "read"),
    _v("fetch, fetches, fetched, fetching", _R, "fetched"),
    _v("get, gets, got, gotten, getting", _R),
    _v("retrieve, retrieves, retrieved, retrieving", _R, "retrieved"),
    _v("download, downloads, downloaded, downloading", _R, "downloaded"),
    _v("load, loads, loaded, loading", _R, "loaded"),
    _v("pull, pulls, pulled, pulling", _R, "pulled"),
    _v("open, opens, opened, opening", _R, "opened"),
    _v("look up, looks up, looked up, looking up, lookup", _R, "looked up"),
    _v("query, queries, queried, querying", _R, "queried"),
    _v("scan, scans, scanned, scanning", _R, "scanned"),
    _v("search, searches, searched, searching", _R, "searched"),
    _v("find, finds, found, finding", _R, "found"),
    _v("select, selects, selected, selecting", _R, "selected"),
    _v("view, views, viewed, viewing", _R, "viewed"),
    _v("consult, consults, consulted, consulting", _R, "consulted"),
    _v("collect, collects, collected, collecting", _R, "collected"),
    _v("gather, gathers, gathered, gathering", _R, "gathered"),
    _v("ingest, ingests, ingested, ingesting", _R, "ingested"),
    _v("audit, audits, audited, auditing", _R, "audited"),
    # read, and may also act on data the step already holds
    _v("extract, extracts, extracted, extracting", _R, "extracted", in_hand=True),
    _v("parse, parses, parsed, parsing", _R, "parsed", in_hand=True),
    _v("compare, compares, compared, comparing", _R, "compared", in_hand=True),
    _v("check, checks, checked, checking", _R, "checked", in_hand=True),
    _v("cross-check, cross-checks, cross-checked, cross-checking", _R, "cross-checked",
       in_hand=True),
    _v("inspect, inspects, inspected, inspecting", _R, "inspected", in_hand=True),
    _v("examine, examines, examined, examining", _R, "examined", in_hand=True),
    _v("review, reviews, reviewed, reviewing", _R, "reviewed", in_hand=True),
    _v("summarise, summarises, summarised, summarising, summarize, summarizes, summarized, "
       "summarizing", _R, "summarised, summarized", in_hand=True),
    _v("analyse, analyses, analysed, analysing, analyze, analyzes, analyzed, analyzing", _R,
       "analysed, analyzed", in_hand=True),
    _v("classify, classifies, classified, classifying", _R, "classified", in_hand=True),
    _v("validate, validates, validated, validating", _R, "validated", in_hand=True),
    _v("verify, verifies, verified, verifying", _R, "verified", in_hand=True),
    _v("match, matches, matched, matching", _R, "matched", in_hand=True),
    _v("filter, filters, filtered, filtering", _R, "filtered", in_hand=True),
    _v("evaluate, evaluates, evaluated, evaluating", _R, "evaluated", in_hand=True),
    # list: what a container holds
    _v("list, lists, listed, listing", _L, "listed"),
    _v("enumerate, enumerates, enumerated, enumerating", _L, "enumerated"),
    _v("browse, browses, browsed, browsing", _L, "browsed"),
    # write: create or update data
    _v("write, writes, wrote, written, writing", _W, "written"),
    _v("write back, writes back, wrote back, written back, writing back", _W, "written back"),
    _v("store, stores, stored, storing", _W, "stored"),
    _v("save, saves, saved, saving", _W, "saved"),
    _v("put, puts, putting", _W, "put"),
    _v("upload, uploads, uploaded, uploading", _W, "uploaded"),
    _v("record, records, recorded, recording", _W, "recorded"),
    _v("update, updates, updated, updating", _W, "updated"),
    _v("insert, inserts, inserted, inserting", _W, "inserted"),
    _v("append, appends, appended, appending", _W, "appended"),
    _v("persist, persists, persisted, persisting", _W, "persisted"),
    _v("log, logs, logged, logging", _W, "logged"),
    _v("create, creates, created, creating", _W, "created"),
    _v("add, adds, added, adding", _W, "added"),
    _v("upsert, upserts, upserted, upserting", _W, "upserted"),
    _v("overwrite, overwrites, overwrote, overwritten, overwriting", _W, "overwritten"),
    _v("replace, replaces, replaced, replacing", _W, "replaced"),
    # delete
    _v("delete, deletes, deleted, deleting", _D, "deleted"),
    _v("remove, removes, removed, removing", _D, "removed"),
    _v("purge, purges, purged, purging", _D, "purged"),
    _v("erase, erases, erased, erasing", _D, "erased"),
    _v("drop, drops, dropped, dropping", _D, "dropped"),
    _v("wipe, wipes, wiped, wiping", _D, "wiped"),
    _v("destroy, destroys, destroyed, destroying", _D, "destroyed"),
    # copy: source read, destination written
    _v("copy, copies, copied, copying", _C, "copied"),
    _v("duplicate, duplicates, duplicated, duplicating", _C, "duplicated"),
    _v("replicate, replicates, replicated, replicating", _C, "replicated"),
    _v("export, exports, exported, exporting", _C, "exported"),
    _v("import, imports, imported, importing", _C, "imported"),
    _v("back up, backs up, backed up, backing up", _C, "backed up"),
    # move: source read and deleted, destination written
    _v("move, moves, moved, moving", _M, "moved"),
    _v("relocate, relocates, relocated, relocating", _M, "relocated"),
    # publish: send a message or event
    _v("publish, publishes, published, publishing", _P, "published"),
    _v("notify, notifies, notified, notifying", _P, "notified"),
    _v("send, sends, sent, sending", _P, "sent"),
    _v("send out, sends out, sent out, sending out", _P, "sent out"),
    _v("alert, alerts, alerted, alerting", _P, "alerted"),
    _v("post, posts, posted, posting", _P, "posted"),
    _v("announce, announces, announced, announcing", _P, "announced"),
    _v("emit, emits, emitted, emitting", _P, "emitted"),
    _v("enqueue, enqueues, enqueued, enqueuing, enqueueing", _P, "enqueued"),
    _v("push, pushes, pushed, pushing", _P, "pushed"),
    _v("broadcast, broadcasts, broadcasting", _P, "broadcast"),
    _v("signal, signals, signalled, signaled, signalling, signaling", _P, "signalled, signaled"),
    _v("forward, forwards, forwarded, forwarding", _P, "forwarded"),
    _v("dispatch, dispatches, dispatched, dispatching", _P, "dispatched"),
    # consume: receive (and acknowledge) messages
    _v("receive, receives, received, receiving", _Q, "received"),
    _v("consume, consumes, consumed, consuming", _Q, "consumed"),
    _v("poll, polls, polled, polling", _Q, "polled"),
    _v("dequeue, dequeues, dequeued, dequeuing, dequeueing", _Q, "dequeued"),
    _v("subscribe, subscribes, subscribed, subscribing", _Q, "subscribed"),
    _v("subscribe to, subscribes to, subscribed to, subscribing to", _Q, "subscribed to"),
    _v("listen to, listens to, listened to, listening to", _Q, "listened to"),
    # keys
    _v("decrypt, decrypts, decrypted, decrypting", VerbClass.DECRYPT, "decrypted"),
    _v("encrypt, encrypts, encrypted, encrypting", VerbClass.ENCRYPT, "encrypted"),
    # invoke: call a function, model, state machine or API
    _v("invoke, invokes, invoked, invoking", _I, "invoked"),
    _v("call, calls, called, calling", _I, "called"),
    _v("trigger, triggers, triggered, triggering", _I, "triggered"),
    _v("run, runs, ran, running", _I, "run"),
    _v("execute, executes, executed, executing", _I, "executed"),
    _v("start, starts, started, starting", _I, "started"),
    _v("kick off, kicks off, kicked off, kicking off", _I, "kicked off"),
    # roles ("assuming" is left out: it is mostly a conjunction)
    _v("assume, assumes, assumed", VerbClass.ASSUME, "assumed"),
)  # fmt: skip

_WHICH = "does not say which access; say read, write or delete"
_DIRECTION = "does not say the direction; say 'copy … from … to …'"
_KEEP = "does not say whether the originals are kept; say 'copy … to …' or 'move … to …'"
_CHANGE = "does not say whether it writes or deletes; say update (write) or delete"
_REWRITE = (
    "does not say whether it rewrites in place or writes elsewhere; say 'read …' and 'write … to …'"
)
_OBSERVE = "does not say whether it reads, lists or subscribes; say read, list or receive"

AMBIGUOUS: tuple[AmbiguousWord, ...] = (
    _a("manage, manages, managed, managing", _WHICH),
    _a("handle, handles, handled, handling", _WHICH),
    _a("access, accesses, accessed, accessing", "does not say which access; say read, list, "
       "write or delete"),
    _a("use, uses, used", "does not say which access; say read or write for data, invoke for a "
       "function or model, decrypt or encrypt for a key"),
    _a("utilise, utilises, utilised, utilising, utilize, utilizes, utilized, utilizing",
       "does not say which access; say read, write or invoke"),
    _a("process, processes, processed, processing", "does not say whether it reads or changes "
       "the data; say 'read …' and, if it writes, 'write … to …'"),
    _a("sync, syncs, synced, syncing, synchronise, synchronises, synchronised, synchronising, "
       "synchronize, synchronizes, synchronized, synchronizing", _DIRECTION),
    _a("mirror, mirrors, mirrored, mirroring", _DIRECTION),
    _a("touch, touches, touched, touching", _WHICH),
    _a("modify, modifies, modified, modifying", _CHANGE),
    _a("edit, edits, edited, editing", _CHANGE),
    _a("change, changes, changed, changing", _CHANGE),
    _a("maintain, maintains, maintained, maintaining", _WHICH),
    _a("administer, administers, administered, administering", _WHICH),
    _a("control, controls, controlled, controlling", _WHICH),
    _a("own, owns, owned, owning", _WHICH),
    _a("operate, operates, operated, operating", "does not say which access; say read, write, "
       "delete or invoke"),
    _a("work with, works with, worked with, working with", _WHICH),
    _a("interact with, interacts with, interacted with, interacting with", _WHICH),
    _a("deal with, deals with, dealt with, dealing with", _WHICH),
    _a("take care of, takes care of, took care of, taking care of", _WHICH),
    _a("prepare, prepares, prepared, preparing", "does not say whether it reads or writes; say "
       "read or write"),
    _a("transform, transforms, transformed, transforming", _REWRITE),
    _a("convert, converts, converted, converting", _REWRITE),
    _a("enrich, enriches, enriched, enriching", _REWRITE),
    _a("archive, archives, archived, archiving", _KEEP),
    _a("transfer, transfers, transferred, transferring", _KEEP),
    _a("migrate, migrates, migrated, migrating", _KEEP),
    _a("monitor, monitors, monitored, monitoring", _OBSERVE),
    _a("watch, watches, watched, watching", _OBSERVE),
    _a("track, tracks, tracked, tracking", _OBSERVE),
    _a("reconcile, reconciles, reconciled, reconciling", "does not say whether it only "
       "compares or also corrects; say compare and, if it writes, update"),
    _a("generate, generates, generated, generating", "does not say what it produces; say "
       "'write … to …', or 'encrypt … with kms://…' for a data key"),
    _a("rotate, rotates, rotated, rotating", "does not say which access; rotating a secret "
       "reads and writes it: say read and update"),
    _a("refresh, refreshes, refreshed, refreshing", "does not say whether it reads or "
       "rewrites; say read or update"),
    _a("clean up, cleans up, cleaned up, cleaning up, cleanup", "does not say what is removed; "
       "say delete"),
    _a("share, shares, shared, sharing", "does not say which access; say 'publish … to …' or "
       "'write … to …'"),
)  # fmt: skip

# Forms that are also common nouns or adjectives (every past participle is too): read as
# nouns in noun position (see the module docstring, rule 3).
HOMOGRAPHS: frozenset[str] = _words(
    """read update updates log logs record records list lists alert alerts post posts call
    calls run runs check checks review reviews search searches query queries scan scans match
    matches copy copies store stores drop drops signal signals export exports import imports
    upload uploads download downloads lookup insert inserts extract extracts load
    loads pull pulls push pushes broadcast broadcasts trigger triggers start starts poll polls
    open find finds view views select filter filters audit audits move moves forward
    access process processes use uses control controls change changes transfer transfers
    archive archives edit edits track tracks watch watches monitor monitors sync mirror
    mirrors share shares refresh cleanup touch own handle handles"""
)


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

NEGATIONS: tuple[str, ...] = (
    "not", "never", "no", "nor", "neither", "none", "without", "except", "excluding", "unless",
    "do not", "does not", "don't", "doesn't", "didn't", "won't", "cannot", "can't", "shouldn't",
    "mustn't", "isn't", "aren't",
)  # fmt: skip

# Passive auxiliaries; "get"/"gets" are lexicon verbs that act as one before a participle.
AUXILIARIES: tuple[str, ...] = ("is", "are", "is then", "are then", "will be")
_GET_AUXILIARIES = frozenset({"get", "gets"})

JOINERS: tuple[str, ...] = ("and", "or", ",", "/", "&")
DETERMINERS: frozenset[str] = _words(
    """the a an this that these those each every all any both either another other its their
    our my your his her some such same"""
)
# Ignored words: pronouns, auxiliaries, conjunctions, conditionals and common adverbs.
STOP_WORDS: frozenset[str] = _words(
    """it them they we you i he she us who which what whose whom be been being was were will
    shall should must can may might could would do does did has have had if when whenever once
    only but so also as well than while after before until whether where please first next
    finally always again just there here then"""
)

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

# How to name a resource for each class, for error messages.
EXAMPLES: Mapping[VerbClass, str] = {
    VerbClass.READ: "s3://bucket/key",
    VerbClass.LIST: "s3://bucket",
    VerbClass.WRITE: "… to s3://bucket/key",
    VerbClass.DELETE: "s3://bucket/key",
    VerbClass.COPY: "… from s3://source to s3://destination",
    VerbClass.MOVE: "… from s3://source to s3://destination",
    VerbClass.PUBLISH: "… to sns://topic",
    VerbClass.CONSUME: "… from sqs://queue",
    VerbClass.DECRYPT: "… with kms://alias/key",
    VerbClass.ENCRYPT: "… with kms://alias/key",
    VerbClass.INVOKE: "lambda://function",
    VerbClass.ASSUME: "arn:aws:iam::123456789012:role/name",
}

# --------------------------------------------------------------------------------------------
# Tokens

_REFERENCE = re.compile(r"[a-z][a-z0-9-]*://\S+|arn:[a-z][a-z0-9-]*:[a-z0-9-]+:\S*")
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


def _split_reference(chunk: str) -> tuple[str, str, str] | None:
    """(leading marks, reference, trailing marks) when the chunk is a reference."""
    core = chunk.lstrip(_LEAD)
    reference = core.rstrip(_TRAIL)
    if not _REFERENCE.fullmatch(reference):
        return None
    return chunk[: len(chunk) - len(core)], reference, core[len(reference) :]


def _marks(marks: str, chunk_end: bool) -> Iterator[tuple[str, str]]:
    for index, mark in enumerate(marks):
        last = chunk_end and index == len(marks) - 1
        yield ("end" if mark in _ENDS or (mark == "." and last) else "mark"), mark


def _raw_tokens(text: str) -> Iterator[tuple[str, str]]:
    """("ref" | "word" | "mark" | "end", text) for every token, in order."""
    for chunk in text.split():
        parts = _split_reference(chunk)
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


def resource_references(text: str) -> tuple[str, ...]:
    """The resource references in text, as written (trailing punctuation stripped), in order of
    first appearance, without repeats."""
    found = (token for kind, token in _raw_tokens(text) if kind == "ref")
    return tuple(dict.fromkeys(found))


def _malformed(text: str) -> str | None:
    """A chunk that looks like a reference (contains "://", or starts "arn:") but is not."""
    for chunk in text.split():
        core = chunk.lstrip(_LEAD).rstrip(_TRAIL)
        looks = "://" in core or core.lower().startswith("arn:")
        if looks and _split_reference(chunk) is None:
            return core
    return None


# --------------------------------------------------------------------------------------------
# Phrases, nouns and clauses


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


def _items(text: str) -> list[_Item]:
    raw = list(_raw_tokens(text))
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


def _check_ambiguous(binding: _Binding) -> None:
    for member in binding.group.members:
        if isinstance(member.meaning, AmbiguousWord):
            raise SentenceError(
                f"cannot place {binding.reference}: '{member.text}' {member.meaning.advice}",
                (member.text,),
            )


def _phrases(bindings: Sequence[_Binding]) -> Iterator[tuple[_Group, _Item, Phrase]]:
    for binding in bindings:
        _check_ambiguous(binding)
        for member in binding.group.members:
            assert isinstance(member.meaning, Entry)
            for verb in _outcome(member, binding):
                phrase = Phrase(verb=verb, resource=binding.reference, word=member.meaning.word)
                yield binding.group, member, phrase


def _check_unplaced(
    groups: Sequence[_Group], found: Sequence[tuple[_Group, _Item, Phrase]]
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
                    f"'{member.text} {EXAMPLES[entry.verb_class]}'",
                    (member.text,),
                )
            deletes = any(m is member and p.verb is Verb.DELETE for m, p in placed)
            if placed and entry.verb_class is VerbClass.MOVE and not deletes:
                raise SentenceError(
                    f"'{member.text}' names no source: a move deletes what it moves, so say "
                    f"where from, e.g. '{member.text} {EXAMPLES[VerbClass.MOVE]}'",
                    (member.text,),
                )


def _clause_phrases(clause: Sequence[_Item]) -> list[Phrase]:
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
    found = list(_phrases(_bindings(clause, groups)))
    _check_unplaced(groups, found)
    return [phrase for _, _, phrase in found]


def parse_sentence(text: str) -> tuple[Phrase, ...]:
    """Every (verb, resource) the sentence asks for, in order of appearance, without repeats.
    Raises SentenceError when any resource cannot be mapped with certainty."""
    malformed = _malformed(text)
    if malformed is not None:
        raise SentenceError(
            f"'{malformed}' looks like a resource reference but is not one: write "
            "scheme://name with a lowercase scheme (e.g. s3://bucket/key) or a full ARN",
            (malformed,),
        )
    if not resource_references(text):
        raise SentenceError("names no resource: write e.g. 'read s3://bucket/key'", ())
    phrases: dict[tuple[Verb, str], Phrase] = {}
    for clause in _clauses(_items(text)):
        for phrase in _clause_phrases(clause):
            phrases.setdefault((phrase.verb, phrase.resource), phrase)
    return tuple(phrases.values())
