"""What price and open interest did together over a window, read the way perp traders read
it: more contracts opened while price rose are new longs, while it fell new shorts; contracts
closed while price rose are shorts covering, while it fell longs closing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from services.vendors.okx_stats import OiPoint, TakerPoint

# Below these a move is noise: no reading is made of it.
OI_FLAT_PCT = Decimal("0.5")
PRICE_FLAT_PCT = Decimal("0.2")


class Positioning(StrEnum):
    NEW_LONGS = "new_longs"  # price up, OI up
    NEW_SHORTS = "new_shorts"  # price down, OI up
    SHORTS_COVERING = "shorts_covering"  # price up, OI down
    LONGS_CLOSING = "longs_closing"  # price down, OI down
    UNCLEAR = "unclear"  # one of them barely moved


class OiChange(BaseModel):
    window: str  # 1h, 4h, 24h
    oi_pct: Decimal  # open interest in coins: contracts opened or closed, not price moves
    price_pct: Decimal


def positioning(change: OiChange) -> Positioning:
    if abs(change.oi_pct) < OI_FLAT_PCT or abs(change.price_pct) < PRICE_FLAT_PCT:
        return Positioning.UNCLEAR
    if change.oi_pct > 0:
        return Positioning.NEW_LONGS if change.price_pct > 0 else Positioning.NEW_SHORTS
    return Positioning.SHORTS_COVERING if change.price_pct > 0 else Positioning.LONGS_CLOSING


def _price(point: OiPoint) -> Decimal | None:
    """The price OKX valued the open interest at: its dollars over its coins."""
    return point.usd / point.coins if point.coins > 0 else None


def point_at(history: Sequence[OiPoint], at: datetime, within: timedelta) -> OiPoint | None:
    """The last point at or before `at`, if no further from it than `within` (the nearest
    point too far from a window's start cannot stand for it); None otherwise."""
    then = [p for p in history if p.at <= at]
    if not then or at - then[-1].at > within:
        return None
    return then[-1]


def change_since(
    now: OiPoint, history: Sequence[OiPoint], window: timedelta, name: str
) -> OiChange | None:
    """From the last point at or before `now - window` to now; None when the history does not
    reach back that far (a contract listed since) or holds no coins then."""
    start = point_at(history, now.at - window, window / 4)
    if start is None:
        return None
    price_then, price_now = _price(start), _price(now)
    if not start.coins or price_then is None or price_now is None:
        return None
    return OiChange(
        window=name,
        oi_pct=(now.coins - start.coins) / start.coins * 100,
        price_pct=(price_now - price_then) / price_then * 100,
    )


class TakerFlow(BaseModel):
    buy_usd: Decimal
    sell_usd: Decimal

    @property
    def net_usd(self) -> Decimal:
        return self.buy_usd - self.sell_usd


def taker_flow(points: Sequence[TakerPoint], since: datetime) -> TakerFlow | None:
    """Taker buys and sells (rows asked in USD) of the periods opening at or after `since`."""
    inside = [p for p in points if p.at >= since]
    if not inside:
        return None
    return TakerFlow(
        buy_usd=sum((p.buy for p in inside), Decimal(0)),
        sell_usd=sum((p.sell for p in inside), Decimal(0)),
    )
