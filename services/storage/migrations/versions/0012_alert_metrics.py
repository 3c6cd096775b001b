"""alerts on a perpetual's funding and open interest: what an alert reads (price, funding, oi)
beside what it watches for; every alert set before reads the price

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_rules") as batch:
        batch.add_column(
            sa.Column("metric", sa.String(length=8), server_default="price", nullable=False)
        )


def downgrade() -> None:
    # The alerts on funding and open interest have no meaning without the column: they go.
    op.execute("DELETE FROM alert_rules WHERE metric <> 'price'")
    with op.batch_alter_table("alert_rules") as batch:
        batch.drop_column("metric")
