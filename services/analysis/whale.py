"""Whale events from large trades or large positions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from services.providers.coinglass import WhaleAlert, epoch
from services.providers.okx import Trade


class WhaleSide(StrEnum):
    BUY = "buy"
    SELL = "sell"
    LONG = "long"
    SHORT = "short"


class WhaleEvent(BaseModel):
    coin: str
    side: WhaleSide
    usd: Decimal
    price: Decimal
    venue: str  # "OKX SOL-USDT-SWAP", "Hyperliquid"
    at: datetime
    opened: bool | None = None  # positions: opened (True) or closed (False); trades: None


def whale_trades(
    trades: list[Trade], ct_val: Decimal | None, threshold: Decimal, venue: str
) -> list[WhaleEvent]:
    """Trades whose notional reaches the threshold. Swap sizes are contracts: pass `ct_val`
    (coin per contract); spot sizes are coin, pass None."""
    events = []
    for trade in trades:
        coins = trade.sz * ct_val if ct_val is not None else trade.sz
        usd = coins * trade.px
        if usd >= threshold:
            events.append(
                WhaleEvent(
                    coin=trade.instId.split("-")[0],
                    side=WhaleSide.BUY if trade.side == "buy" else WhaleSide.SELL,
                    usd=usd,
                    price=trade.px,
                    venue=f"{venue} {trade.instId}",
                    at=datetime.fromtimestamp(trade.ts / 1000, UTC),
                )
            )
    return events


def whale_positions(
    alerts: list[WhaleAlert], coins: set[str], threshold: Decimal
) -> list[WhaleEvent]:
    return [
        WhaleEvent(
            coin=a.symbol,
            side=WhaleSide.LONG if a.position_size > 0 else WhaleSide.SHORT,
            usd=a.position_value_usd,
            price=a.entry_price,
            venue="Hyperliquid",
            at=epoch(a.create_time),
            opened=a.position_action == 1,
        )
        for a in alerts
        if a.symbol in coins and a.position_value_usd >= threshold
    ]
