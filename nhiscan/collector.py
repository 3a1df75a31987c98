"""The cycle collector off while a block runs that builds a large heap of long-lived objects
and makes no garbage cycles worth collecting.

CPython's collector runs a full pass over every tracked object each time enough new
containers have survived, so a step that allocates millions of objects which all live until
it ends pays passes over an ever larger heap while nothing is freed:
- reading an audit log (the decoded records are untracked msgspec structs, the tallies a
  tree; ``bench/bench_cloudtrail.py``: 6.7 µs per event with the collector, 4.6 without);
- a scan's analysis and reports (the snapshot's records, the estate, the compiled policies,
  the reach graph, the escalations, the findings): on the dense 10,000-role estate
  (``bench/gaad_dense.py``) the collector's passes were about 40% of the scan's CPU, with the
  same peak memory without them;
- a query (``reach``, ``who-can``, ``path``, ``graph export``: the snapshot's records, the
  estate, the compiled policies): 40% of ``who-can``'s CPU on the same estate.
The collector is on again when the block ends, as it was before it. What the block allocated
and still holds (or left as garbage in cycles: a reach graph and its caches) is then all in
the youngest generation: the next allocation would start a pass over all of it (3 s after the
10,000-role scan, the process about to end). It is moved to the oldest generation at once
instead (``gc.freeze``, then ``gc.unfreeze``): a full collection, the next time the collector
runs one, looks at it as at anything that has lived that long; nothing is left out of
collection for good. The command line ends without tearing the interpreter down
(``cli.main``), so a scan pays for neither pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # every tracked object out of the youngest generation, uncounted,
            gc.unfreeze()  # and into the oldest
            gc.enable()
