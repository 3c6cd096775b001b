"""An alert a chat set: what it watches (a level or a move on one instrument), its options, and
the state its trigger keeps between passes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel


class RuleKind(StrEnum):
    LEVEL = "level"  # the price crossing a level
    MOVE = "move"  # the price moving X % within a window


class Side(StrEnum):
    ABOVE = "above"  # a level: fires when the price reaches it from below
    BELOW = "below"
    UP = "up"  # a move
    DOWN = "down"
    BOTH = "both"


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # snoozed until `paused_until`, or paused by hand (no end)
    FIRED = "fired"  # a `once` alert that fired: over
    EXPIRED = "expired"
    DELETED = "deleted"
    DRAFT = "draft"  # offered the other way round (set on the wrong side), not yet taken


LIVE = (Status.ACTIVE, Status.PAUSED)  # the alerts a chat still has (they count to its limit)

# The windows a move alert may measure over (the sizes OKX serves candles in, for the dry-run).
WINDOWS: dict[str, timedelta] = {
    "5m": timedelta(minutes=5),
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "24h": timedelta(hours=24),
}


class RuleSpec(BaseModel):
    """What an alert watches: the part the pure condition reads."""

    symbol: str  # OKX instId: SOL-USDT (spot) or SOL-USDT-SWAP (that perpetual's price)
    kind: RuleKind
    side: Side
    level: Decimal | None = None
    move_pct: Decimal | None = None
    window: str | None = None
    repeat_seconds: int | None = None  # None: once

    @property
    def window_length(self) -> timedelta:
        return WINDOWS[self.window or "1h"]


class RuleState(BaseModel):
    """What the trigger keeps between passes (and across restarts, in the rule's row)."""

    armed: bool = True  # fired and repeating: waits for the price to come back first
    last_fired_at: datetime | None = None
    anchor_price: Decimal | None = None  # a move that fired measures from here while it can
    anchor_at: datetime | None = None


class Rule(BaseModel):
    """An alert as stored: its spec, options, state and where it stands."""

    id: int
    chat_id: int
    created_by: int | None = None
    spec: RuleSpec
    note: str = ""
    expires_at: datetime
    reminded: bool = False
    status: Status
    paused_until: datetime | None = None
    state: RuleState
    fires: int = 0
    created_at: datetime
    updated_at: datetime


class RuleFire(BaseModel):
    """One alert a chat set that fired: what crossed, when, at what price."""

    rule_id: int
    symbol: str  # the OKX instrument it watches: SOL-USDT (spot) or SOL-USDT-SWAP
    kind: str  # level / move
    direction: str  # above / below / up / down
    level: Decimal | None = None  # a level alert's level
    move_pct: Decimal | None = None  # a move alert's threshold and window
    window: str | None = None
    moved_pct: Decimal | None = None  # the move that fired it
    price: Decimal  # the price when it fired
    at: datetime
    note: str = ""
    repeats: bool = False  # an `every` alert: it re-arms
    ended: bool = False  # the alert is over (once, or expired)
    expired: bool = False  # it ended by its expiry, not by firing
    reminder: bool = False  # a day before its expiry: a reminder, not a fire
