"""The first store: runs, their findings and gaps, webhook deliveries.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _run_id() -> sa.Column[int]:
    return sa.Column(
        "run_id", sa.Integer, sa.ForeignKey("nhiscan_runs.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "nhiscan_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(512), nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("catalog_date", sa.String(32), nullable=True),
        sa.Column("identities", sa.Integer, nullable=False),
        sa.Column("credentials", sa.Integer, nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("gaps", sa.Integer, nullable=False),
        sa.Column("by_severity", sa.Text, nullable=False),
        sa.Column("snapshot", sa.LargeBinary, nullable=False),
        sa.Column("agents", sa.LargeBinary, nullable=True),
    )
    op.create_index("ix_nhiscan_runs_scope", "nhiscan_runs", ["scope"])
    op.create_table(
        "nhiscan_findings",
        _run_id(),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("agent", sa.Text, nullable=True),
        sa.UniqueConstraint("run_id", "fingerprint", name="uq_nhiscan_findings_run_fingerprint"),
    )
    op.create_index("ix_nhiscan_findings_run_id", "nhiscan_findings", ["run_id"])
    op.create_table(
        "nhiscan_gaps",
        _run_id(),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("operation", sa.Text, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_nhiscan_gaps_run_id", "nhiscan_gaps", ["run_id"])
    op.create_table(
        "nhiscan_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _run_id(),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
    )
    op.create_index("ix_nhiscan_deliveries_run_id", "nhiscan_deliveries", ["run_id"])


def downgrade() -> None:
    for table in ("nhiscan_deliveries", "nhiscan_gaps", "nhiscan_findings", "nhiscan_runs"):
        op.drop_table(table)
