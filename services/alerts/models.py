"""The alert a job run produces: stored as JSON before delivery, rendered per chat at send time."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from services.analysis.bias import BiasCall, Missing
from services.analysis.sniper import EntryMap


class AlertType(StrEnum):
    BIAS = "bias"
    SNIPER = "sniper"
    HEALTH = "health"  # to the bot admins only, never to subscribers


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


class Alert(BaseModel):
    type: AlertType
    started_at: datetime  # when the job run started: alert lag is measured from here
    bias: list[BiasCall] = []
    sniper: list[EntryMap] = []
    health: HealthNotice | None = None

    def only(self, symbols: list[str]) -> Alert:
        """The part of this alert one chat receives (others may be inside a cooldown)."""
        return self.model_copy(
            update={
                "bias": [c for c in self.bias if c.symbol in symbols],
                "sniper": [m for m in self.sniper if m.symbol in symbols],
            }
        )
