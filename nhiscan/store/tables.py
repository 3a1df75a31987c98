"""The store's tables. Changing them means a new migration in ``migrations/versions``; a test
checks the migrated database matches these definitions."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()


def _run_id() -> sa.Column[int]:
    return sa.Column(
        "run_id",
        sa.Integer,
        sa.ForeignKey("nhiscan_runs.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


runs = sa.Table(
    "nhiscan_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(512), nullable=False, index=True),
    sa.Column("sources", sa.Text, nullable=False),  # JSON list
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("tool_version", sa.String(64), nullable=False),
    sa.Column("catalog_date", sa.String(32), nullable=True),
    sa.Column("identities", sa.Integer, nullable=False),
    sa.Column("credentials", sa.Integer, nullable=False),
    sa.Column("findings", sa.Integer, nullable=False),
    sa.Column("gaps", sa.Integer, nullable=False),
    sa.Column("by_severity", sa.Text, nullable=False),  # JSON {severity: count}
    sa.Column("snapshot", sa.LargeBinary, nullable=False),  # zlib-compressed snapshot JSON
    sa.Column("agents", sa.LargeBinary, nullable=True),  # zlib-compressed agent summaries JSON
)

findings = sa.Table(
    "nhiscan_findings",
    metadata,
    _run_id(),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("rule_id", sa.String(16), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("agent", sa.Text, nullable=True),
    sa.UniqueConstraint("run_id", "fingerprint", name="uq_nhiscan_findings_run_fingerprint"),
)

gaps = sa.Table(
    "nhiscan_gaps",
    metadata,
    _run_id(),
    sa.Column("provider", sa.String(16), nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("operation", sa.Text, nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

deliveries = sa.Table(
    "nhiscan_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _run_id(),
    sa.Column("target", sa.Text, nullable=False),  # the webhook URL, without credentials
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # "delivered" or "failed"
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("findings", sa.Integer, nullable=False),  # how many new findings it carried
)
