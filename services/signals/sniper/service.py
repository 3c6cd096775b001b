"""The sniper read for one symbol: every input fetched concurrently, each failure named with
its reason, and the entry map drawn from whatever arrived."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel

from services.kernel.errors import Reason
from services.kernel.models import EtfFlows, Ticker
from services.kernel.symbols import Instrument
from services.market.etf.service import EtfService
from services.market.heatmap.service import HeatmapRange, HeatmapReport, HeatmapService
from services.market.instruments import InstrumentCatalog
from services.market.orderbook.service import OrderBookReport, OrderBookService
from services.market.outcome import failure_reason, failure_source
from services.market.ticker.service import TickerService
from services.market.whale.service import WhaleReport, WhaleService
from services.signals.bias.rule import Missing, WhaleInput
from services.signals.derivs_context import DerivContext, DerivReaders
from services.signals.health import RunOutcome
from services.signals.sniper.rule import EntryMap, SniperInputs, SniperLimits, evaluate

T = TypeVar("T")
WHALE_COINS = ("BTC",)  # whale buys on BTC count as well as on the sniper's own coin


class SniperRead(BaseModel):
    map: EntryMap
    outcome: RunOutcome
    inputs: SniperInputs  # what the map was drawn from, for the journal


class SniperService:
    def __init__(
        self,
        ticker: TickerService,
        orderbook: OrderBookService,
        heatmap: HeatmapService,
        whale: WhaleService,
        etf: EtfService,
        limits: SniperLimits,
        instruments: InstrumentCatalog | None = None,
        derivs: DerivReaders | None = None,
    ) -> None:
        self._instruments = instruments  # the price tick the levels are rounded to
        self._derivs = derivs  # funding and open interest beside the map (context, no vote)
        self._ticker = ticker
        self._orderbook = orderbook
        self._heatmap = heatmap
        self._whale = whale
        self._etf = etf
        self._limits = limits

    async def read(self, inst: Instrument) -> SniperRead:
        coins = sorted({*WHALE_COINS, inst.base})
        ticker, book, heat, etf, context, *whales = await asyncio.gather(
            self._ticker.ticker(inst),
            self._orderbook.report(inst),
            self._heatmap.heatmap(inst, HeatmapRange.H4),
            self._etf.for_coin(inst.base),
            self._derivs.context(inst) if self._derivs else _nothing(),
            *(self._whale.recent(Instrument(base=coin)) for coin in coins),
            return_exceptions=True,
        )
        outcome = RunOutcome()

        def take(name: str, value: object, kind: type[T]) -> T | None:
            """The module's answer, noting in the outcome whether it came or why not."""
            if isinstance(value, kind):
                outcome.ok.add(name)
                outcome.failed.pop(name, None)  # for whales, one coin answering is enough
                return value
            if name not in outcome.ok:
                error = value if isinstance(value, BaseException) else None
                outcome.failed.setdefault(
                    name, failure_reason(error) if error is not None else Reason.ERROR
                )
                source = failure_source(error) if error is not None else None
                if source is not None:
                    outcome.by.setdefault(name, source)
            return None

        now = datetime.now(UTC)
        reports = [r for w in whales if (r := take("whale", w, WhaleReport)) is not None]
        book_report = take("spot_ob", book, OrderBookReport)
        heat_report = take("heatmap", heat, HeatmapReport)
        flows = take("etf", etf, EtfFlows)
        stale = [
            name
            for name, seen in (
                ("etf_inflow", flows is not None and flows.stale),
                ("liquidation_cluster", heat_report is not None and heat_report.stale),
                ("support_wall", book_report is not None and book_report.book.stale),
            )
            if seen
        ]
        # Old copies still inform the map, but the job's health (and the admins' warning)
        # must not wait for them to expire to learn that their vendor is down.
        for module, old in (
            ("etf", flows is not None and flows.stale),
            ("heatmap", heat_report is not None and heat_report.stale),
            ("spot_ob", book_report is not None and book_report.book.stale),
            ("whale", bool(reports) and all(r.stale for r in reports)),
        ):
            if old and module in outcome.ok:
                outcome.ok.discard(module)
                outcome.failed[module] = Reason.STALE
        inputs = SniperInputs(
            symbol=inst.base,
            at=now,
            # The ticker only gives the price (the book's mid stands in); it is not one of
            # the modules whose success or failure the job's health is judged by.
            price=self._price(ticker, book_report, heat_report),
            book=book_report.analysis if book_report else None,
            heatmap=heat_report.analysis if heat_report else None,
            whale=WhaleInput(
                events=[e for r in reports for e in r.events],
                as_of=min(r.as_of for r in reports),
                source=reports[0].source,
                stale=any(r.stale for r in reports),
                stale_coins=sorted({c for r in reports if r.stale for c in r.coins}),
            )
            if reports
            else None,
            etf=flows,
            stale=stale,
            tick=await self._instruments.tick(inst) if self._instruments else None,
            context=context if isinstance(context, DerivContext) else None,
            missing=[
                Missing(name=m, reason=r, by=outcome.by.get(m)) for m, r in outcome.failed.items()
            ],
        )
        drawn = evaluate(inputs, self._limits).model_copy(update={"context": inputs.context})
        return SniperRead(map=drawn, outcome=outcome, inputs=inputs)

    @staticmethod
    def _price(ticker: object, book: OrderBookReport | None, heat: HeatmapReport | None) -> Decimal:
        """The last trade; without the ticker, the book's mid or the heatmap's reference."""
        if isinstance(ticker, Ticker):
            return ticker.last
        if book is not None:
            return book.analysis.mid
        if heat is not None:
            return heat.analysis.price
        return Decimal(0)


async def _nothing() -> None:
    return None
