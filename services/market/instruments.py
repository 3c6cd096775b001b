"""Which instruments exist (OKX instruments, cached for a day), and "did you mean"."""

from __future__ import annotations

import asyncio
import difflib
from decimal import Decimal

from loguru import logger

from services.kernel.cache import ResilientCache
from services.kernel.errors import SymbolError, UpstreamError
from services.kernel.models import InstrumentIds
from services.kernel.symbols import Instrument, Market, okx_inst_id, parse_symbol
from services.vendors.okx import OkxClient

INST_TYPES = ("SPOT", "SWAP")


class InstrumentCatalog:
    def __init__(self, okx: OkxClient, cache: ResilientCache, ttl_seconds: float) -> None:
        self._okx = okx
        self._cache = cache
        self._ttl = ttl_seconds

    async def _ids(self, inst_type: str) -> set[str] | None:
        listed = await self._list(inst_type)
        return None if listed is None else set(listed.inst_ids)

    async def tick(self, inst: Instrument) -> Decimal | None:
        """The instrument's price tick (OKX tickSz): prices are shown to it. None when the
        catalogue cannot be had or does not list it."""
        listed = await self._list("SWAP" if inst.market is Market.SWAP else "SPOT")
        tick = listed.ticks.get(okx_inst_id(inst)) if listed is not None else None
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

    async def known(self) -> set[str] | None:
        """Every known OKX instId, or None when the list cannot be had (then we do not judge)."""
        lists = await asyncio.gather(*(self._ids(t) for t in INST_TYPES))
        if all(ids is None for ids in lists):
            return None
        return set().union(*(ids for ids in lists if ids is not None))

    async def resolve(self, text: str) -> Instrument:
        instrument = parse_symbol(text)
        known = await self.known()
        if known is None or okx_inst_id(instrument) in known:
            return instrument
        raise SymbolError(text, "unknown", suggest(instrument, known))


def suggest(instrument: Instrument, known: set[str]) -> str | None:
    """A close spelling that exists, as the user would type it."""
    spot_pairs = {i for i in known if i.count("-") == 1}
    bases = sorted({i.split("-")[0] for i in spot_pairs})
    if instrument.market is Market.SWAP and okx_inst_id(instrument.spot()) in known:
        return instrument.base
    if instrument.base in bases:
        return f"{instrument.base}/USDT" if f"{instrument.base}-USDT" in known else None
    matches = difflib.get_close_matches(instrument.base, bases, n=1, cutoff=0.6)
    return matches[0] if matches else None
