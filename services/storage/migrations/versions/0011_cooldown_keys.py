"""cooldowns keyed by (chat, dedupe key): `bias:SOL`, `rule:1234`, so two pushes of one kind on
one symbol (two alerts a chat set on SOL) no longer share one cooldown

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_cooldowns",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("strength", sa.Numeric(10, 4), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", "key"),
    )
    # A kind and a symbol were the key's two parts: `bias` + `SOL` is `bias:SOL`.
    op.execute(
        "INSERT INTO push_cooldowns (chat_id, key, direction, last_at, strength, fingerprint) "
        "SELECT chat_id, kind || ':' || symbol, direction, last_at, strength, fingerprint "
        "FROM cooldowns"
    )
    op.drop_table("cooldowns")


def downgrade() -> None:
    op.create_table(
        "cooldowns",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("strength", sa.Numeric(10, 4), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", "kind", "symbol"),
    )
    for kind in ("bias", "sniper"):
        op.execute(
            "INSERT INTO cooldowns (chat_id, kind, symbol, direction, last_at, strength, "
            f"fingerprint) SELECT chat_id, '{kind}', substr(key, {len(kind) + 2}), direction, "
            f"last_at, strength, fingerprint FROM push_cooldowns WHERE key LIKE '{kind}:%'"
        )
    op.drop_table("push_cooldowns")
