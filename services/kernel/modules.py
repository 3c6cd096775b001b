"""The one registry of data modules: each module's name, the words a user reads for it,
whether an admin can switch it off, whether the bot is unhealthy without it, and the
vendors it reads. Settings (FEATURE_*), flags, status, the flags panel and the error texts
all read this table; a new module is an entry here, its package under services/market/, its
renderer and its translations."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def N_(message: str) -> str:
    """Marks a string for extraction (`make messages`); it is translated where it is shown."""
    return message


class Module(StrEnum):
    TICKER = "ticker"
    SPOT_OB = "spot_ob"
    WHALE = "whale"
    ETF = "etf"
    SENTIMENT = "sentiment"
    HEATMAP = "heatmap"
    OPTIONS = "options"
    FUNDING = "funding"
    OI = "oi"


@dataclass(frozen=True)
class ModuleSpec:
    display: str  # "Price data is unavailable right now", in the reader's language
    switchable: bool  # has FEATURE_<NAME> and an on/off button in /flags
    main: bool  # every main module unavailable at once makes the bot unhealthy
    vendors: tuple[str, ...]  # first choice first
    # Its folder, services/market/<package>/, whose service.py has `build(parts)`. Modules are
    # built in this table's order: one that reads another comes after it.
    package: str


MODULES: dict[Module, ModuleSpec] = {
    Module.TICKER: ModuleSpec(
        N_("Price data"), switchable=False, main=True, vendors=("OKX", "CoinAPI"), package="ticker"
    ),
    Module.SPOT_OB: ModuleSpec(
        N_("Order book data"),
        switchable=True,
        main=True,
        vendors=("OKX", "Binance"),
        package="orderbook",
    ),
    Module.WHALE: ModuleSpec(
        N_("Whale data"), switchable=True, main=True, vendors=("CoinGlass", "OKX"), package="whale"
    ),
    Module.ETF: ModuleSpec(
        N_("ETF flow data"), switchable=True, main=False, vendors=("CoinGlass",), package="etf"
    ),
    Module.SENTIMENT: ModuleSpec(
        N_("Sentiment data"),
        switchable=True,
        main=False,
        vendors=("CoinGlass", "alternative.me"),
        package="sentiment",
    ),
    Module.HEATMAP: ModuleSpec(
        N_("Liquidation data"),
        switchable=True,
        main=True,
        vendors=("CoinGlass", "OKX"),
        package="heatmap",
    ),
    Module.OPTIONS: ModuleSpec(
        N_("Options data"), switchable=True, main=False, vendors=("OKX",), package="options"
    ),
    # Binance futures stands in when OKX fails; CoinGlass adds its view across exchanges.
    Module.FUNDING: ModuleSpec(
        N_("Funding data"),
        switchable=True,
        main=False,
        vendors=("OKX", "Binance futures", "CoinGlass"),
        package="funding",
    ),
    Module.OI: ModuleSpec(
        N_("Open interest data"),
        switchable=True,
        main=False,
        vendors=("OKX", "Binance futures", "CoinGlass"),
        package="oi",
    ),
}
SWITCHABLE: tuple[Module, ...] = tuple(m for m, spec in MODULES.items() if spec.switchable)


def sources_of(kind: str) -> str:
    """The sources a cached kind is read from, for a failure that cannot tell which of them
    was slow: a module's vendors ("OKX/CoinAPI"); OKX for the reference data only it serves
    (instruments, contract sizes)."""
    if kind in Module.__members__.values():
        return "/".join(MODULES[Module(kind)].vendors)
    return "OKX"
