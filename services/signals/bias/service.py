"""The institutional-bias call for one symbol: gathers whale, ETF and sentiment concurrently;
whatever is missing is named with its reason, and the call is still made."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from services.kernel.models import EtfFlows, Sentiment, Ticker
from services.kernel.symbols import Instrument
from services.market.etf.service import EtfService
from services.market.outcome import failure_reason, failure_source
from services.market.sentiment.service import SentimentService
from services.market.ticker.service import TickerService
from services.market.whale.service import WhaleReport, WhaleService
from services.signals.bias.rule import (
    BiasCall,
    BiasInputs,
    Missing,
    Thresholds,
    WhaleInput,
    evaluate,
)
from services.signals.derivs_context import DerivContext, DerivReaders


class BiasService:
    def __init__(
        self,
        whale: WhaleService,
        etf: EtfService,
        sentiment: SentimentService,
        thresholds: Thresholds,
        ticker: TickerService | None = None,
        derivs: DerivReaders | None = None,
    ) -> None:
        self._ticker = ticker  # the price at the call, which its grades are measured from
        self._derivs = derivs  # funding and open interest beside the call
        self._whale = whale
        self._etf = etf
        self._sentiment = sentiment
        self._thresholds = thresholds

    async def call(self, inst: Instrument) -> BiasCall:
        return evaluate(await self.inputs(inst), self._thresholds)

    async def inputs(self, inst: Instrument) -> BiasInputs:
        """What the rule reads right now; whatever failed is named with its reason."""
        whale, etf, sentiment, ticker, context = await asyncio.gather(
            self._whale.recent(inst),
            self._etf.for_coin(inst.base),
            self._sentiment.current(),
            self._price(inst),
            self._context(inst),
            return_exceptions=True,
        )
        inputs = BiasInputs(
            symbol=inst.base,
            at=datetime.now(UTC),
            price=ticker.last if isinstance(ticker, Ticker) and not ticker.stale else None,
            context=context if isinstance(context, DerivContext) else None,
        )
        if isinstance(whale, WhaleReport):
            inputs.whale = WhaleInput(
                events=whale.events, as_of=whale.as_of, source=whale.source, stale=whale.stale
            )
        else:
            inputs.missing.append(_missing("whale", whale))
        if isinstance(etf, EtfFlows):
            inputs.etf = etf
        else:
            inputs.missing.append(_missing("etf", etf))
        if isinstance(sentiment, Sentiment):
            inputs.sentiment = sentiment
        else:
            inputs.missing.append(
                Missing(
                    name="sentiment", reason=failure_reason(sentiment), by=failure_source(sentiment)
                )
            )
        return inputs

    async def _context(self, inst: Instrument) -> DerivContext | None:
        if self._derivs is None:
            return None
        return await self._derivs.context(inst)

    async def _price(self, inst: Instrument) -> Ticker | None:
        return None if self._ticker is None else await self._ticker.ticker(inst.spot())

    def evaluate(self, inputs: BiasInputs) -> BiasCall:
        return evaluate(inputs, self._thresholds)


def _missing(name: str, error: BaseException) -> Missing:
    return Missing(name=name, reason=failure_reason(error), by=failure_source(error))
