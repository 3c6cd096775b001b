"""Tables. Alembic migrations in `migrations/` must match these (a test compares them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Chat(Base):
    """A chat the bot has answered in: the base for per-chat language and subscriptions."""

    __tablename__ = "chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))  # private, group, supergroup, channel
    title: Mapped[str | None] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(8))
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
