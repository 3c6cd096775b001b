"""The market and signal endpoints: each asks the service the chat command asks, with the same
arguments, and answers its model as is."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pydantic import BaseModel

from bot.api.args import Args
from bot.handlers.performance import DEFAULT_DAYS, KINDS, PERIODS
from services.container import Services
from services.kernel.errors import DataUnavailableError
from services.market.flags import ModuleDisabledError
from services.market.funding.service import FundingReport, FundingService
from services.market.heatmap.service import parse_range
from services.market.oi.service import OiReport, OiService, parse_window
from services.market.orderbook.service import parse_exchange
from services.signals.track_record import TrackRecord


class TrackRecords(BaseModel):
    records: list[TrackRecord]


def _symbol(args: Args) -> str:
    return args["symbol"]


async def orderbook(args: Args, services: Services) -> BaseModel:
    exchange = parse_exchange(args.get("exchange"))
    instrument = await services.instruments.resolve(_symbol(args))
    return await services.orderbook.report(instrument, exchange)


async def heatmap(args: Args, services: Services) -> BaseModel:
    range_ = parse_range(args.get("range"))
    instrument = await services.instruments.resolve(_symbol(args))
    return await services.heatmap.heatmap(instrument, range_)


async def whale(args: Args, services: Services) -> BaseModel:
    symbol = args.get("symbol")
    instrument = await services.instruments.resolve(symbol) if symbol else None
    return await services.whale.recent(instrument)


async def alpha(args: Args, services: Services) -> BaseModel:
    return await services.bias.call(await services.instruments.resolve(_symbol(args)))


async def sniper(args: Args, services: Services) -> BaseModel:
    coin = services.settings.sniper_symbol
    return await services.sniper.read(await services.instruments.resolve(coin))


async def etf(args: Args, services: Services) -> BaseModel:
    return await services.etf.bitcoin()


async def sentiment(args: Args, services: Services) -> BaseModel:
    return await services.sentiment.current()


async def options(args: Args, services: Services) -> BaseModel:
    return await services.options.summary(await services.instruments.resolve(_symbol(args)))


async def funding(args: Args, services: Services) -> BaseModel:
    instrument = await services.instruments.resolve(_symbol(args))
    return await services.modules.get(FundingService).report(instrument)


async def funding_screen(args: Args, services: Services) -> BaseModel:
    return await services.modules.get(FundingService).screen()


async def oi(args: Args, services: Services) -> BaseModel:
    window = parse_window(args.get("window"))
    instrument = await services.instruments.resolve(_symbol(args))
    return await services.modules.get(OiService).report(instrument, window)


class Derivatives(BaseModel):
    """Both modules' answers; one that could not answer is null, and `missing` says why."""

    funding: FundingReport | None
    open_interest: OiReport | None
    missing: dict[str, str]


async def deriv(args: Args, services: Services) -> BaseModel:
    window = parse_window(args.get("window"))
    instrument = await services.instruments.resolve(_symbol(args))
    asked = await asyncio.gather(
        services.modules.get(FundingService).report(instrument),
        services.modules.get(OiService).report(instrument, window),
        return_exceptions=True,
    )
    missing: dict[str, str] = {}
    for name, answer in zip(("funding", "open_interest"), asked, strict=True):
        if isinstance(answer, DataUnavailableError):
            missing[name] = ", ".join(
                f"{source} {reason.value}" for source, reason in answer.failures
            )
        elif isinstance(answer, ModuleDisabledError):
            missing[name] = "disabled"
        elif isinstance(answer, BaseException):
            raise answer
    funding_report, oi_report = asked
    if len(missing) == 2:
        raise next(a for a in asked if isinstance(a, BaseException))
    return Derivatives(
        funding=funding_report if isinstance(funding_report, FundingReport) else None,
        open_interest=oi_report if isinstance(oi_report, OiReport) else None,
        missing=missing,
    )


async def performance(args: Args, services: Services) -> BaseModel:
    # Checked against the document before this runs (bot/api/server.py): one of the values.
    kind = args.get("kind")
    period = args.get("period")
    days = DEFAULT_DAYS if period is None else PERIODS[period]
    text = args.get("symbol", "").strip()
    symbol = (await services.instruments.resolve(text)).base if text else None
    now = datetime.now(UTC)
    kinds = [kind] if kind is not None else list(KINDS)
    return TrackRecords(
        records=[await services.track_record.record(k, days, symbol, now) for k in kinds]
    )
