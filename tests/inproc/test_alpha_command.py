"""/alpha in process: the call, its evidence card, and what was missing.
(Was tests/e2e/test_alpha_e2e.py.)"""

from __future__ import annotations

from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors
from tests.inproc.helpers import whales_buy
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import Dispatch


async def test_alpha_without_a_key_names_the_missing_etf_and_still_calls(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    whales_buy(vendors)
    await dispatch.command("/alpha SOL", chat_id=1701)
    await dispatch.command("/alpha", chat_id=1702, language_code="id")
    [en] = telegram.sent_texts(1701)
    [id_] = telegram.sent_texts(1702)
    parse_html(en)
    # A whale bought on OKX in the last minute, alternative.me says 73 Greed, ETF needs a key.
    assert "SOL institutional bias: LONG</b> · 2 of 3 inputs agree (1 market-wide, 1 missing)" in en
    assert "whale buys: 1 in the last 60 min, largest $1.28M, total $1.28M" in en
    assert "Missing: Spot-ETF flow: needs a CoinGlass key (ask the bot's operator)" in en
    assert "73/100 Greed (market-wide) → LONG" in en
    # The rule text agrees with the verdict: which inputs made it, and that two may.
    assert "This call read: Whales, Sentiment." in en
    # The price it is checked from, when, and how.
    assert "Called at <b>142.35</b> (OKX) · " in en
    assert (
        "Graded against OKX's 1-minute closes from the price at the call, "
        "1 h, 4 h, 24 h later; /performance bias shows the record." in en
    )
    assert "the ones present must all push the same way, and at least two must be present" in en
    assert "Bias institusional SOL: LONG" in id_  # SNIPER_SYMBOL when none is given
    assert "2 dari 3 input setuju" in id_
    assert "Dibuat di <b>142,35</b> (OKX)" in id_ and "(seluruh pasar)" in id_


async def test_alpha_with_coinglass_sees_all_three_with_the_coins_own_etf_flow(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    dispatch = await make_dispatch(coinglass_api_key="cg-test-key-123456")
    await dispatch.command("/alpha SOL", chat_id=1703)
    [answer] = telegram.sent_texts(1703)
    # Hyperliquid whales sold SOL (a short opened, a long closed), SOL's own spot ETFs took
    # in $12.7M (long), CoinGlass sentiment 30 pushes short: no call; all three were seen.
    assert "SOL institutional bias: NEUTRAL</b> · 0 of 3 inputs agree" in answer
    assert "whale sells: 2 in the last 60 min" in answer
    assert "SHORT closed (buying)" not in answer
    assert "<b>Spot-ETF flow</b>: net +$12.7M on" in answer  # SOL's own ETFs
    assert "Bitcoin's flow" not in answer and "Missing" not in answer


async def test_alpha_on_a_coin_without_an_etf_says_the_flow_is_market_wide(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """DOGE has no spot ETF: Bitcoin's flow stands in, said plainly, and an agreement made of
    market-wide inputs says how many of them were."""
    vendors.list_spot(["DOGE-USDT"])
    dispatch = await make_dispatch(coinglass_api_key="cg-test-key-123456")
    await dispatch.command("/alpha DOGE", chat_id=1704)
    [answer] = telegram.sent_texts(1704)
    assert "DOGE has no spot ETF: Bitcoin's flow, market-wide" in answer
    assert "(market-wide)" in answer  # sentiment is one index for every coin
    etf = [c.query for c in vendors.calls if c.path.startswith("/api/etf/")]
    assert vendors.count("/api/etf/bitcoin/flow-history") == len(etf) == 1


async def test_alpha_eth_reads_ethereums_own_etf_flows(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    dispatch = await make_dispatch(coinglass_api_key="cg-test-key-123456")
    await dispatch.command("/alpha ETH", chat_id=1705)
    [answer] = telegram.sent_texts(1705)
    assert "<b>Spot-ETF flow</b>: net +$106.6M on" in answer  # ETHA, FETH...: Ethereum's
    assert "Bitcoin's flow" not in answer
    assert vendors.count("/api/etf/ethereum/flow-history") == 1
    assert vendors.count("/api/etf/bitcoin/flow-history") == 0
