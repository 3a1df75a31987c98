"""Scan history: every ``nhiscan scan`` is recorded as a run (scope, time, versions, the
snapshot compressed, findings with fingerprints, gaps, the agent summaries), in SQLite by default
or PostgreSQL by URL. ``drift.py`` compares two runs; ``schedule.py`` runs scans on a schedule;
``notify.py`` posts new findings to a webhook.

- ``tables.py``: the tables (SQLAlchemy Core); ``migrations/``: Alembic, applied on open.
- ``store.py``: ``Store``: record a run in one transaction (a crash leaves nothing half
  written), list, load, prune, record deliveries.
"""

from nhiscan.store.store import RunRecord, RunSummary, Store, default_store_url, open_store

__all__ = ["RunRecord", "RunSummary", "Store", "default_store_url", "open_store"]
