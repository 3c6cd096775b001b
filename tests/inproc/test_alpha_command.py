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
    assert "SOL institutional bias: LONG</b> · 2 of 3 inputs agree (1 missing)" in en
    assert "whale buys: 1 in the last 60 min, largest $1.28M, total $1.28M" in en
    assert "Missing: Spot-ETF flow: needs a CoinGlass key (<code>COINGLASS_API_KEY</code>)" in en
    assert "73/100 Greed → LONG" in en
    assert "Bias institusional SOL: LONG" in id_  # SNIPER_SYMBOL when none is given
    assert "2 dari 3 input setuju" in id_


async def test_alpha_with_coinglass_sees_all_three_and_btc_stands_in(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    dispatch = await make_dispatch(coinglass_api_key="cg-test-key-123456")
    await dispatch.command("/alpha SOL", chat_id=1703)
    [answer] = telegram.sent_texts(1703)
    # Hyperliquid whales sold SOL (a short opened, a long closed), the ETF inflow pushes long,
    # CoinGlass sentiment 30 pushes short: no call; all three were seen.
    assert "SOL institutional bias: NEUTRAL</b> · 0 of 3 inputs agree" in answer
    assert "whale sells: 2 in the last 60 min" in answer
    assert "SHORT closed (buying)" not in answer
    assert "BTC's ETF flow stands in for SOL" in answer
    assert "Missing" not in answer
