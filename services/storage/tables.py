"""Tables. Alembic migrations in `migrations/` must match these (a test compares them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Chat(Base):
    """A chat the bot has answered in: the base for per-chat language and subscriptions."""

    __tablename__ = "chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))  # private, group, supergroup, channel
    title: Mapped[str | None] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(8))  # the user's Telegram language
    chosen_language: Mapped[str | None] = mapped_column(String(8))  # set with /lang; wins
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FlagRow(Base):
    """An admin's choice for a module flag; absent means the FEATURE_* start-up value."""

    __tablename__ = "flags"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[int] = mapped_column(BigInteger)


class FlagAudit(Base):
    """Who changed which flag, when, from what to what."""

    __tablename__ = "flag_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(32))
    old: Mapped[bool] = mapped_column(Boolean)
    new: Mapped[bool] = mapped_column(Boolean)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LiquidationRow(Base):
    """Realized liquidations polled from OKX, kept so the free heatmap has hours of history."""

    __tablename__ = "liquidations"
    __table_args__ = (UniqueConstraint("coin", "at", "price", "size_coin", name="uq_liquidation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    coin: Mapped[str] = mapped_column(String(16), index=True)
    side: Mapped[str] = mapped_column(String(8))
    price: Mapped[Decimal] = mapped_column(Numeric(28, 10))
    size_coin: Mapped[Decimal] = mapped_column(Numeric(28, 10))
    usd: Mapped[Decimal] = mapped_column(Numeric(28, 4))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SubscriptionRow(Base):
    """A chat's wish to receive one kind of push; kept (inactive) when the chat goes away."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "kind", name="uq_subscription"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # bias, sniper
    active: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertRow(Base):
    """One push produced by a job run, written before any chat is sent anything."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # bias, sniper, health
    payload: Mapped[str] = mapped_column(Text)  # the alert model as JSON, rendered at send time
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # job run start (lag)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    """One alert for one chat: pending until Telegram accepts it, then sent (or closed)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "chat_id", name="uq_delivery"),
        Index("ix_deliveries_due", "status", "next_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    symbols: Mapped[str] = mapped_column(Text)  # JSON list: the alert's items for this chat
    status: Mapped[str] = mapped_column(String(16))  # pending, sent, gone, failed
    attempts: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(256))


class SignalStateRow(Base):
    """The last signal a job pushed per (kind, symbol): what edge-triggering compares with."""

    __tablename__ = "signal_state"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(16), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text)  # bias: the direction; sniper: levels JSON
    strength: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CooldownRow(Base):
    """When a chat last got an alert of one kind for one symbol, and how strong it was."""

    __tablename__ = "cooldowns"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(16), primary_key=True)
    direction: Mapped[str] = mapped_column(String(16))  # a repeat is the same direction again
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    strength: Mapped[Decimal] = mapped_column(Numeric(10, 4))


class LeaseRow(Base):
    """Which replica runs a scheduled job, until when."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
