"""Reads what the briefs of one run need, each thing once however many chats share it: a coin's
price, funding and open interest; the ETF flow; sentiment; the calls of the last day. A module
that fails is named among the brief's missing ones; the rest of the brief still goes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from loguru import logger

from services.delivery.brief_models import Brief, BriefCoin
from services.kernel.models import EtfDay, Sentiment
from services.kernel.modules import Module
from services.kernel.symbols import Instrument, Market
from services.market.etf.service import EtfService
from services.market.funding.service import FundingService
from services.market.oi.service import OiService, OiWindow
from services.market.parts import ModuleServices
from services.market.rupiah import RupiahService
from services.market.sentiment.service import SentimentService
from services.market.ticker.service import TickerService
from services.signals.track_record import ReplayLine, TrackRecordService

T = TypeVar("T")
CALL_HOURS = 24


class BriefReader:
    """One per run: what it read is kept for the run's other chats."""

    def __init__(
        self, modules: ModuleServices, track_record: TrackRecordService, rupiah: RupiahService
    ) -> None:
        self._modules = modules
        self._track_record = track_record
        self._rupiah = rupiah
        self._coins: dict[str, asyncio.Task[tuple[BriefCoin, set[Module]]]] = {}
        self._shared: asyncio.Task[tuple[Brief, set[Module]]] | None = None

    async def brief(self, coins: list[str], day: str, now: datetime, rupiah: bool = False) -> Brief:
        if self._shared is None:
            self._shared = asyncio.create_task(self._read_shared(now))
        for coin in coins:
            if coin not in self._coins:
                self._coins[coin] = asyncio.create_task(self._read_coin(coin))
        shared, read_missing = await self._shared
        missing = set(read_missing)  # this chat's: the run's other briefs keep their own
        lines = []
        for coin in coins:
            line, failed = await self._coins[coin]
            if rupiah:
                line = await self._in_rupiah(line)
            lines.append(line)
            missing |= failed
        return shared.model_copy(
            update={"day": day, "coins": lines, "missing": sorted(m.value for m in missing)}
        )

    async def _in_rupiah(self, line: BriefCoin) -> BriefCoin:
        try:
            quote = await self._rupiah.quote(line.coin, line.price)
        except Exception as exc:  # shown in USDT, as the line says
            logger.debug("brief: no rupiah price for {} ({})", line.coin, type(exc).__name__)
            return line
        return line.model_copy(update={"idr": quote.idr, "idr_source": quote.source})

    async def _read_shared(self, now: datetime) -> tuple[Brief, set[Module]]:
        missing: set[Module] = set()
        etf_flows = await _try(Module.ETF, missing, self._modules.get(EtfService).bitcoin)
        sentiment: Sentiment | None = await _try(
            Module.SENTIMENT, missing, self._modules.get(SentimentService).current
        )
        calls: list[ReplayLine] = []
        try:
            calls = (await self._track_record.replay(CALL_HOURS, now)).lines
        except Exception as exc:  # the record's store failing leaves the calls out, said so
            logger.warning("brief: calls of the last day unreadable ({})", type(exc).__name__)
        etf: EtfDay | None = etf_flows.days[-1] if etf_flows is not None else None
        brief = Brief(
            day="",
            coins=[],
            etf=etf,
            etf_source=etf_flows.source if etf_flows is not None else None,
            sentiment=sentiment,
            calls=calls,
            as_of=now,
        )
        return brief, missing

    async def _read_coin(self, coin: str) -> tuple[BriefCoin, set[Module]]:
        missing: set[Module] = set()
        spot = Instrument(base=coin)
        swap = Instrument(base=coin, market=Market.SWAP)
        tickers = self._modules.get(TickerService)
        ticker = await _try(Module.TICKER, missing, lambda: tickers.ticker(spot))
        funding = await _try(
            Module.FUNDING, missing, lambda: self._modules.get(FundingService).rate(swap)
        )
        oi = await _try(
            Module.OI, missing, lambda: self._modules.get(OiService).report(swap, OiWindow.H24)
        )
        day_change = next((c for c in oi.changes if c.window == "24h"), None) if oi else None
        return (
            BriefCoin(
                coin=coin,
                price=ticker.last if ticker else None,
                change_24h_pct=ticker.change_24h_pct if ticker else None,
                funding_8h=funding.rate_8h if funding else None,
                oi_24h_pct=day_change.oi_pct if day_change else None,
                source=ticker.source if ticker else "OKX",
            ),
            missing,
        )


async def _try(module: Module, missing: set[Module], read: Callable[[], Awaitable[T]]) -> T | None:
    """A module's answer, or None with the module named missing (switched off, failing, no
    such instrument): a brief says what it could not read, it does not fail for it."""
    try:
        return await read()
    except Exception as exc:
        logger.debug("brief: {} unreadable ({})", module.value, type(exc).__name__)
        missing.add(module)
        return None
