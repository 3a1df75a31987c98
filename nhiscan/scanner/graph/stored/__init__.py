"""The reach graph a scan built, stored beside its snapshot so that the queries (``reach``,
``who-can``, ``path``, ``graph export``) need not build it again: on a dense estate the build
is most of a scan, and a query must answer in seconds.

The file is gzip-compressed JSON lines and integer columns, never pickle (a snapshot folder is
handed around, and loading it must not run code): a header and the graph (its tables as JSON,
its edges as binary columns the JSON lists by name and length, with an adjacency index the
queries walk), then, in a gzip member of its own, the escalations (decompressed and read only
when asked for: the queries ask none, and on a dense estate they are most of the file). A
query decodes only the hops its answer holds (``StoredReachGraph``). It is tied to
one snapshot by the SHA-256 of the snapshot file's bytes, and to the code that reads it by
``FORMAT_VERSION`` and the nhiscan version that built it (the graph is what that version's
analysis made of the snapshot): any mismatch is ``StaleGraph``, anything that does not decode
is ``CorruptGraph``, and the caller builds the graph again.

Everything the queries read round-trips exactly: every node with its attributes (hubs are
ordinary nodes), every edge with its key and every field of its ``Hop``, and the escalations
and potential escalations with their steps. The document is compact because the graph repeats
itself: strings (node ids, actions, policy ids) are listed once and named by their position,
and so are statements, statement lists, action lists and evaluations, which thousands of edges
and escalation steps share. Loaded hops share those tuples, as the built ones largely do.
"""

from nhiscan.scanner.graph.stored.decode import StoredReachGraph, decode_graph
from nhiscan.scanner.graph.stored.encode import encode_graph
from nhiscan.scanner.graph.stored.format import (
    ESCALATION_FIELDS,
    FORMAT_NAME,
    FORMAT_VERSION,
    HOP_FIELDS,
    MEMBER_FIELDS,
    CorruptGraph,
    StaleGraph,
    check,
    dumps,
    loads,
)

__all__ = [
    "ESCALATION_FIELDS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HOP_FIELDS",
    "MEMBER_FIELDS",
    "CorruptGraph",
    "StaleGraph",
    "StoredReachGraph",
    "check",
    "decode_graph",
    "dumps",
    "encode_graph",
    "loads",
]
