"""liquidations: the free heatmap's rolling window

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "liquidations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("coin", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("price", sa.Numeric(28, 10), nullable=False),
        sa.Column("size_coin", sa.Numeric(28, 10), nullable=False),
        sa.Column("usd", sa.Numeric(28, 4), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("coin", "at", "price", "size_coin", name="uq_liquidation"),
    )
    op.create_index("ix_liquidations_coin", "liquidations", ["coin"])
    op.create_index("ix_liquidations_at", "liquidations", ["at"])


def downgrade() -> None:
    op.drop_index("ix_liquidations_at", table_name="liquidations")
    op.drop_index("ix_liquidations_coin", table_name="liquidations")
    op.drop_table("liquidations")
