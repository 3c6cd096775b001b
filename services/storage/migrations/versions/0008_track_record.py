"""The track record: calls, grades, candles and the input journal; delivery message ids for
follow-ups; the setup a chat got

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("call_id", sa.Integer(), nullable=True))
        batch.create_index("ix_alerts_call_id", ["call_id"])
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("reply_to", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("cooldowns") as batch:
        batch.add_column(sa.Column("fingerprint", sa.Text(), nullable=True))
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("price", sa.Numeric(28, 10), nullable=True),
        sa.Column("pushed", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "symbol", "key", name="uq_call"),
    )
    op.create_index("ix_calls_open", "calls", ["kind", "open"])
    op.create_index("ix_calls_made_at", "calls", ["made_at"])
    op.create_table(
        "grades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("horizon", sa.String(length=16), nullable=False),
        sa.Column("baseline", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("hit", sa.Boolean(), nullable=True),
        sa.Column("value", sa.Numeric(20, 6), nullable=True),
        sa.Column("price_from", sa.Numeric(28, 10), nullable=True),
        sa.Column("price_to", sa.Numeric(28, 10), nullable=True),
        sa.Column("at_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("at_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_id", "horizon", "baseline", name="uq_grade"),
    )
    op.create_index("ix_grades_call_id", "grades", ["call_id"])
    op.create_table(
        "candles",
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("open", sa.Numeric(28, 10), nullable=False),
        sa.Column("high", sa.Numeric(28, 10), nullable=False),
        sa.Column("low", sa.Numeric(28, 10), nullable=False),
        sa.Column("close", sa.Numeric(28, 10), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "ts"),
    )
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_journal_at", "journal", ["at"])


def downgrade() -> None:
    op.drop_index("ix_journal_at", table_name="journal")
    op.drop_table("journal")
    op.drop_table("candles")
    op.drop_index("ix_grades_call_id", table_name="grades")
    op.drop_table("grades")
    op.drop_index("ix_calls_made_at", table_name="calls")
    op.drop_index("ix_calls_open", table_name="calls")
    op.drop_table("calls")
    with op.batch_alter_table("cooldowns") as batch:
        batch.drop_column("fingerprint")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("reply_to")
        batch.drop_column("message_id")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_call_id")
        batch.drop_column("call_id")
