"""The one exception tree. Every message says what is wrong, where, and what to do.

Only ``nhiscan.cli`` catches these; it maps them to exit code 2 (bad usage or input).
"""

from __future__ import annotations


class NhiError(Exception):
    """Base of every error nhiscan raises on purpose."""


class ConfigError(NhiError):
    """A bad nhiscan.toml, option value or setting."""


class PolicyFileError(NhiError):
    """A bad agent policy file (file:line and what is wrong)."""


class ConnectorError(NhiError):
    """A connector cannot start at all (missing SDK, unreadable export, no credentials).

    A single refused or failing API call is *not* an error: it is a CollectionGap record.
    """


class SnapshotError(NhiError):
    """A snapshot file that cannot be read: bad JSON, unknown schema version, bad record."""


class OutputError(NhiError):
    """An output (a report, snapshot, baseline, plan, answer) that cannot be written: the
    path, and the operating system's reason."""


class ClusterError(NhiError):
    """An executor or shard store that cannot be used at all (a scheduler that does not answer,
    a shard folder that cannot be written, ``--resume`` of a run the shard store lacks).

    One work unit that fails is *not* an error: after its retries it is a CollectionGap record
    naming the unit (the account, the repository)."""
