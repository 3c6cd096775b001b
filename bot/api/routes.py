"""The API's endpoints, one entry each: the path, what it answers (a pydantic model: the same
the chat renders, with its provenance) and the handler. The OpenAPI document is generated from
this table (bot/api/openapi.py), so an endpoint cannot be served without being documented."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from pydantic import BaseModel

from services.container import Services
from services.kernel.models import Ticker
from services.kernel.status import ModuleStatus, Overall


@dataclass(frozen=True)
class Param:
    name: str
    description: str


@dataclass(frozen=True)
class ApiRoute:
    path: str  # under /api/v1
    operation_id: str
    summary: str
    model: type[BaseModel]
    handler: Callable[[web.Request, Services], Awaitable[BaseModel]]
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


async def ticker(request: web.Request, services: Services) -> BaseModel:
    instrument = await services.instruments.resolve(request.match_info["symbol"])
    return await services.ticker.ticker(instrument)


async def status(request: web.Request, services: Services) -> BaseModel:
    return ApiStatus(status=services.status.overall(), modules=services.status.snapshot())


async def jobs(request: web.Request, services: Services) -> BaseModel:
    return Jobs(
        jobs=[
            JobState(job=j.job, healthy=j.healthy, failures=j.failures, resume_at=j.resume_at)
            for j in services.job_health()
        ]
    )


SYMBOL = Param("symbol", "A coin or pair as a trader types it: SOL, SOL/USDT, SOL-PERP")

API_ROUTES: tuple[ApiRoute, ...] = (
    ApiRoute(
        "/ticker/{symbol}",
        "getTicker",
        "Last price, 24h change, high/low and volume, with source and freshness",
        Ticker,
        ticker,
        (SYMBOL,),
    ),
    ApiRoute("/status", "getStatus", "Health of every data module", ApiStatus, status),
    ApiRoute("/jobs", "getJobs", "The alert jobs' health and back-off", Jobs, jobs),
)
