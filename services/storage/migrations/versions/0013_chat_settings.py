"""chat_settings: each chat's settings as one versioned JSON document (the language chosen with
/lang moves into it from chats.chosen_language); subscriptions.silent: a kind of push sent
without sound; alert_rules.urgent: an alert that still comes during quiet hours

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    settings = op.create_table(
        "chat_settings",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("brief_minute", sa.Integer(), nullable=True),
        sa.Column("brief_on", sa.String(length=10), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_index("ix_chat_settings_brief_minute", "chat_settings", ["brief_minute"])
    chosen = op.get_bind().execute(
        sa.text("SELECT chat_id, chosen_language FROM chats WHERE chosen_language IS NOT NULL")
    )
    now = datetime.now(UTC)
    rows = [
        {
            "chat_id": c,
            "version": 1,
            "data": json.dumps({"language": lang}),
            "updated_at": now,
        }
        for c, lang in chosen
    ]
    if rows:
        op.bulk_insert(settings, rows)
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("chosen_language")
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(
            sa.Column("silent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("alert_rules") as batch:
        batch.add_column(
            sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_rules") as batch:
        batch.drop_column("urgent")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("silent")
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("chosen_language", sa.String(length=8), nullable=True))
    for chat_id, data in op.get_bind().execute(sa.text("SELECT chat_id, data FROM chat_settings")):
        language = json.loads(data).get("language")
        if language:
            op.execute(
                sa.text("UPDATE chats SET chosen_language = :l WHERE chat_id = :c").bindparams(
                    l=language, c=chat_id
                )
            )
    op.drop_index("ix_chat_settings_brief_minute", table_name="chat_settings")
    op.drop_table("chat_settings")
