"""The institutional-bias call for one symbol: gathers whale, ETF and sentiment concurrently;
whatever is missing is named with its reason, and the call is still made."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from services.analysis.bias import (
    BiasCall,
    Evidence,
    Missing,
    Thresholds,
    decide,
    etf_push,
    sentiment_push,
    whale_push,
)
from services.errors import Reason
from services.etf import EtfService
from services.models import EtfFlows, Sentiment
from services.outcome import failure_reason
from services.sentiment import SentimentService
from services.symbols import Instrument
from services.whale import WhaleReport, WhaleService


class BiasService:
    def __init__(
        self,
        whale: WhaleService,
        etf: EtfService,
        sentiment: SentimentService,
        thresholds: Thresholds,
    ) -> None:
        self._whale = whale
        self._etf = etf
        self._sentiment = sentiment
        self._thresholds = thresholds

    async def call(self, inst: Instrument) -> BiasCall:
        whale, etf, sentiment = await asyncio.gather(
            self._whale.recent(inst),
            self._etf.bitcoin(),
            self._sentiment.current(),
            return_exceptions=True,
        )
        now = datetime.now(UTC)
        evidence: list[Evidence] = []
        missing: list[Missing] = []
        if isinstance(whale, WhaleReport):
            evidence.append(
                whale_push(
                    whale.events,
                    now=now,
                    as_of=whale.as_of,
                    source=whale.source,
                    rule=self._thresholds.whale,
                    stale=whale.stale,
                )
            )
        else:
            missing.append(Missing(name="whale", reason=failure_reason(whale)))
        etf_evidence = etf_push(etf, inst.base) if isinstance(etf, EtfFlows) else None
        if etf_evidence is not None:
            evidence.append(etf_evidence)
        else:
            reason = failure_reason(etf) if isinstance(etf, BaseException) else Reason.ERROR
            missing.append(Missing(name="etf", reason=reason))
        if isinstance(sentiment, Sentiment):
            evidence.append(sentiment_push(sentiment, self._thresholds))
        else:
            missing.append(Missing(name="sentiment", reason=failure_reason(sentiment)))
        return decide(inst.base, evidence, missing, now)
