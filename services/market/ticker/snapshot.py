"""Every OKX ticker of a kind from one bulk call, shared by every symbol asked.

OKX's `market/tickers` gives all spot (or all swap) tickers in one request. Kept for the ticker
TTL while anyone asks, it makes upstream calls flat in the number of distinct symbols: one per
kind per TTL, where one call per symbol ran into OKX's ~10 calls/s with a few dozen symbols.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from services.kernel import deadline
from services.kernel.errors import VendorError, VendorTimeoutError
from services.kernel.models import Ticker
from services.kernel.singleflight import FlightTimeout, SingleFlight
from services.kernel.symbols import Instrument, Market
from services.vendors.okx import OkxClient, TickerRows, ticker_from_row
from services.vendors.okx_rows import VENDOR
from services.vendors.okx_symbols import okx_inst_id


def inst_type(inst: Instrument) -> str:
    return "SWAP" if inst.market is Market.SWAP else "SPOT"


class TickerSnapshots:
    def __init__(
        self,
        okx: OkxClient,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._okx = okx
        self._ttl = ttl_seconds
        self._clock = clock
        self._kept: dict[str, tuple[float, TickerRows]] = {}
        self._failed: dict[str, tuple[deadline.Deadline, VendorError]] = {}
        self._flights: SingleFlight[TickerRows] = SingleFlight()

    async def ticker(self, inst: Instrument) -> Ticker:
        row = (await self.rows(inst_type(inst))).get(okx_inst_id(inst))
        if row is None:
            # Not in the list: listed moments ago, or never (the catalogue is a day old). The
            # instrument's own endpoint knows which, and says 51001 for an unknown one.
            return await self._okx.ticker(inst)
        return ticker_from_row(inst, row)

    async def rows(self, kind: str) -> TickerRows:
        kept = self._kept.get(kind)
        if kept is not None and self._clock() - kept[0] < self._ttl:
            return kept[1]
        answer = deadline.current()
        failed = self._failed.get(kind)
        if answer is not None and failed is not None and failed[0] is answer:
            # Within one answer, a bulk call that failed is not asked again for its next
            # symbol (nor replaced by one call per symbol): the fallback takes it from here.
            # The next answer, or a job, asks again.
            raise failed[1]
        asked = self._clock()  # the snapshot is as old as the request, not its answer
        try:
            rows, _shared = await self._flights.do(kind, lambda: self._okx.tickers(kind))
        except FlightTimeout:
            raise VendorTimeoutError(
                VENDOR, "tickers", "the shared call outlasted the deadline"
            ) from None
        except VendorError as exc:
            if answer is not None:
                self._failed[kind] = (answer, exc)
            raise
        self._failed.pop(kind, None)
        newest = self._kept.get(kind)
        if newest is None or newest[0] < asked:
            self._kept[kind] = (asked, rows)
        return rows
