"""Questions the bot answers the same way in chat and as JSON. One entry gives the chat command
(`/oi SOL 4h`: its line in /help and the menu, its handler) and the endpoint
(`/api/v1/oi/{symbol}?window=4h`, in the OpenAPI document): the same service call, and the chat
renders the very model the endpoint answers with. A module's question is an entry here and its
renderer; no handler and no endpoint code of its own.

A chat's words are read by the parameters: a word that is one of a parameter's values is that
parameter (`4h` is the window), the other is the symbol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from bot.api import market_routes as market
from bot.api.args import Args
from bot.api.spec import SYMBOL, WINDOW, ApiRoute, Param
from bot.render.derivatives import render_oi
from bot.render.options import render_options
from bot.render.sentiment import render_etf, render_sentiment
from bot.render.view import View
from services.kernel.errors import ArgumentError
from services.kernel.models import EtfFlows, Sentiment
from services.kernel.modules import N_
from services.market.oi.service import OiReport
from services.market.options.service import OptionsReport

if TYPE_CHECKING:
    from services.container import Services


@dataclass(frozen=True)
class Query:
    name: str  # the command, and the endpoint's first path segment
    description: str  # the command's line in /help and the menu (N_: translated when shown)
    summary: str  # the endpoint's line in the OpenAPI document
    operation_id: str
    model: type[BaseModel]
    call: Callable[[Args, Services], Awaitable[BaseModel]]
    render: Callable[[Any, View], str]
    params: tuple[Param, ...] = ()
    usage: str = ""
    sample: str = ""  # the command as a trader sends it (the fault matrix runs it)
    default_symbol: str = ""  # what the command alone asks about (`/options`: BTC)
    aliases: tuple[str, ...] = ()  # other names people type for the command (`/fng`)

    @property
    def route(self) -> ApiRoute:
        path = f"/{self.name}" + "".join(f"/{{{p.name}}}" for p in self.params if p.where == "path")
        return ApiRoute(path, self.operation_id, self.summary, self.model, self.call, self.params)

    def chat_args(self, text: str | None) -> dict[str, str]:
        """`SOL 4h` as {"symbol": "SOL", "window": "4h"}; a word that is neither is refused
        with the values it could have been."""
        args: dict[str, str] = {}
        if not self.params:
            return args  # a question without parameters: words after it change nothing
        chosen = [p for p in self.params if p.values]
        takes_symbol = any(p.name == "symbol" for p in self.params)
        for word in (text or "").split():
            lowered = word.lower()
            param = next((p for p in chosen if lowered in p.values), None)
            if param is not None and param.name not in args:
                args[param.name] = lowered
            elif takes_symbol and "symbol" not in args:
                args["symbol"] = word
            else:
                raise ArgumentError(word[:40], [v for p in chosen for v in p.values])
        if takes_symbol:
            args.setdefault("symbol", self.default_symbol)  # none: the symbol's own error
        return args


QUERIES: tuple[Query, ...] = (
    Query(
        "sentiment",
        N_("Crypto Fear & Greed index"),
        "Crypto Fear & Greed index",
        "getSentiment",
        Sentiment,
        market.sentiment,
        render_sentiment,
        sample="/sentiment",
        aliases=("fng",),
    ),
    Query(
        "etf",
        N_("Bitcoin spot-ETF net flows by day"),
        "Bitcoin spot-ETF net flows by day",
        "getEtfFlows",
        EtfFlows,
        market.etf,
        render_etf,
        sample="/etf",
    ),
    Query(
        "options",
        N_("Options open interest: put/call ratio and skew by expiry"),
        "Options open interest: put/call ratio and skew by expiry",
        "getOptions",
        OptionsReport,
        market.options,
        render_options,
        (SYMBOL,),
        usage="[BTC|ETH]",
        sample="/options",
        default_symbol="BTC",
    ),
    Query(
        "oi",
        N_("Open interest and its change with price, long/short and taker flow"),
        "Open interest, its change with price, long/short and taker flow over a window",
        "getOpenInterest",
        OiReport,
        market.oi,
        render_oi,
        (SYMBOL, WINDOW),
        usage="SYMBOL [1h|4h|24h]",
        sample="/oi SOL",
    ),
)
BY_NAME = {query.name: query for query in QUERIES}
