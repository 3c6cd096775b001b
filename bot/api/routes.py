"""The API's endpoints, one entry each: the path, what it answers (a pydantic model: the same
the chat renders, with its provenance) and the handler. The OpenAPI document is generated from
this table (bot/api/openapi.py), so an endpoint cannot be served without being documented."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from bot.api import alert_routes as alerts
from bot.api import market_routes as market
from bot.api.args import Args
from bot.handlers.performance import KINDS, PERIODS
from services.container import Services
from services.kernel.models import EtfFlows, Sentiment, Ticker
from services.kernel.status import ModuleStatus, Overall
from services.kernel.symbols import MAX_INPUT
from services.market.funding.service import FundingReport, FundingScreen
from services.market.heatmap.service import HeatmapRange, HeatmapReport
from services.market.oi.service import OiReport, OiWindow
from services.market.options.service import OptionsReport
from services.market.orderbook.service import Exchange, OrderBookReport
from services.market.whale.service import WhaleReport
from services.signals.bias.rule import BiasCall
from services.signals.sniper.service import SniperRead


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    where: str = "path"  # or "query" (then optional)
    values: tuple[str, ...] = ()  # the allowed values, exactly as written: an enum in the document
    integer: bool = False

    def schema(self) -> dict[str, object]:
        if self.integer:  # a Telegram id: a signed 64-bit integer
            return {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
        if self.values:
            return {"type": "string", "enum": list(self.values)}
        return {"type": "string", "minLength": 1, "maxLength": MAX_INPUT}


@dataclass(frozen=True)
class ApiRoute:
    path: str  # under /api/v1
    operation_id: str
    summary: str
    model: type[BaseModel]
    handler: Callable[[Args, Services], Awaitable[BaseModel]]
    params: tuple[Param, ...] = ()


class JobState(BaseModel):
    job: str
    healthy: bool
    failures: int
    resume_at: datetime | None = None


class Jobs(BaseModel):
    jobs: list[JobState]


class ApiStatus(BaseModel):
    status: Overall
    modules: list[ModuleStatus]


async def ticker(args: Args, services: Services) -> BaseModel:
    instrument = await services.instruments.resolve(args["symbol"])
    return await services.ticker.ticker(instrument)


async def status(args: Args, services: Services) -> BaseModel:
    return ApiStatus(status=services.status.overall(), modules=services.status.snapshot())


async def jobs(args: Args, services: Services) -> BaseModel:
    return Jobs(
        jobs=[
            JobState(job=j.job, healthy=j.healthy, failures=j.failures, resume_at=j.resume_at)
            for j in services.job_health()
        ]
    )


SYMBOL = Param("symbol", "A coin or pair as a trader types it: SOL, SOL/USDT, SOL-PERP")
COIN = Param("symbol", "Only this coin (BTC, SOL ...); every watched coin without it", "query")
EXCHANGE = Param(
    "exchange", "Without it OKX, Binance if OKX fails", "query", tuple(e.value for e in Exchange)
)
RANGE = Param("range", "Default 4h", "query", tuple(r.value for r in HeatmapRange))
WINDOW = Param("window", "Default 4h", "query", tuple(w.value for w in OiWindow))
KIND = Param("kind", "Every kind without it", "query", tuple(KINDS))
PERIOD = Param("period", "Default 30d", "query", tuple(PERIODS))
CHAT = Param(
    "chat_id",
    "A Telegram chat id: a user's for a private chat, negative for a group (see /id)",
    integer=True,
)

API_ROUTES: tuple[ApiRoute, ...] = (
    ApiRoute(
        "/ticker/{symbol}",
        "getTicker",
        "Last price, 24h change, high/low and volume, with source and freshness",
        Ticker,
        ticker,
        (SYMBOL,),
    ),
    ApiRoute(
        "/ob/{symbol}",
        "getOrderBook",
        "Spot order book: biggest walls and bid/ask imbalance",
        OrderBookReport,
        market.orderbook,
        (SYMBOL, EXCHANGE),
    ),
    ApiRoute(
        "/heatmap/{symbol}",
        "getHeatmap",
        "Liquidation clusters near price over a range",
        HeatmapReport,
        market.heatmap,
        (SYMBOL, RANGE),
    ),
    ApiRoute(
        "/whale",
        "getWhales",
        "Recent whale trades and positions",
        WhaleReport,
        market.whale,
        (COIN,),
    ),
    ApiRoute(
        "/alpha/{symbol}",
        "getBias",
        "Institutional-bias call (LONG/SHORT/NEUTRAL) with its evidence",
        BiasCall,
        market.alpha,
        (SYMBOL,),
    ),
    ApiRoute("/sniper", "getSniper", "The sniper's 5-minute entry map", SniperRead, market.sniper),
    ApiRoute("/etf", "getEtfFlows", "Bitcoin spot-ETF net flows by day", EtfFlows, market.etf),
    ApiRoute(
        "/sentiment", "getSentiment", "Crypto Fear & Greed index", Sentiment, market.sentiment
    ),
    ApiRoute(
        "/options/{symbol}",
        "getOptions",
        "Options open interest: put/call ratio and skew by expiry",
        OptionsReport,
        market.options,
        (SYMBOL,),
    ),
    ApiRoute(
        "/funding",
        "getFundingScreen",
        "The 5 highest and 5 lowest yearly funding rates across OKX perpetuals",
        FundingScreen,
        market.funding_screen,
    ),
    ApiRoute(
        "/funding/{symbol}",
        "getFunding",
        "A perpetual's funding now (per interval, per 8 h, a year), next settlement, the week paid",
        FundingReport,
        market.funding,
        (SYMBOL,),
    ),
    ApiRoute(
        "/oi/{symbol}",
        "getOpenInterest",
        "Open interest, its change with price, long/short and taker flow over a window",
        OiReport,
        market.oi,
        (SYMBOL, WINDOW),
    ),
    ApiRoute(
        "/deriv/{symbol}",
        "getDerivatives",
        "Funding and open interest together; a module that could not answer is null",
        market.Derivatives,
        market.deriv,
        (SYMBOL, WINDOW),
    ),
    ApiRoute(
        "/performance",
        "getTrackRecord",
        "The bot's graded calls: hit ratios with sample size and baseline",
        market.TrackRecords,
        market.performance,
        (KIND, PERIOD, COIN),
    ),
    ApiRoute(
        "/alerts/{chat_id}",
        "getChatAlerts",
        "The alerts a chat set (/alert), nearest to firing first, with the price now",
        alerts.ChatAlerts,
        alerts.chat_alerts,
        (CHAT,),
    ),
    ApiRoute("/status", "getStatus", "Health of every data module", ApiStatus, status),
    ApiRoute("/jobs", "getJobs", "The alert jobs' health and back-off", Jobs, jobs),
)
