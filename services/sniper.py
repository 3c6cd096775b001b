"""The sniper read for one symbol: every input fetched concurrently, each failure named with
its reason, and the entry map drawn from whatever arrived."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel

from services.analysis.bias import Evidence, Missing, etf_push, whale_push
from services.analysis.sniper import EntryMap, SniperLimits, entry_map
from services.errors import Reason
from services.etf import EtfService
from services.heatmap import HeatmapRange, HeatmapReport, HeatmapService
from services.jobs.health import RunOutcome
from services.models import EtfFlows, Ticker
from services.orderbook import OrderBookReport, OrderBookService
from services.outcome import failure_reason
from services.symbols import Instrument
from services.ticker import TickerService
from services.whale import WhaleReport, WhaleService

MAIN = ("whale", "heatmap", "spot_ob")  # all three failing together makes the job unhealthy
WHALE_COINS = ("BTC",)  # whale buys on BTC count as well as on the sniper's own coin


class SniperRead(BaseModel):
    map: EntryMap
    outcome: RunOutcome


class SniperService:
    def __init__(
        self,
        ticker: TickerService,
        orderbook: OrderBookService,
        heatmap: HeatmapService,
        whale: WhaleService,
        etf: EtfService,
        limits: SniperLimits,
    ) -> None:
        self._ticker = ticker
        self._orderbook = orderbook
        self._heatmap = heatmap
        self._whale = whale
        self._etf = etf
        self._limits = limits

    async def read(self, inst: Instrument) -> SniperRead:
        coins = sorted({*WHALE_COINS, inst.base})
        ticker, book, heat, etf, *whales = await asyncio.gather(
            self._ticker.ticker(inst),
            self._orderbook.report(inst),
            self._heatmap.heatmap(inst, HeatmapRange.H4),
            self._etf.bitcoin(),
            *(self._whale.recent(Instrument(base=coin)) for coin in coins),
            return_exceptions=True,
        )
        outcome = RunOutcome()
        evidence: list[Evidence] = []

        def seen(name: str, value: object, kind: type) -> bool:
            if isinstance(value, kind):
                outcome.ok.add(name)
                return True
            error = value if isinstance(value, BaseException) else None
            outcome.failed.setdefault(name, failure_reason(error) if error else Reason.ERROR)
            return False

        whale_events = None
        reports = [w for w in whales if isinstance(w, WhaleReport)]
        for report in whales:
            seen("whale", report, WhaleReport)
        if reports:
            outcome.failed.pop("whale", None)  # one coin answering is enough to judge
            whale_events = [e for r in reports for e in r.events]
            evidence.append(whale_push(whale_events, reports[0].as_of, reports[0].source))
        book_report = book if seen("spot_ob", book, OrderBookReport) else None
        heat_report = heat if seen("heatmap", heat, HeatmapReport) else None
        etf_evidence = None
        if seen("etf", etf, EtfFlows):
            assert isinstance(etf, EtfFlows)
            etf_evidence = etf_push(etf, inst.base)
            if etf_evidence is not None:
                evidence.append(etf_evidence)
        # The ticker only gives the price (the book's mid stands in); it is not one of the
        # modules whose success or failure the job's health is judged by.
        price = self._price(ticker, book_report, heat_report)
        missing = [Missing(name=m, reason=r) for m, r in outcome.failed.items()]
        assert book_report is None or isinstance(book_report, OrderBookReport)
        assert heat_report is None or isinstance(heat_report, HeatmapReport)
        result = entry_map(
            inst.base,
            price,
            book=book_report.analysis if book_report else None,
            heatmap=heat_report.analysis if heat_report else None,
            whales=whale_events,
            etf=etf_evidence,
            evidence=evidence,
            missing=missing,
            at=datetime.now(UTC),
            limits=self._limits,
        )
        return SniperRead(map=result, outcome=outcome)

    @staticmethod
    def _price(ticker: object, book: object, heat: object) -> Decimal:
        """The last trade; without the ticker, the book's mid or the heatmap's reference."""
        if isinstance(ticker, Ticker):
            return ticker.last
        if isinstance(book, OrderBookReport):
            return book.analysis.mid
        if isinstance(heat, HeatmapReport):
            return heat.analysis.price
        return Decimal(0)
