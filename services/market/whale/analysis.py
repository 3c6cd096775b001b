"""Whale events from large trades or large positions, and what they say about the flow.

A Hyperliquid alert is a position change, not a trade: opening a long or closing a short buys,
opening a short or closing a long sells (CoinGlass whale alert: position_action 1 opens,
2 closes). Every signal reads the flow, never the sign of the position alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from services.kernel.bounds import moment
from services.kernel.settings import Settings
from services.vendors.coinglass import WhaleAlert
from services.vendors.okx_rows import Trade

ACTIONS = {1: True, 2: False}  # CoinGlass position_action: 1 opened, 2 closed


class WhaleSide(StrEnum):
    BUY = "buy"
    SELL = "sell"
    LONG = "long"
    SHORT = "short"


class Flow(StrEnum):
    BUY = "buy"
    SELL = "sell"


class WhaleEvent(BaseModel):
    coin: str
    side: WhaleSide
    usd: Decimal
    price: Decimal
    venue: str  # "OKX SOL-USDT-SWAP", "Hyperliquid"
    at: datetime
    opened: bool | None = None  # positions: opened (True) or closed (False); trades: None

    @property
    def flow(self) -> Flow | None:
        """The side of the market this event took; None for a position change of unknown kind."""
        if self.side is WhaleSide.BUY:
            return Flow.BUY
        if self.side is WhaleSide.SELL:
            return Flow.SELL
        if self.opened is None:
            return None
        # Opening a long or closing a short buys; opening a short or closing a long sells.
        return Flow.BUY if (self.side is WhaleSide.LONG) == self.opened else Flow.SELL


class WhaleRule(BaseModel):
    """How whale activity becomes a signal input (WHALE_WINDOW_MINUTES, WHALE_NET_SHARE)."""

    window_minutes: int = 60
    # Net flow over gross flow needed to read the window as buying (or selling): 0.2 means
    # buys must be at least 60 % of what whales moved.
    net_share: Decimal = Decimal("0.2")

    @classmethod
    def from_settings(cls, settings: Settings) -> WhaleRule:
        return cls(window_minutes=settings.whale_window_minutes, net_share=settings.whale_net_share)


class WhaleFlow(BaseModel):
    """The whale flow inside the signal window."""

    window_minutes: int
    buys: int
    sells: int
    buy_usd: Decimal
    sell_usd: Decimal
    largest_buy: Decimal | None = None
    largest_buy_coin: str | None = None
    largest_sell: Decimal | None = None
    largest_sell_coin: str | None = None
    older: int = 0  # events outside the window: shown in /whale, never part of a call
    lean: Flow | None = None  # None: no whale in the window, or buys and sells too even

    @property
    def net_usd(self) -> Decimal:
        return self.buy_usd - self.sell_usd


def whale_flow(events: list[WhaleEvent], now: datetime, rule: WhaleRule) -> WhaleFlow:
    since = now - timedelta(minutes=rule.window_minutes)
    recent = [e for e in events if e.at >= since and e.flow is not None]
    buys = [e for e in recent if e.flow is Flow.BUY]
    sells = [e for e in recent if e.flow is Flow.SELL]
    buy_usd = sum((e.usd for e in buys), Decimal(0))
    sell_usd = sum((e.usd for e in sells), Decimal(0))
    gross = buy_usd + sell_usd
    lean = None
    if gross > 0:
        share = (buy_usd - sell_usd) / gross
        if share > 0 and share >= rule.net_share:
            lean = Flow.BUY
        elif share < 0 and share <= -rule.net_share:
            lean = Flow.SELL
    top_buy = max(buys, key=lambda e: e.usd, default=None)
    top_sell = max(sells, key=lambda e: e.usd, default=None)
    return WhaleFlow(
        window_minutes=rule.window_minutes,
        buys=len(buys),
        sells=len(sells),
        buy_usd=buy_usd,
        sell_usd=sell_usd,
        largest_buy=top_buy.usd if top_buy else None,
        largest_buy_coin=top_buy.coin if top_buy else None,
        largest_sell=top_sell.usd if top_sell else None,
        largest_sell_coin=top_sell.coin if top_sell else None,
        older=sum(1 for e in events if e.at < since),
        lean=lean,
    )


def whale_trades(
    trades: list[Trade], ct_val: Decimal | None, threshold: Decimal, venue: str
) -> list[WhaleEvent]:
    """Trades whose notional reaches the threshold. Swap sizes are contracts: pass `ct_val`
    (coin per contract); spot sizes are coin, pass None. OKX's `side` is the taker's."""
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
                    at=moment(trade.ts, "ms"),
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
            at=a.create_time,
            opened=ACTIONS.get(a.position_action),
        )
        for a in alerts
        if a.symbol in coins and a.position_value_usd >= threshold
    ]
