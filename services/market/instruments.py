"""Which instruments exist (OKX instruments, cached for a day), and "did you mean"."""

from __future__ import annotations

import asyncio
import difflib
import time
from collections.abc import Callable
from decimal import Decimal

from loguru import logger

from services.kernel.cache import ResilientCache
from services.kernel.errors import SymbolError, UpstreamError
from services.kernel.models import InstrumentIds
from services.kernel.symbols import Instrument, Market, parse_symbol
from services.vendors.okx import OkxClient
from services.vendors.okx_symbols import okx_inst_id

INST_TYPES = ("SPOT", "SWAP")


# Every symbol command asks the catalogue; reading it back from the cache builds a model of
# every instrument (and a set of them) each time, ~160 us at 1,300 instruments. What was read
# is kept this long in the process: nothing next to a catalogue that changes once a day.
MEMO_SECONDS = 5.0


class InstrumentCatalog:
    def __init__(
        self,
        okx: OkxClient,
        cache: ResilientCache,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._okx = okx
        self._cache = cache
        self._ttl = ttl_seconds
        self._clock = clock
        self._memo_seconds = min(MEMO_SECONDS, ttl_seconds)  # never longer than the cache's
        self._memo: dict[str, tuple[float, InstrumentIds, frozenset[str]]] = {}
        self._known: tuple[float, frozenset[str]] | None = None

    async def _ids(self, inst_type: str) -> frozenset[str] | None:
        memo = await self._memoized(inst_type)
        return None if memo is None else memo[1]

    async def _memoized(self, inst_type: str) -> tuple[InstrumentIds, frozenset[str]] | None:
        kept = self._memo.get(inst_type)
        if kept is not None and self._clock() - kept[0] < self._memo_seconds:
            return kept[1], kept[2]
        listed = await self._list(inst_type)
        if listed is None:
            return None  # not kept: the next ask tries again
        self._memo[inst_type] = (self._clock(), listed, frozenset(listed.inst_ids))
        return listed, self._memo[inst_type][2]

    async def tick(self, inst: Instrument) -> Decimal | None:
        """The instrument's price tick (OKX tickSz): prices are shown to it. None when the
        catalogue cannot be had or does not list it."""
        memo = await self._memoized("SWAP" if inst.market is Market.SWAP else "SPOT")
        tick = memo[0].ticks.get(okx_inst_id(inst)) if memo is not None else None
        try:
            step = Decimal(tick) if tick else None
        except ArithmeticError:  # decimal.InvalidOperation: a vendor's nonsense is no tick
            return None
        return step if step is not None and step.is_finite() and step > 0 else None

    async def _list(self, inst_type: str) -> InstrumentIds | None:
        try:
            # Served from the last good copy while a refresh runs: a hanging catalogue
            # must not hold back every symbol command.
            cached = await self._cache.get_or_refresh_behind(
                "instruments",
                f"instruments:okx:{inst_type}",
                InstrumentIds,
                self._ttl,
                lambda: self._okx.instrument_ids(inst_type),
            )
        except UpstreamError as exc:
            logger.warning("instrument list {} unavailable: {}", inst_type, exc)
            return None
        return cached.value

    async def known(self) -> frozenset[str] | None:
        """Every known OKX instId, or None when the list cannot be had (then we do not judge)."""
        if self._known is not None and self._clock() - self._known[0] < self._memo_seconds:
            return self._known[1]
        lists = await asyncio.gather(*(self._ids(t) for t in INST_TYPES))
        if all(ids is None for ids in lists):
            return None
        known = frozenset().union(*(ids for ids in lists if ids is not None))
        if all(ids is not None for ids in lists):  # a partial answer is not kept
            self._known = (self._clock(), known)
        return known

    async def resolve(self, text: str) -> Instrument:
        instrument = parse_symbol(text)
        known = await self.known()
        if known is None or okx_inst_id(instrument) in known:
            return instrument
        raise SymbolError(text, "unknown", suggest(instrument, known))


def suggest(instrument: Instrument, known: frozenset[str] | set[str]) -> str | None:
    """A close spelling that exists, as the user would type it."""
    spot_pairs = {i for i in known if i.count("-") == 1}
    bases = sorted({i.split("-")[0] for i in spot_pairs})
    if instrument.market is Market.SWAP and okx_inst_id(instrument.spot()) in known:
        return instrument.base
    if instrument.base in bases:
        return f"{instrument.base}/USDT" if f"{instrument.base}-USDT" in known else None
    matches = difflib.get_close_matches(instrument.base, bases, n=1, cutoff=0.6)
    return matches[0] if matches else None
