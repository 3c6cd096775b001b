"""The one table of vendors: the id their clients, budgets and breakers use ("okx"), the name a
reader sees ("OKX"), its base URL, key and request budgets (Settings gets those fields from
here, with their defaults), the header the key goes in. The container builds every vendor's
HTTP client from this table, the plumbing every budget; an error about a vendor names it as
people read it from here; the error texts name the key to set from here. A new vendor is a row
here and its adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import Field, SecretStr

if TYPE_CHECKING:
    from services.kernel.settings import Settings


@dataclass(frozen=True)
class Budget:
    setting: str  # the Settings field holding how many requests...
    seconds: int  # ...per this many seconds
    default: int  # unless the operator sets it


@dataclass(frozen=True)
class VendorSpec:
    name: str  # as a reader sees it, in answers and /status
    base_url: str  # the Settings field of its base URL...
    default_url: str  # ...and its default
    key_setting: str | None = None  # the setting its key is read from, for a paid vendor
    key_header: str | None = None  # the HTTP header the key is sent in
    budget: Budget | None = None
    # Endpoint families with a budget of their own beside the vendor's ("okx:rubik").
    families: dict[str, Budget] = field(default_factory=dict)
    # Its adapters ("module:Class", each with `from_link`), built by the container on this
    # vendor's client; a module finds one with `parts.vendors.get(Class)`.
    adapters: tuple[str, ...] = ()

    def fields(self) -> dict[str, Any]:
        """Its settings, as Settings is made from this table (services/kernel/settings.py)."""
        made: dict[str, Any] = {self.base_url: (str, self.default_url)}
        if self.key_setting is not None:
            made[self.key_setting.lower()] = (SecretStr, SecretStr(""))
        for limit in ([self.budget] if self.budget else []) + list(self.families.values()):
            made[limit.setting] = (int, Field(limit.default, ge=1))
        return made

    def key(self, settings: Settings) -> str:
        if self.key_setting is None:
            return ""
        secret = getattr(settings, self.key_setting.lower())
        return str(secret.get_secret_value())

    def headers(self, settings: Settings) -> dict[str, str]:
        key = self.key(settings)
        return {self.key_header: key} if key and self.key_header else {}


VENDORS: dict[str, VendorSpec] = {
    "okx": VendorSpec(
        "OKX",
        "okx_base_url",
        "https://www.okx.com",
        budget=Budget("okx_requests_per_2s", 2, 20),
        # OKX's trading statistics (open interest history, taker volume): 5 per 2 s for the
        # strictest of them, a budget of their own within OKX's.
        families={"okx:rubik": Budget("okx_stats_requests_per_2s", 2, 5)},
        adapters=(
            "services.vendors.okx:OkxClient",
            "services.vendors.okx_stats:OkxStats",
            "services.vendors.okx_derivs:OkxDerivs",
        ),
    ),
    "coinapi": VendorSpec(
        "CoinAPI",
        "coinapi_base_url",
        "https://rest.coinapi.io",
        key_setting="COINAPI_API_KEY",
        key_header="X-CoinAPI-Key",
        budget=Budget("coinapi_requests_per_minute", 60, 60),
        adapters=("services.vendors.coinapi:CoinApiClient",),
    ),
    "binance": VendorSpec(
        "Binance",
        "binance_base_url",
        "https://api.binance.com",
        budget=Budget("binance_requests_per_minute", 60, 100),
        adapters=("services.vendors.binance:BinanceClient",),
    ),
    # USDⓈ-M futures' public data: the derivatives modules' fallback (no key). Binance allows
    # 1,000 statistics requests per 5 minutes per IP: a fallback needs far less.
    "binance_futures": VendorSpec(
        "Binance futures",
        "binance_futures_base_url",
        "https://fapi.binance.com",
        budget=Budget("binance_futures_requests_per_minute", 60, 60),
        adapters=("services.vendors.binance_futures:BinanceFutures",),
    ),
    "coinglass": VendorSpec(
        "CoinGlass",
        "coinglass_base_url",
        "https://open-api-v4.coinglass.com",
        key_setting="COINGLASS_API_KEY",
        key_header="CG-API-KEY",
        budget=Budget("coinglass_requests_per_minute", 60, 30),
        adapters=(
            "services.vendors.coinglass:CoinGlassClient",
            "services.vendors.coinglass_derivs:CoinGlassDerivs",
        ),
    ),
    "alternative_me": VendorSpec(
        "alternative.me",
        "fng_base_url",
        "https://api.alternative.me",
        budget=Budget("fng_requests_per_minute", 60, 30),
        adapters=("services.vendors.alternative_me:FearGreedClient",),
    ),
    # The rupiah market: a chat that quotes in IDR reads its coins' rupiah prices here (and
    # the USDT/IDR rate for a coin without a rupiah pair).
    "indodax": VendorSpec(
        "Indodax",
        "indodax_base_url",
        "https://indodax.com",
        budget=Budget("indodax_requests_per_minute", 60, 60),
        adapters=("services.vendors.indodax:IndodaxClient",),
    ),
}
KEY_SETTINGS = {spec.name: spec.key_setting for spec in VENDORS.values() if spec.key_setting}


def vendor_name(vendor: str) -> str:
    """ "OKX" for "okx"; an id not in the table is shown as it is."""
    spec = VENDORS.get(vendor)
    return spec.name if spec is not None else vendor
