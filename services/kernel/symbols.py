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
_LIST_SEPARATORS = re.compile(r"[\s,;]+")
MAX_SYMBOLS = 10  # one /ticker answers this many coins at most
# Coins people call by name. Exchanges list codes only, and a fuzzy match of a name against
# codes is wrong ("bitcoin" is closest to TON), so the common names are a table.
COIN_NAMES = {
    "BITCOIN": "BTC",
    "ETHEREUM": "ETH",
    "ETHER": "ETH",
    "SOLANA": "SOL",
    "RIPPLE": "XRP",
    "DOGECOIN": "DOGE",
    "CARDANO": "ADA",
    "TRON": "TRX",
    "TONCOIN": "TON",
    "POLKADOT": "DOT",
    "LITECOIN": "LTC",
    "CHAINLINK": "LINK",
    "AVALANCHE": "AVAX",
    "POLYGON": "POL",
    "SHIBA": "SHIB",
    "SHIBAINU": "SHIB",
    "BINANCECOIN": "BNB",
    "STELLAR": "XLM",
    "COSMOS": "ATOM",
    "UNISWAP": "UNI",
    "ARBITRUM": "ARB",
    "OPTIMISM": "OP",
    "APTOS": "APT",
    "FILECOIN": "FIL",
    "HEDERA": "HBAR",
    "MONERO": "XMR",
    "BITCOINCASH": "BCH",
    "ETHEREUMCLASSIC": "ETC",
    "INJECTIVE": "INJ",
}


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
    if "".join(parts) in COIN_NAMES:  # "bitcoin", "Bitcoin Cash"
        parts = [COIN_NAMES["".join(parts)]]
    elif len(parts) == 2 and parts[0] in COIN_NAMES:  # "solana/usdc"
        parts = [COIN_NAMES[parts[0]], parts[1]]
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
    logger.debug("symbol {!r} -> {}", original, instrument.display)
    return instrument


def split_symbols(text: str | None) -> list[str]:
    """The symbols of `/ticker SOL ETH, BTC`, in order, each once (the caller answers the
    first MAX_SYMBOLS and names the rest). A quote after a coin belongs to it: `SOL USDT ETH`
    is SOL/USDT and ETH."""
    if re.sub(r"\s", "", text or "").upper() in COIN_NAMES:  # "bitcoin cash" is one coin
        return [(text or "").strip()]
    words: list[str] = []
    for word in _LIST_SEPARATORS.split((text or "").strip()):
        if word and words and word.upper() in GLUED_QUOTES and " " not in words[-1]:
            words[-1] = f"{words[-1]} {word}"
        elif word:
            words.append(word)
    unique: list[str] = []
    for word in words:
        if word.upper() not in (u.upper() for u in unique):
            unique.append(word)
    return unique
