"""The institutional-bias call for one symbol: gathers whale, ETF and sentiment concurrently;
whatever is missing is named with its reason, and the call is still made."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from loguru import logger

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
from services.errors import DataUnavailableError, Reason
from services.etf import EtfService
from services.flags import ModuleDisabledError
from services.models import EtfFlows, Sentiment
from services.sentiment import SentimentService
from services.symbols import Instrument
from services.whale import WhaleReport, WhaleService


def _reason(error: BaseException) -> Reason:
    if isinstance(error, ModuleDisabledError):
        return Reason.DISABLED
    if isinstance(error, DataUnavailableError) and error.failures:
        return error.failures[-1][1]  # what finally failed: the last source tried
    logger.opt(exception=error).warning("bias input failed unexpectedly")
    return Reason.ERROR


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
        evidence: list[Evidence] = []
        missing: list[Missing] = []
        if isinstance(whale, WhaleReport):
            evidence.append(whale_push(whale.events, whale.as_of, whale.source))
        else:
            missing.append(Missing(name="whale", reason=_reason(whale)))
        etf_evidence = etf_push(etf, inst.base) if isinstance(etf, EtfFlows) else None
        if etf_evidence is not None:
            evidence.append(etf_evidence)
        else:
            reason = _reason(etf) if isinstance(etf, BaseException) else Reason.ERROR
            missing.append(Missing(name="etf", reason=reason))
        if isinstance(sentiment, Sentiment):
            evidence.append(sentiment_push(sentiment, self._thresholds))
        else:
            missing.append(Missing(name="sentiment", reason=_reason(sentiment)))
        return decide(inst.base, evidence, missing, datetime.now(UTC))
