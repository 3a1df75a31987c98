"""Alembic's environment: always run by ``nhiscan.store.store.migrate`` with an open connection
(``config.attributes["connection"]``), never from the alembic command line."""

from __future__ import annotations

from alembic import context

from nhiscan.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
