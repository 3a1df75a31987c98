"""Scan history: every ``nhiscan scan`` is recorded as a run (scope, time, versions, the
snapshot compressed, findings with fingerprints, gaps, the agent summaries), in SQLite by default
or PostgreSQL by URL. ``drift.py`` compares two runs. (Scheduling and webhooks are not storage:
``nhiscan.app.schedule`` and ``nhiscan.app.notify``.)

- ``tables.py``: the tables (SQLAlchemy Core); ``migrations/``: Alembic, applied on open.
- ``store.py``: ``Store``: record a run in one transaction (a crash leaves nothing half
  written), list, load, prune, record deliveries.
"""

from nhiscan.scanner.history.records import RunSummary
from nhiscan.store.store import RunRecord, Store, default_store_url, open_store

__all__ = ["RunRecord", "RunSummary", "Store", "default_store_url", "open_store"]
