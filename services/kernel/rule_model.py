"""An alert a chat set: what it watches (a level or a move on one instrument), its options, and
the state its trigger keeps between passes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel


class Metric(StrEnum):
    """What an alert reads. A price is looked at every pass; a perpetual's funding is judged
    at each settlement, on the rate paid (% per 8 h, whatever the contract's interval); its
    open interest (in coins: contracts opened or closed, not the price) at each new reading."""

    PRICE = "price"
    FUNDING = "funding"
    OI = "oi"


class RuleKind(StrEnum):
    LEVEL = "level"  # the value crossing a level (a funding level: a settlement beyond it)
    MOVE = "move"  # the value moving X % within a window
    FLIP = "flip"  # the funding paid changing sign from one settlement to the next


class Side(StrEnum):
    ABOVE = "above"  # a level: fires when the price reaches it from below
    BELOW = "below"
    UP = "up"  # a move; a flip to positive funding
    DOWN = "down"  # a flip to negative funding
    BOTH = "both"


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # snoozed until `paused_until`, or paused by hand (no end)
    FIRED = "fired"  # a `once` alert that fired: over
    EXPIRED = "expired"
    DELETED = "deleted"
    DRAFT = "draft"  # offered the other way round (set on the wrong side), not yet taken


LIVE = (Status.ACTIVE, Status.PAUSED)  # the alerts a chat still has (they count to its limit)

PREVIOUS = "previous"  # a flip's start: the settlement before
# Open interest moves are read from OKX's 5-minute and hourly statistics: the windows /oi shows.
OI_WINDOWS = ("1h", "4h", "24h")
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
    metric: Metric = Metric.PRICE
    side: Side
    level: Decimal | None = None
    move_pct: Decimal | None = None
    window: str | None = None
    repeat_seconds: int | None = None  # None: once
    # The chat marked it urgent: during its quiet hours it still comes, silently.
    urgent: bool = False

    @property
    def window_length(self) -> timedelta:
        return WINDOWS[self.window or "1h"]

    @property
    def key(self) -> str:
        """What the engine indexes it by: the instrument for a price, else the metric and the
        instrument ("funding:SOL-USDT-SWAP"), so SOL's funding never meets SOL's price."""
        return self.symbol if self.metric is Metric.PRICE else f"{self.metric.value}:{self.symbol}"

    @property
    def start_key(self) -> str | None:
        """Which start a stretch carries for it: a move's window, a flip's previous settlement."""
        if self.kind is RuleKind.MOVE:
            return self.window or "1h"
        return PREVIOUS if self.kind is RuleKind.FLIP else None


def split_key(key: str) -> tuple[Metric, str]:
    """An engine key back into its metric and instrument."""
    metric, _sep, symbol = key.partition(":")
    return (Metric(metric), symbol) if symbol else (Metric.PRICE, key)


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
    kind: str  # level / move / flip
    metric: str = Metric.PRICE.value
    direction: str  # above / below / up / down / both
    level: Decimal | None = None  # a level alert's level
    move_pct: Decimal | None = None  # a move alert's threshold and window
    window: str | None = None
    moved_pct: Decimal | None = None  # the move that fired it
    # What it fired at: the price; a funding alert's settled rate (% per 8 h); an open
    # interest alert's open interest (coins).
    price: Decimal
    previous: Decimal | None = None  # a flip: the settlement before, the sign it left
    source: str = "OKX"  # who served the reading
    at: datetime
    note: str = ""
    repeats: bool = False  # an `every` alert: it re-arms
    ended: bool = False  # the alert is over (once, or expired)
    expired: bool = False  # it ended by its expiry, not by firing
    reminder: bool = False  # a day before its expiry: a reminder, not a fire
    urgent: bool = False  # the chat marked it urgent: it comes during quiet hours, silently
