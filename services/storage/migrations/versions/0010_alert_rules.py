"""alert_rules, alert_fires, alert_marks: the alerts a chat sets itself (/alert), each firing,
and where the alert pass left each instrument

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("level", sa.Numeric(28, 10), nullable=True),
        sa.Column("move_pct", sa.Numeric(12, 4), nullable=True),
        sa.Column("window", sa.String(length=8), nullable=True),
        sa.Column("repeat_seconds", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=160), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("armed", sa.Boolean(), nullable=False),
        sa.Column("last_fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("anchor_price", sa.Numeric(28, 10), nullable=True),
        sa.Column("anchor_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fires", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_rules_chat", "alert_rules", ["chat_id", "status"])
    op.create_index("ix_alert_rules_updated", "alert_rules", ["updated_at"])
    op.create_table(
        "alert_fires",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("price", sa.Numeric(28, 10), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_fires_chat", "alert_fires", ["chat_id", "fired_at"])
    op.create_index("ix_alert_fires_waiting", "alert_fires", ["alert_id"])
    op.create_table(
        "alert_marks",
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("price", sa.Numeric(28, 10), nullable=False),
        sa.PrimaryKeyConstraint("symbol"),
    )


def downgrade() -> None:
    op.drop_table("alert_marks")
    op.drop_index("ix_alert_fires_waiting", table_name="alert_fires")
    op.drop_index("ix_alert_fires_chat", table_name="alert_fires")
    op.drop_table("alert_fires")
    op.drop_index("ix_alert_rules_updated", table_name="alert_rules")
    op.drop_index("ix_alert_rules_chat", table_name="alert_rules")
    op.drop_table("alert_rules")
