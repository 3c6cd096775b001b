"""The alert a job run produces: stored as JSON before delivery, rendered per chat at send time."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from services.kernel.alerts import AlertType
from services.signals.bias.rule import BiasCall, Missing
from services.signals.sniper.rule import EntryMap
from services.signals.track_record import TrackLine

# Alerts whose message is later edited or answered: the id Telegram gave it is kept.
FOLLOWED = frozenset({AlertType.SNIPER})


class Signal(BaseModel):
    """What edge-triggering and cooldowns compare: one symbol's call in one run."""

    symbol: str
    direction: str  # LONG / SHORT / NEUTRAL: a repeat is the same direction again
    strength: Decimal  # confidence 0..1: "materially stronger" is measured on it
    fingerprint: str  # bias: the direction; sniper: the setup's levels


class HealthNotice(BaseModel):
    job: str
    healthy: bool  # False: the warning; True: the recovery
    failing: list[Missing]  # the main modules that failed, with their reasons
    at: datetime
    # A backing store's outage instead of a job's ("redis", "database"); `job` is then unused.
    store: str | None = None


class Tracking(BaseModel):
    """Where a pushed sniper map stands against OKX's price."""

    call_id: int
    map: EntryMap
    status: str  # waiting, entered, tp1, tp2, stopped, breakeven, expired
    final: bool
    entered_at: datetime | None = None
    tp1_at: datetime | None = None
    closed_at: datetime | None = None
    r: Decimal | None = None  # realised, when final
    r_open: Decimal | None = None  # banked so far (half at TP1)
    expires_at: datetime | None = None  # without an entry by then, the map is void


class Withdrawal(BaseModel):
    symbol: str
    was: str  # the direction the chat was pushed: LONG / SHORT
    now: str  # NEUTRAL (withdrawn)
    # The pushed call (its time and price) and the price now; None where unknown (stored
    # before they were kept, or the database could not say).
    called_at: datetime | None = None
    called_price: Decimal | None = None
    price: Decimal | None = None


class Alert(BaseModel):
    type: AlertType
    started_at: datetime  # when the job run started: alert lag is measured from here
    bias: list[BiasCall] = []
    sniper: list[EntryMap] = []
    health: HealthNotice | None = None
    track: Tracking | None = None
    withdrawn: list[Withdrawal] = []
    record: TrackLine | None = None

    def only(self, symbols: list[str]) -> Alert:
        """The part of this alert one chat receives (others may be inside a cooldown)."""
        return self.model_copy(
            update={
                "bias": [c for c in self.bias if c.symbol in symbols],
                "sniper": [m for m in self.sniper if m.symbol in symbols],
                "withdrawn": [w for w in self.withdrawn if w.symbol in symbols],
            }
        )
