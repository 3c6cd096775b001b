"""Analysed reports built from the fixture bodies, and a ready alert, for tests and benches."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from services.delivery.models import Alert, BiasPush, Signal
from services.kernel.models import HeatmapGrid, OrderBook
from services.kernel.symbols import parse_symbol
from services.market.heatmap.analysis import analyse as analyse_heatmap
from services.market.heatmap.analysis import bands_from_grid
from services.market.heatmap.service import HeatmapMethod, HeatmapRange, HeatmapReport
from services.market.heatmap.timemap import from_grid
from services.market.orderbook.analysis import analyse as analyse_book
from services.market.orderbook.service import OrderBookReport
from services.signals.bias.rule import BiasCall, Direction
from services.vendors.coinglass import epoch
from services.vendors.levels import parse_levels
from tests.fakes.vendors import load


def book_report(stale: bool = False) -> OrderBookReport:
    data = load("okx", "books_SOL-USDT.json")["data"][0]
    book = OrderBook(
        instrument=parse_symbol("SOL"),
        bids=parse_levels("okx", "b", data["bids"]),
        asks=parse_levels("okx", "b", data["asks"]),
        source="OKX",
        as_of=datetime.now(UTC),
        stale=stale,
    )
    analysis = analyse_book(book)
    assert analysis is not None
    return OrderBookReport(book=book, analysis=analysis)


def heatmap_report() -> HeatmapReport:
    data = load("coinglass", "liquidation_heatmap_model1_SOLUSDT.json")["data"]
    axis = [Decimal(str(y)) for y in data["y_axis"]]
    grid = HeatmapGrid(
        y_axis=axis,
        cells=[(int(x), int(y), Decimal(str(u))) for x, y, u in data["liquidation_leverage_data"]],
        candle_count=len(data["price_candlesticks"]),
        last_close=Decimal(data["price_candlesticks"][-1][4]),
        last_time=None,
        path=[(epoch(float(c[0])), Decimal(str(c[4]))) for c in data["price_candlesticks"]],
    )
    price = grid.last_close or axis[0]
    return HeatmapReport(
        coin="SOL",
        range=HeatmapRange.H12,
        source="CoinGlass",
        method=HeatmapMethod.MODEL,
        analysis=analyse_heatmap(bands_from_grid(grid, price, None), price),
        map=from_grid(grid, None),
        as_of=datetime.now(UTC),
    )


def bias_alert(symbol: str = "SOL") -> tuple[Alert, list[Signal]]:
    """A LONG bias alert and its signal, as the bias job would publish them."""
    call = BiasCall(
        symbol=symbol,
        direction=Direction.LONG,
        confidence=Decimal("0.67"),
        at=datetime.now(UTC),
        evidence=[],
        missing=[],
    )
    alert = Alert(started_at=datetime.now(UTC), payload=BiasPush(calls=[call]))
    signal = Signal(symbol=symbol, direction="LONG", strength=call.confidence, fingerprint="LONG")
    return alert, [signal]
