"""What the perpetuals' modules (funding, open interest) share: one contract's read through the
cache, switched by the module's flag, an instrument OKX does not list answered as the user's
unknown symbol (SOL-USDT-SWAP: a coin without a perpetual)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.kernel.cache import ResilientCache
from services.kernel.errors import SymbolError, UnknownInstrumentError
from services.kernel.models import Provenance
from services.kernel.modules import Module
from services.kernel.sources import read_through
from services.kernel.status import StatusRegistry
from services.kernel.symbols import Instrument
from services.market.flags import Flag, FlagService
from services.vendors.okx_symbols import okx_inst_id

M = TypeVar("M", bound=Provenance)


class SwapReads:
    def __init__(
        self, module: Module, flag: Flag, cache: ResilientCache, status: StatusRegistry,
        flags: FlagService,
    ) -> None:  # fmt: skip
        self._module = module
        self._flag = flag
        self._cache = cache
        self._status = status
        self._flags = flags

    async def kept(
        self,
        inst: Instrument,
        kind: str,
        model: type[M],
        ttl: float,
        fetch: Callable[[Instrument], Awaitable[M]],
    ) -> M:
        """`kind:SOL-USDT-SWAP` from the cache, or fetched for the perpetual of `inst`."""
        await self._flags.require(self._flag)
        swap = inst.swap()
        try:
            return await read_through(
                self._cache,
                self._status,
                self._module,
                f"{kind}:{okx_inst_id(swap)}",
                model,
                ttl,
                lambda: fetch(swap),
            )
        except UnknownInstrumentError:
            raise SymbolError(swap.display, "unknown") from None
