"""The API's endpoints, one entry each: the path, what it answers (a pydantic model: the same
the chat renders, with its provenance) and the handler. The OpenAPI document is generated from
this table (bot/api/openapi.py), so an endpoint cannot be served without being documented."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from bot.api import alert_routes as alerts
from bot.api import market_routes as market
from bot.api.args import Args
from bot.api.spec import CHAT, COIN, EXCHANGE, KIND, PERIOD, RANGE, SYMBOL, WINDOW, ApiRoute
from bot.queries import QUERIES
from services.container import Services
from services.kernel.models import Ticker
from services.kernel.status import ModuleStatus, Overall
from services.market.funding.service import FundingReport, FundingScreen
from services.market.heatmap.service import HeatmapReport
from services.market.orderbook.service import OrderBookReport
from services.market.whale.service import WhaleReport
from services.signals.bias.rule import BiasCall
from services.signals.sniper.service import SniperRead


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
    # Asked the same way in chat: the query registry gives the command and the endpoint.
    *(query.route for query in QUERIES),
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
