"""The vendor table (services/kernel/vendors.py) makes the vendors' settings, with its defaults,
and the container builds every client from it: a keyed vendor's client is shown to send its key
in its header, over real HTTP, and a free one none."""

from __future__ import annotations

import asyncio
import importlib

import pytest

from services.container import build_services
from services.kernel.settings import Settings
from services.kernel.symbols import parse_symbol
from services.kernel.vendors import VENDORS, vendor_name
from tests.conftest import make_settings
from tests.fakes.vendors import FakeVendors

FIELDS = set(Settings.model_fields)


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_every_row_makes_its_settings_with_its_defaults(vendor: str) -> None:
    spec = VENDORS[vendor]
    made = Settings(_env_file=None).model_dump()
    assert made[spec.base_url] == spec.default_url
    for limit in ([spec.budget] if spec.budget else []) + list(spec.families.values()):
        assert made[limit.setting] == limit.default and limit.setting in FIELDS
    if spec.key_setting is not None:
        assert spec.key_setting.lower() in FIELDS and spec.key_header  # a key goes in a header
        assert spec.key(Settings(**{spec.key_setting.lower(): "k-123"})) == "k-123"


def test_every_vendor_key_is_kept_out_of_the_logs() -> None:
    keyed = {f"{s.key_setting.lower()}": f"secret-{n}" for n, s in enumerate(VENDORS.values())
             if s.key_setting}  # fmt: skip
    assert set(keyed.values()) <= set(Settings(**keyed).secrets())


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


def test_every_adapter_a_row_names_is_built_and_found_by_its_class() -> None:
    built = build_services(make_settings())
    try:
        for spec in VENDORS.values():
            for path in spec.adapters:
                module, _, name = path.partition(":")
                kind = getattr(importlib.import_module(module), name)
                assert isinstance(built.vendors.get(kind), kind)
    finally:
        asyncio.run(built.aclose())


def test_a_class_no_row_names_is_a_plain_lookup_error() -> None:
    built = build_services(make_settings())
    try:
        with pytest.raises(LookupError, match="vendor table"):
            built.vendors.get(Settings)
    finally:
        asyncio.run(built.aclose())
