"""Known route aliases per vendor endpoint, and the one that works, remembered.

Vendors rename routes (CoinGlass v3 -> v4 broke most old paths). On a 404 the next alias is
tried; the first that answers is kept for later calls. When none does, the module's controlled
error code goes to the log and the caller gets RouteMissingError (status `missing`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from loguru import logger

from services.kernel.errors import RouteMissingError

T = TypeVar("T")
Params = Mapping[str, str | int]


@dataclass(frozen=True)
class Route:
    path: str
    # Rewrites the caller's parameters for this alias (e.g. a coin instead of a pair).
    adapt: Callable[[dict[str, str | int]], dict[str, str | int]] = field(default=lambda p: p)


def _coin_only(params: dict[str, str | int]) -> dict[str, str | int]:
    """Pair endpoint -> aggregated coin endpoint: SOLUSDT on Binance -> SOL, all exchanges."""
    symbol = str(params.get("symbol", ""))
    coin = symbol[: -len("USDT")] if symbol.endswith("USDT") else symbol
    return {k: v for k, v in params.items() if k != "exchange"} | {"symbol": coin}


# v4 path first, then older spellings seen in the wild (CoinGlass renames routes between API
# versions: "route drift").
ALIASES: dict[str, tuple[Route, ...]] = {
    "coinglass:whale_alert": (
        Route("/api/hyperliquid/whale-alert"),
        Route("/api/hyperliquid/whaleAlert"),
    ),
    "coinglass:fear_greed": (
        Route("/api/index/fear-greed-history"),
        Route("/api/index/fearGreedHistory"),
    ),
    "coinglass:etf_bitcoin": (
        Route("/api/etf/bitcoin/flow-history"),
        Route("/api/bitcoin/etf/flow-history"),
        Route("/api/etf/bitcoin/flows"),
    ),
    "coinglass:etf_ethereum": (Route("/api/etf/ethereum/flow-history"),),
    "coinglass:etf_solana": (Route("/api/etf/solana/flow-history"),),
    "coinglass:etf_xrp": (Route("/api/etf/xrp/flow-history"),),
    "coinglass:funding_oi_weight": (Route("/api/futures/funding-rate/oi-weight-history"),),
    "coinglass:oi_aggregated": (Route("/api/futures/open-interest/aggregated-history"),),
    "coinglass:liquidation_heatmap": (
        Route("/api/futures/liquidation/heatmap/model1"),
        Route("/api/futures/liquidation/aggregated-heatmap/model1", _coin_only),
        Route("/api/futures/liquidation/model1/heatmap"),
    ),
    "okx:books": (Route("/api/v5/market/books"), Route("/api/v5/market/books-full")),
    "okx:liquidations": (Route("/api/v5/public/liquidation-orders"),),
}

# What the log says when a module has no working route at all.
MISSING_CODES = {
    "coinglass:whale_alert": "WHALE_NOT_AVAILABLE",
    "coinglass:fear_greed": "SENTIMENT_NOT_AVAILABLE",
    "coinglass:etf_bitcoin": "ETF_NOT_AVAILABLE",
    "coinglass:etf_ethereum": "ETF_NOT_AVAILABLE",
    "coinglass:etf_solana": "ETF_NOT_AVAILABLE",
    "coinglass:etf_xrp": "ETF_NOT_AVAILABLE",
    "coinglass:liquidation_heatmap": "HEATMAP_NOT_AVAILABLE",
    "okx:books": "SPOT_OB_NOT_AVAILABLE",
    "okx:liquidations": "HEATMAP_NOT_AVAILABLE",
}


class RouteBook:
    def __init__(self, aliases: Mapping[str, tuple[Route, ...]] = ALIASES) -> None:
        self._aliases = aliases
        self._chosen: dict[str, int] = {}

    def current(self, key: str) -> str:
        return self._aliases[key][self._chosen.get(key, 0)].path

    async def call(
        self, key: str, params: Params, send: Callable[[str, Params], Awaitable[T]]
    ) -> T:
        routes = self._aliases[key]
        start = self._chosen.get(key, 0)
        order = list(range(start, len(routes))) + list(range(start))
        for index in order:
            route = routes[index]
            try:
                result = await send(route.path, route.adapt(dict(params)))
            except RouteMissingError:
                continue
            if index != start:
                logger.warning("{}: route {} moved; using {}", key, routes[start].path, route.path)
                self._chosen[key] = index
            return result
        # A vendor fault like any other (the module degrades); loud enough to be seen.
        logger.warning(
            "{}: no known route answers ({})",
            MISSING_CODES.get(key, key.upper()),
            ", ".join(r.path for r in routes),
        )
        vendor, endpoint = key.split(":", 1)
        raise RouteMissingError(vendor, endpoint, "no known route answers")
