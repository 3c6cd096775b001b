"""The one table of vendors: the id their clients, budgets and breakers use ("okx"), the name a
reader sees ("OKX"), and the setting that holds a paid vendor's key. An error about a vendor
names it as people read it from here; the error texts name the key to set from here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VendorSpec:
    name: str  # as a reader sees it, in answers and /status
    key_setting: str | None = None  # the setting its key is read from, for a paid vendor


VENDORS: dict[str, VendorSpec] = {
    "okx": VendorSpec("OKX"),
    "binance": VendorSpec("Binance"),
    "binance_futures": VendorSpec("Binance futures"),
    "coinglass": VendorSpec("CoinGlass", "COINGLASS_API_KEY"),
    "coinapi": VendorSpec("CoinAPI", "COINAPI_API_KEY"),
    "alternative_me": VendorSpec("alternative.me"),
}
KEY_SETTINGS = {spec.name: spec.key_setting for spec in VENDORS.values() if spec.key_setting}


def vendor_name(vendor: str) -> str:
    """ "OKX" for "okx"; an id not in the table is shown as it is."""
    spec = VENDORS.get(vendor)
    return spec.name if spec is not None else vendor
