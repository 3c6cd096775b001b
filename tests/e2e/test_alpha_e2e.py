"""/alpha end to end: the call, its evidence card, and what was missing."""

from __future__ import annotations

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram, parse_html


async def test_alpha_without_a_key_names_the_missing_etf_and_still_calls(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    telegram.push_command("/alpha SOL", chat_id=1701)
    telegram.push_command("/alpha", chat_id=1702, language_code="id")
    [en] = await telegram.wait_for_messages(1, chat_id=1701)
    [id_] = await telegram.wait_for_messages(1, chat_id=1702)
    parse_html(en)
    # OKX shows a whale buy and a whale sell (either way), alternative.me says 73 Greed.
    assert "SOL institutional bias: LONG</b> · confidence 67%" in en
    assert "Missing: Spot-ETF flow: no API key set" in en
    assert "73/100 Greed → LONG" in en
    assert "Bias institusional SOL: LONG" in id_  # SNIPER_SYMBOL when none is given


async def test_alpha_with_coinglass_sees_all_three_and_btc_stands_in(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot(COINGLASS_API_KEY="cg-test-key-123456")
    telegram.push_command("/alpha SOL", chat_id=1703)
    [answer] = await telegram.wait_for_messages(1, chat_id=1703)
    # ETF inflow pushes long, CoinGlass sentiment 30 pushes short: no call, all seen.
    assert "SOL institutional bias: NEUTRAL</b> · confidence 100%" in answer
    assert "BTC's ETF flow stands in for SOL" in answer
    assert "Missing" not in answer
