"""Faster equivalents of detect-secrets filters, installed in place of the originals by
``plugins.configure()``. Each gives exactly the original's answer (tests/connectors/git/secrets/
test_filters.py compares them on generated and real lines)."""

from __future__ import annotations

import re

# detect-secrets' is_indirect_reference searches
#   ([^\v=!:]*)\s*(:=?|[!=]{1,3})\s*([\w.-]+[\[\(][^\v]*[\]\)])
# Its first group may be empty, so a search finds a match exactly when the rest matches
# somewhere; without that group the search is linear instead of quadratic in the line length
# (the original spends most of a history scan on long lines).
_INDIRECT = re.compile(r"(?::=?|[!=]{1,3})\s*[\w.-]+[\[\(][^\v]*[\]\)]")


def is_indirect_reference(line: str) -> bool:
    """``secret = get_secret_key()`` or ``secret = request.headers['apikey']``."""
    if len(line) > 1000:  # as detect-secrets: the heuristic targets short assignment lines
        return False
    return _INDIRECT.search(line) is not None
