"""User spellings -> one canonical instrument, and its name at each vendor (the one table)."""

from __future__ import annotations

import re
from enum import StrEnum

from loguru import logger
from pydantic import BaseModel, ConfigDict

from services.kernel.errors import SymbolError

DEFAULT_QUOTE = "USDT"
# Quotes recognised at the end of a glued pair such as SOLUSDT. Longest first so USDT wins over USD.
# BTC/ETH are left out: "WBTC" must stay the coin WBTC, not W quoted in BTC.
GLUED_QUOTES = ("FDUSD", "USDT", "USDC", "USD", "EUR")
SWAP_SUFFIXES = ("-SWAP", "-PERP", ".P", "PERP")
MAX_INPUT = 40
_CODE = re.compile(r"^[A-Z0-9]{1,15}$")
_SEPARATORS = re.compile(r"[/\-:_ ]")


class Market(StrEnum):
    SPOT = "spot"
    SWAP = "swap"  # linear perpetual


class Instrument(BaseModel):
    model_config = ConfigDict(frozen=True)

    base: str
    quote: str = DEFAULT_QUOTE
    market: Market = Market.SPOT

    @property
    def display(self) -> str:
        pair = f"{self.base}/{self.quote}"
        return f"{pair} perp" if self.market is Market.SWAP else pair

    def spot(self) -> Instrument:
        return self.model_copy(update={"market": Market.SPOT})

    def swap(self) -> Instrument:
        return self.model_copy(update={"market": Market.SWAP})


# --- vendor formats -------------------------------------------------------------------------


def okx_inst_id(inst: Instrument) -> str:
    pair = f"{inst.base}-{inst.quote}"
    return f"{pair}-SWAP" if inst.market is Market.SWAP else pair


def okx_family(inst: Instrument) -> str:
    """`uly` / `instFamily` of the derivatives (SOL-USDT for SOL-USDT-SWAP)."""
    return f"{inst.base}-{inst.quote}"


def binance_symbol(inst: Instrument) -> str:
    return f"{inst.base}{inst.quote}"


def coinglass_pair(inst: Instrument) -> str:
    """Pair-level CoinGlass endpoints (heatmap model1, orderbook) with `exchange=Binance`."""
    return f"{inst.base}{inst.quote}"


def coinapi_symbol_id(inst: Instrument, exchange: str = "BINANCE") -> str:
    kind = "PERP" if inst.market is Market.SWAP else "SPOT"
    return f"{exchange}_{kind}_{inst.base}_{inst.quote}"


# --- parsing --------------------------------------------------------------------------------


def _check_code(code: str, original: str) -> str:
    if not _CODE.match(code) or code.isdigit():
        raise SymbolError(original, "malformed")
    return code


def _split_glued(code: str) -> tuple[str, str | None]:
    for quote in GLUED_QUOTES:
        if code.endswith(quote) and len(code) > len(quote):
            return code[: -len(quote)], quote
    return code, None


def parse_symbol(text: str) -> Instrument:
    """Parse any spelling a user may type (docs/configuration.md lists them). Raises only
    `SymbolError`.

    Purely syntactic: whether the instrument exists is the catalog's question.
    """
    original = text
    raw = text.strip()
    if not raw:
        raise SymbolError(original, "empty")
    if len(raw) > MAX_INPUT:
        raise SymbolError(original[:MAX_INPUT], "malformed")
    raw = raw.lstrip("$").upper()

    market = Market.SPOT
    # ccxt style BASE/QUOTE:SETTLE marks a linear perpetual.
    if raw.count(":") == 1 and "/" in raw:
        pair, _settle = raw.split(":")
        raw, market = pair, Market.SWAP
    for suffix in SWAP_SUFFIXES:
        if raw.endswith(suffix) and len(raw) > len(suffix):
            raw, market = raw[: -len(suffix)].rstrip("-_/:"), Market.SWAP
            break

    parts = [p for p in _SEPARATORS.split(raw) if p]
    if len(parts) == 1:
        base, quote = _split_glued(parts[0])
    elif len(parts) == 2:
        base, quote = parts[0], parts[1]
    else:
        raise SymbolError(original, "malformed")
    instrument = Instrument(
        base=_check_code(base, original),
        quote=_check_code(quote or DEFAULT_QUOTE, original),
        market=market,
    )
    logger.debug("symbol {!r} -> {}", original, okx_inst_id(instrument))
    return instrument
