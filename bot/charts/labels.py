"""The words around a chart, translated on the event loop where the chat's locale is set (charts
draw in worker threads, where none is). Kept apart from the drawing so answering a command that
draws nothing never imports matplotlib."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartFrame:
    title: str
    context: str  # "Source: OKX · as of 14:03 WIB · stale"
    locale: str

    def metadata(self) -> dict[str, str]:
        return {"Title": self.title, "Description": self.context, "Language": self.locale}


@dataclass(frozen=True)
class DepthLabels:
    frame: ChartFrame
    x_axis: str
    y_axis: str
    bids: str
    asks: str
    mid: str  # "mid 142.35"


@dataclass(frozen=True)
class HeatmapLabels:
    frame: ChartFrame
    x_axis: str
    y_axis: str
    price: str  # "price 142.35", in the chat's numbers
    time_axis: str
    longs: str  # "long liquidation levels"
    shorts: str
    realized: str  # what OKX already liquidated, drawn over the levels
    scale: str  # the colour scale's unit


@dataclass(frozen=True)
class CandleLabels:
    frame: ChartFrame
    price_axis: str
    volume_axis: str
    time_axis: str
    last: str  # "last 142.35"
    # A live sniper map's levels, name and price ("TP1 144.5"), drawn across the price panel.
    levels: tuple[tuple[str, float, str], ...] = ()  # (label, price, colour)


@dataclass(frozen=True)
class DerivLabels:
    frame: ChartFrame
    price: str  # "Price"
    open_interest: str  # "Open interest (SOL)"
    funding: str  # "Funding paid at each settlement, % a year"
