"""Alembic migrations of the store, applied by ``Store`` when it opens a database."""
