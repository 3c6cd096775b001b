"""The vendor table is read by name (settings fields, key settings): a row naming a setting that
does not exist would only fail when that vendor's client is built, so every name is checked here,
and a keyed vendor's client is shown to send its key in its header, over real HTTP."""

from __future__ import annotations

import pytest

from services.container import build_services
from services.kernel.settings import Settings
from services.kernel.symbols import parse_symbol
from services.kernel.vendors import VENDORS, vendor_name
from tests.conftest import make_settings
from tests.fakes.vendors import FakeVendors

FIELDS = set(Settings.model_fields)


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_every_row_names_settings_that_exist(vendor: str) -> None:
    spec = VENDORS[vendor]
    named = [spec.base_url]
    named += [spec.budget.setting] if spec.budget else []
    named += [family.setting for family in spec.families.values()]
    named += [spec.key_setting.lower()] if spec.key_setting else []
    assert [name for name in named if name not in FIELDS] == []
    assert (spec.key_setting is None) == (spec.key_header is None)  # a key goes in a header


def test_a_vendor_reads_as_people_name_it() -> None:
    assert vendor_name("okx") == "OKX" and vendor_name("binance_futures") == "Binance futures"
    assert vendor_name("someone-new") == "someone-new"  # not in the table: shown as it is


async def test_a_keyed_vendor_sends_its_key_in_its_header_and_a_free_one_sends_none(
    vendors: FakeVendors,
) -> None:
    from services.vendors.coinapi import CoinApiClient
    from services.vendors.okx import OkxClient

    built = build_services(
        make_settings(
            okx_base_url=vendors.base_url,
            coinapi_base_url=vendors.base_url,
            coinapi_api_key="test-coinapi-key",
        )
    )
    try:
        clients = {client.vendor: client for client in built.clients}
        await CoinApiClient(clients["coinapi"], has_key=True).ticker(parse_symbol("SOL"))
        await OkxClient(clients["okx"]).ticker(parse_symbol("SOL"))
    finally:
        await built.aclose()
    by_host = {call.path.split("/")[1]: call.headers for call in vendors.calls}
    coinapi = next(h for p, h in by_host.items() if p == "v1")
    okx = next(h for p, h in by_host.items() if p == "api")
    assert coinapi.get("X-CoinAPI-Key") == "test-coinapi-key"
    assert not any(value == "test-coinapi-key" for value in okx.values())
