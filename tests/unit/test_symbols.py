from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.kernel.errors import SymbolError
from services.kernel.symbols import Instrument, Market, parse_symbol, split_symbols
from services.market.instruments import MEMO_SECONDS
from services.vendors.binance import binance_symbol
from services.vendors.coinapi import coinapi_symbol_id
from services.vendors.coinglass import coinglass_pair
from services.vendors.okx_symbols import okx_family, okx_inst_id
from tests.unit.conftest import Build

SOL_SPOT = Instrument(base="SOL", quote="USDT", market=Market.SPOT)
SOL_SWAP = Instrument(base="SOL", quote="USDT", market=Market.SWAP)


@pytest.mark.parametrize(
    "text",
    [
        "sol",
        "SOL",
        "$SOL",
        "SOLUSDT",
        "SOL/USDT",
        "SOL-USDT",
        "SOL:USDT",
        " sol ",
        "$sol/usdt",
        "sol_usdt",
    ],
)
def test_every_contract_spelling_is_sol_spot(text: str) -> None:
    assert parse_symbol(text) == SOL_SPOT


@pytest.mark.parametrize(
    "text", ["SOL-USDT-SWAP", "sol-usdt-swap", "SOL/USDT:USDT", "SOLUSDT.P", "SOL-PERP"]
)
def test_swap_spellings(text: str) -> None:
    assert parse_symbol(text) == SOL_SWAP


@pytest.mark.parametrize(
    ("text", "base", "quote"),
    [
        ("BTCUSDC", "BTC", "USDC"),
        ("ETH/BTC", "ETH", "BTC"),
        ("WBTC", "WBTC", "USDT"),
        ("1000PEPE", "1000PEPE", "USDT"),
        ("PERP", "PERP", "USDT"),
        ("USDCUSDT", "USDC", "USDT"),
    ],
)
def test_pairs_and_coins_that_look_like_quotes(text: str, base: str, quote: str) -> None:
    inst = parse_symbol(text)
    assert (inst.base, inst.quote) == (base, quote)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("<b>SOL</b>", "malformed"),
        ("SOL/USDT/BTC", "malformed"),
        ("123", "malformed"),
        ("S" * 41, "malformed"),
        ("!!!", "malformed"),
        ("SOL USDT X", "malformed"),
        ("ÄÖÜ", "malformed"),
    ],
)
def test_bad_input_raises_symbol_error(text: str, kind: str) -> None:
    with pytest.raises(SymbolError) as info:
        parse_symbol(text)
    assert info.value.kind == kind


def test_vendor_formats_come_from_one_table() -> None:
    assert okx_inst_id(SOL_SPOT) == "SOL-USDT"
    assert okx_inst_id(SOL_SWAP) == "SOL-USDT-SWAP"
    assert okx_family(SOL_SWAP) == "SOL-USDT"
    assert binance_symbol(SOL_SPOT) == "SOLUSDT"
    assert coinglass_pair(SOL_SWAP) == "SOLUSDT"
    assert coinapi_symbol_id(SOL_SPOT) == "BINANCE_SPOT_SOL_USDT"
    assert coinapi_symbol_id(SOL_SWAP, "OKEX") == "OKEX_PERP_SOL_USDT"


@given(st.text(max_size=60))
def test_parser_never_raises_anything_but_its_own_error(text: str) -> None:
    try:
        inst = parse_symbol(text)
    except SymbolError:
        return
    assert inst.base.isalnum() and inst.quote.isalnum()
    assert parse_symbol(okx_inst_id(inst)) == inst  # the canonical form round-trips


@given(st.from_regex(r"\$?[A-Za-z]{2,6}([/:_-]?(USDT|USDC))?(-SWAP)?", fullmatch=True))
def test_plausible_symbols_parse_and_round_trip(text: str) -> None:
    inst = parse_symbol(text)
    assert parse_symbol(okx_inst_id(inst)) == inst


@pytest.mark.parametrize(
    ("typed", "base"),
    [("bitcoin", "BTC"), ("Solana", "SOL"), ("ETHEREUM", "ETH"), ("bitcoin cash", "BCH")],
)
def test_coin_names_are_their_codes_not_a_fuzzy_guess(typed: str, base: str) -> None:
    assert parse_symbol(typed).base == base


def test_a_name_with_a_quote_keeps_the_quote() -> None:
    assert parse_symbol("solana/usdc") == Instrument(base="SOL", quote="USDC")


@pytest.mark.parametrize(
    ("typed", "symbols"),
    [
        ("SOL ETH BTC", ["SOL", "ETH", "BTC"]),
        ("sol, eth;btc  sol", ["sol", "eth", "btc"]),  # each once, in order
        ("SOL USDT", ["SOL USDT"]),  # a pair written with a space is one symbol
        ("SOL USDT ETH", ["SOL USDT", "ETH"]),
        ("bitcoin cash", ["bitcoin cash"]),
        ("", []),
        # Every one of them, in order: the answer holds MAX_SYMBOLS and names the rest.
        (" ".join(f"C{i}" for i in range(30)), [f"C{i}" for i in range(30)]),
    ],
)
def test_several_symbols_are_split_as_people_write_them(typed: str, symbols: list[str]) -> None:
    assert split_symbols(typed) == symbols


async def test_the_catalogue_is_read_back_at_most_once_per_memo_period(build: Build) -> None:
    services = await build()
    catalogue = services.instruments
    now = [1000.0]
    catalogue._clock = lambda: now[0]  # type: ignore[method-assign]
    reads = 0
    original = catalogue._list

    async def counted(inst_type: str) -> object:
        nonlocal reads
        reads += 1
        return await original(inst_type)

    catalogue._list = counted  # type: ignore[method-assign,assignment]
    for _ in range(50):
        await catalogue.resolve("SOL")
    assert reads == 2  # SPOT and SWAP once, not once per command
    now[0] += MEMO_SECONDS
    await catalogue.resolve("SOL")
    assert reads == 4  # then read again: another replica's refresh is seen within seconds
