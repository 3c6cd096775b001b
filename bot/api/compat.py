"""The routes the earlier version of this bot served, kept for the custom GPT action built on
them: each is an alias of an /api/v1 endpoint (the same handler, services, deadline, key and
per-key limit), with the parameter names the earlier version used. `POST /gpts/advanced` runs
one operation (`{"op": "ticker", "params": {"symbol": "SOL"}}`) or up to ten (`{"ops": [...]}`)
and answers in that version's envelope (`ok`, `op`, `args`, `data`, `error`); `data` is this
bot's own model, documented in /openapi.json."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from bot.api.routes import API_ROUTES
from bot.api.spec import ApiRoute

OPS_MAX = 10


@dataclass(frozen=True)
class Alias:
    path: str  # absolute, as the earlier version served it
    operation_id: str  # the /api/v1 endpoint that answers it
    renames: dict[str, str] = field(default_factory=dict)  # its parameter -> ours
    # Parameters it takes whose only meaningful values are these (compared without case).
    only: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def route(self) -> ApiRoute:
        return BY_ID[self.operation_id]


@dataclass(frozen=True)
class Operation:
    name: str  # as in {"op": ...}
    operation_id: str
    renames: dict[str, str] = field(default_factory=dict)
    only: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)  # as the earlier version's

    @property
    def route(self) -> ApiRoute:
        return BY_ID[self.operation_id]


BY_ID = {route.operation_id: route for route in API_ROUTES}
BTC_ONLY: dict[str, tuple[str, ...]] = {"asset": ("BTC",)}  # spot-ETF flows: Bitcoin

ALIASES: tuple[Alias, ...] = (
    Alias("/api/signal/institutional/{symbol}", "getBias"),
    Alias("/api/scheduler/status", "getJobs"),
    Alias("/advanced/ticker/{symbol}", "getTicker"),
    Alias("/advanced/whale/alerts", "getWhales"),
    Alias("/advanced/etf/flows", "getEtfFlows", only=BTC_ONLY),
    Alias("/advanced/market/sentiment", "getSentiment"),
    Alias("/advanced/liquidation/heatmap/{symbol}", "getHeatmap", {"timeframe": "range"}),
    Alias("/advanced/spot/orderbook/{symbol}", "getOrderBook"),
    Alias("/advanced/options/oi/{symbol}", "getOptions"),
)

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("ticker", "getTicker", defaults={"symbol": "BTC"}),
        Operation("whale_alerts", "getWhales"),
        Operation("etf_flows", "getEtfFlows", only=BTC_ONLY),
        Operation("etf_bitcoin", "getEtfFlows"),
        Operation("market_sentiment", "getSentiment"),
        Operation(
            "liquidation_heatmap", "getHeatmap", {"timeframe": "range"}, defaults={"symbol": "BTC"}
        ),
        Operation("spot_orderbook", "getOrderBook", defaults={"symbol": "BTC"}),
        Operation("options_oi", "getOptions", defaults={"symbol": "BTC"}),
        Operation("institutional_bias", "getBias", defaults={"symbol": "BTC"}),
        Operation("funding_rate", "getFunding", defaults={"symbol": "SOL"}),
        Operation("funding_rate_okx", "getFunding", defaults={"symbol": "SOL"}),
        Operation("open_interest_okx", "getOpenInterest", defaults={"symbol": "SOL"}),
        Operation("oi_history", "getOpenInterest", defaults={"symbol": "SOL"}),
        Operation("derivatives", "getDerivatives", defaults={"symbol": "SOL"}),
    )
}


def translated(
    given: dict[str, str], route: ApiRoute, renames: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The earlier version's parameters as ours: renamed, and only those the endpoint reads
    (an earlier parameter with no meaning here, like `exchange=hyperliquid` for whales, is
    dropped, not an error). Returns (ours, theirs as used)."""
    names = {p.name for p in route.params}
    ours, used = {}, {}
    for name, value in given.items():
        mine = renames.get(name, name)
        if mine in names:
            ours[mine] = value
            used[name] = value
    return ours, used


class GptsOperation(BaseModel):
    op: str = Field(max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)


class GptsBatch(BaseModel):
    ops: list[GptsOperation] = Field(min_length=1, max_length=OPS_MAX)


class GptsResult(BaseModel):
    """One operation's outcome, in the earlier version's envelope (`status`: the HTTP status
    the same question gets from /api/v1)."""

    ok: bool
    op: str
    args: dict[str, str]
    data: dict[str, Any] | None = None
    error: str | None = None
    status: int = 200


class GptsBatchResult(BaseModel):
    ok: bool  # every operation answered
    results: list[GptsResult]
