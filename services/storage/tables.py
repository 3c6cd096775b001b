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
from sqlalchemy.sql.expression import false


class Base(DeclarativeBase):
    pass


class Chat(Base):
    """A chat the bot has answered in: the base for per-chat language and subscriptions."""

    __tablename__ = "chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))  # private, group, supergroup, channel
    title: Mapped[str | None] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(8))  # the user's Telegram language
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChatSettingsRow(Base):
    """A chat's settings (services/chats/desk.py) as one JSON document, versioned. The brief's
    time, the chat's zone and the day it last got its brief are also columns: the brief job
    scans them every minute without reading the documents."""

    __tablename__ = "chat_settings"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)  # bumped on every change (optimistic writes)
    data: Mapped[str] = mapped_column(Text)
    tz: Mapped[str | None] = mapped_column(String(64))  # None: the operator's TIMEZONE
    brief_minute: Mapped[int | None] = mapped_column(Integer, index=True)  # local, of the day
    brief_on: Mapped[str | None] = mapped_column(String(10))  # local date of the last brief
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
    kind: Mapped[str] = mapped_column(String(16))  # bias, sniper, followups, rule, health
    active: Mapped[bool] = mapped_column(Boolean)
    silent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertRow(Base):
    """One push produced by a job run, written before any chat is sent anything."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # bias, sniper, health
    payload: Mapped[str] = mapped_column(Text)  # the alert model as JSON, rendered at send time
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # job run start (lag)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    call_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the sniper map it carries


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
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # what Telegram made of it
    # Follow-ups: the message this one edits in place or replies to.
    reply_to: Mapped[int | None] = mapped_column(BigInteger)
    # The instance sending it (while status is sending): a restart of the same instance takes
    # its own claims back at once; another replica's wait for the claim to lapse.
    claimed_by: Mapped[str | None] = mapped_column(String(64))


class SignalStateRow(Base):
    """The last signal a job pushed per (kind, symbol): what edge-triggering compares with."""

    __tablename__ = "signal_state"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(16), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text)  # bias: the direction; sniper: levels JSON
    strength: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CooldownRow(Base):
    """When a chat last got a push under one dedupe key (`bias:SOL`, `rule:1234`: its kind's
    `Push.dedupe_key`), and how strong it was."""

    __tablename__ = "push_cooldowns"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    direction: Mapped[str] = mapped_column(String(16))  # a repeat is the same direction again
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    strength: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    # sniper: the setup this chat got (one push per setup per chat); bias: "withdrawn" once the
    # chat was told the call it holds is no longer made.
    fingerprint: Mapped[str | None] = mapped_column(Text)


class LeaseRow(Base):
    """Which replica runs a scheduled job, until when."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CallRow(Base):
    """Every call the bot made, pushed or not: graded later against OKX candles."""

    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("kind", "symbol", "key", name="uq_call"),
        Index("ix_calls_open", "kind", "open"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # bias, sniper, whale
    symbol: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))  # LONG / SHORT (a whale: its flow)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    key: Mapped[str] = mapped_column(String(128))  # one row per call: a whale seen twice is one
    price: Mapped[Decimal | None] = mapped_column(Numeric(28, 10))  # the price it was made at
    pushed: Mapped[bool] = mapped_column(Boolean)  # queued to at least one chat
    detail: Mapped[str] = mapped_column(Text)  # the call as JSON: its inputs or levels
    open: Mapped[bool] = mapped_column(Boolean)  # still being graded
    status: Mapped[str] = mapped_column(String(16))  # open / graded; sniper: its tracking state
    status_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GradeRow(Base):
    """One graded outcome of a call (a horizon, or the sniper's final level), with the prices
    and times used so it can be checked by hand; `baseline` rows grade the naive twin."""

    __tablename__ = "grades"
    __table_args__ = (UniqueConstraint("call_id", "horizon", "baseline", name="uq_grade"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    horizon: Mapped[str] = mapped_column(String(16))  # 15m, 1h, 4h, 24h; sniper: outcome
    baseline: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16))  # hit / miss; sniper: tp2, stopped, ...
    hit: Mapped[bool | None] = mapped_column(Boolean)  # None: not a trade (no fill)
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))  # % move, or R for sniper
    price_from: Mapped[Decimal | None] = mapped_column(Numeric(28, 10))
    price_to: Mapped[Decimal | None] = mapped_column(Numeric(28, 10))
    at_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    at_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(64))  # "OKX 1m candles SOL-USDT"
    detail: Mapped[str | None] = mapped_column(Text)  # sniper: MAE, minutes to outcome (JSON)
    graded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CandleRow(Base):
    """OKX 1-minute candles kept for grading and replays (pruned with the journal)."""

    __tablename__ = "candles"

    symbol: Mapped[str] = mapped_column(String(16), primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    open: Mapped[Decimal] = mapped_column(Numeric(28, 10))
    high: Mapped[Decimal] = mapped_column(Numeric(28, 10))
    low: Mapped[Decimal] = mapped_column(Numeric(28, 10))
    close: Mapped[Decimal] = mapped_column(Numeric(28, 10))


class JournalRow(Base):
    """What one job run saw, compact, so the rules can be replayed with other thresholds."""

    __tablename__ = "journal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(16))  # bias, sniper
    symbol: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    inputs: Mapped[str] = mapped_column(Text)  # JSON


class RuleRow(Base):
    """An alert a chat set itself (/alert): its condition, its options and its trigger state,
    kept with it so a restart neither fires it again nor forgets a crossing."""

    __tablename__ = "alert_rules"
    __table_args__ = (
        Index("ix_alert_rules_chat", "chat_id", "status"),
        Index("ix_alert_rules_updated", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    symbol: Mapped[str] = mapped_column(String(40))  # the OKX instrument: SOL-USDT, ...-SWAP
    kind: Mapped[str] = mapped_column(String(8))  # level / move / flip
    metric: Mapped[str] = mapped_column(String(8), server_default="price")  # price/funding/oi
    direction: Mapped[str] = mapped_column(String(8))  # above / below / up / down / both
    level: Mapped[Decimal | None] = mapped_column(Numeric(28, 10))
    move_pct: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    window: Mapped[str | None] = mapped_column(String(8))
    repeat_seconds: Mapped[int | None] = mapped_column(Integer)  # None: once
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    note: Mapped[str] = mapped_column(String(160))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminded: Mapped[bool] = mapped_column(Boolean)  # told a day before its expiry
    status: Mapped[str] = mapped_column(String(12))  # active, paused, fired, expired, deleted
    paused_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    armed: Mapped[bool] = mapped_column(Boolean)  # a repeating alert waits to re-arm once fired
    last_fired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    anchor_price: Mapped[Decimal | None] = mapped_column(Numeric(28, 10))  # a move's new start
    anchor_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fires: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FireRow(Base):
    """One firing of an alert (or its expiry, or the reminder before it), and the push that
    carried it: none yet while the chat's per-minute cap holds it for the next message."""

    __tablename__ = "alert_fires"
    __table_args__ = (
        Index("ix_alert_fires_chat", "chat_id", "fired_at"),
        Index("ix_alert_fires_waiting", "alert_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(Integer)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    price: Mapped[Decimal] = mapped_column(Numeric(28, 10))
    detail: Mapped[str] = mapped_column(Text)  # the RuleFire as JSON
    alert_id: Mapped[int | None] = mapped_column(Integer)


class RuleMarkRow(Base):
    """Where the alert pass left each instrument: when it last looked, at what price. After a
    restart, a crossing in the gap is found in OKX's 1-minute candles from here."""

    __tablename__ = "alert_marks"

    symbol: Mapped[str] = mapped_column(String(40), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    price: Mapped[Decimal] = mapped_column(Numeric(28, 10))
