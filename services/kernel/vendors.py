"""The one table of vendors: the id their clients, budgets and breakers use ("okx"), the name a
reader sees ("OKX"), where its base URL and key are set, the header the key goes in, and its
request budgets. The container builds every vendor's HTTP client from this table, the plumbing
every budget; an error about a vendor names it as people read it from here; the error texts
name the key to set from here. A new vendor is a row here and its adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.kernel.settings import Settings


@dataclass(frozen=True)
class Budget:
    setting: str  # the Settings field holding how many requests...
    seconds: int  # ...per this many seconds


@dataclass(frozen=True)
class VendorSpec:
    name: str  # as a reader sees it, in answers and /status
    base_url: str  # the Settings field of its base URL
    key_setting: str | None = None  # the setting its key is read from, for a paid vendor
    key_header: str | None = None  # the HTTP header the key is sent in
    budget: Budget | None = None
    # Endpoint families with a budget of their own beside the vendor's ("okx:rubik").
    families: dict[str, Budget] = field(default_factory=dict)

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
        budget=Budget("okx_requests_per_2s", 2),
        families={"okx:rubik": Budget("okx_stats_requests_per_2s", 2)},
    ),
    "coinapi": VendorSpec(
        "CoinAPI",
        "coinapi_base_url",
        "COINAPI_API_KEY",
        "X-CoinAPI-Key",
        Budget("coinapi_requests_per_minute", 60),
    ),
    "binance": VendorSpec(
        "Binance", "binance_base_url", budget=Budget("binance_requests_per_minute", 60)
    ),
    "binance_futures": VendorSpec(
        "Binance futures",
        "binance_futures_base_url",
        budget=Budget("binance_futures_requests_per_minute", 60),
    ),
    "coinglass": VendorSpec(
        "CoinGlass",
        "coinglass_base_url",
        "COINGLASS_API_KEY",
        "CG-API-KEY",
        Budget("coinglass_requests_per_minute", 60),
    ),
    "alternative_me": VendorSpec(
        "alternative.me", "fng_base_url", budget=Budget("fng_requests_per_minute", 60)
    ),
}
KEY_SETTINGS = {spec.name: spec.key_setting for spec in VENDORS.values() if spec.key_setting}


def vendor_name(vendor: str) -> str:
    """ "OKX" for "okx"; an id not in the table is shown as it is."""
    spec = VENDORS.get(vendor)
    return spec.name if spec is not None else vendor
