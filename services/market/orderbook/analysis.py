"""Walls and imbalance in a spot order book."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from statistics import median

from pydantic import BaseModel

from services.kernel.models import BookLevel, OrderBook

WALL_MULTIPLE = Decimal(5)  # a level this many times the side's median size is a wall
BANDS_PCT = (Decimal(1), Decimal(2), Decimal(5))
USD_QUOTES = {"USDT", "USDC", "USD", "FDUSD"}


class Side(StrEnum):
    BID = "bid"
    ASK = "ask"


class Wall(BaseModel):
    side: Side
    price: Decimal
    size: Decimal
    notional: Decimal  # in the quote currency (≈ USD for stablecoin quotes)
    distance_pct: Decimal  # from mid; negative below
    multiple: Decimal  # of the side's median level size
    is_wall: bool


class Imbalance(BaseModel):
    band_pct: Decimal
    bid_notional: Decimal
    ask_notional: Decimal
    bid_share: Decimal | None  # bid notional / (bid + ask) notional within the band, 0..1
    covered: bool  # False when the book we have does not reach the band on both sides


class BookAnalysis(BaseModel):
    mid: Decimal
    spread_pct: Decimal
    quote_is_usd: bool
    biggest_bid: Wall | None
    biggest_ask: Wall | None
    bid_walls: list[Wall]
    ask_walls: list[Wall]
    imbalance: list[Imbalance]
    levels_per_side: int


def _walls(side: Side, levels: list[BookLevel], mid: Decimal) -> list[Wall]:
    if not levels:
        return []
    typical = Decimal(str(median(level.size for level in levels)))
    out = []
    for level in levels:
        multiple = level.size / typical if typical else Decimal(0)
        out.append(
            Wall(
                side=side,
                price=level.price,
                size=level.size,
                notional=level.size * level.price,
                distance_pct=(level.price - mid) / mid * 100,
                multiple=multiple,
                is_wall=multiple > WALL_MULTIPLE,
            )
        )
    return sorted(out, key=lambda w: w.size, reverse=True)


def _imbalance(book: OrderBook, mid: Decimal, band: Decimal) -> Imbalance:
    low, high = mid * (1 - band / 100), mid * (1 + band / 100)
    bids = sum((lv.size * lv.price for lv in book.bids if lv.price >= low), Decimal(0))
    asks = sum((lv.size * lv.price for lv in book.asks if lv.price <= high), Decimal(0))
    total = bids + asks
    covered = (
        bool(book.bids and book.asks) and book.bids[-1].price <= low and book.asks[-1].price >= high
    )
    return Imbalance(
        band_pct=band,
        bid_notional=bids,
        ask_notional=asks,
        bid_share=bids / total if total else None,
        covered=covered,
    )


def analyse(book: OrderBook) -> BookAnalysis | None:
    """None when one side is empty (no mid to measure from)."""
    if not book.bids or not book.asks:
        return None
    best_bid, best_ask = book.bids[0].price, book.asks[0].price
    mid = (best_bid + best_ask) / 2
    bids = _walls(Side.BID, book.bids, mid)
    asks = _walls(Side.ASK, book.asks, mid)
    return BookAnalysis(
        mid=mid,
        spread_pct=(best_ask - best_bid) / mid * 100,
        quote_is_usd=book.instrument.quote in USD_QUOTES,
        biggest_bid=bids[0],
        biggest_ask=asks[0],
        bid_walls=[w for w in bids if w.is_wall],
        ask_walls=[w for w in asks if w.is_wall],
        imbalance=[_imbalance(book, mid, band) for band in BANDS_PCT],
        levels_per_side=min(len(book.bids), len(book.asks)),
    )
