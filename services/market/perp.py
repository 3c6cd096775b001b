"""What a perpetual's /ticker adds to its price: the mark price, funding and open interest, one
line each. Each comes from its own module (cached there) and a failing one is one line that
says why, never the price's answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel

from services.kernel.errors import DataUnavailableError, Reason, VendorError
from services.kernel.sources import telling_failure
from services.kernel.symbols import Instrument, Market
from services.market.flags import ModuleDisabledError
from services.market.funding.service import FundingReport, FundingService
from services.market.oi.service import OiReport, OiService, OiWindow
from services.market.parts import ModuleServices

T = TypeVar("T")


class Missing(BaseModel):
    reason: Reason
    by: str | None = None


class PerpContext(BaseModel):
    mark: Decimal | Missing
    funding: FundingReport | Missing
    open_interest: OiReport | Missing


async def _or_missing(call: Awaitable[T]) -> T | Missing:
    try:
        return await call
    except ModuleDisabledError:
        return Missing(reason=Reason.DISABLED)
    except DataUnavailableError as failed:
        telling = telling_failure(failed.failures)
        return (
            Missing(reason=telling[1], by=telling[0]) if telling else Missing(reason=Reason.ERROR)
        )
    except VendorError as failed:
        return Missing(reason=failed.reason, by="OKX")


async def perp_context(modules: ModuleServices, inst: Instrument) -> PerpContext | None:
    """None for a spot pair: only a perpetual has these."""
    if inst.market is not Market.SWAP:
        return None
    funding, oi = modules.get(FundingService), modules.get(OiService)
    mark, rate, interest = await asyncio.gather(
        _or_missing(funding.mark(inst)),
        _or_missing(funding.report(inst)),
        _or_missing(oi.report(inst, OiWindow.H24)),
    )
    return PerpContext(mark=mark, funding=rate, open_interest=interest)
