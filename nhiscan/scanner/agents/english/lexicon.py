"""The lexicon: verbs with every form understood, ambiguous verbs with advice, homographs and
function words (data; docs/lexicon.md lists every word, checked by a test)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
       "'write … to …', or 'encrypt … with {key}' for a data key"),
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
# nouns in noun position (see the package docstring, rule 3).
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
