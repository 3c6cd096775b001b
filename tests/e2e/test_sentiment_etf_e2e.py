"""/sentiment and /etf end to end, with and without a CoinGlass key."""

from __future__ import annotations

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram


async def test_without_a_key_sentiment_is_free_and_etf_says_why_it_is_missing(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    telegram.push_command("/sentiment", chat_id=1101)
    telegram.push_command("/etf", chat_id=1102)
    [sentiment] = await telegram.wait_for_messages(1, chat_id=1101)
    [etf] = await telegram.wait_for_messages(1, chat_id=1102)
    assert "Fear &amp; Greed: 73/100</b> — Greed" in sentiment
    assert "Source: alternative.me" in sentiment
    assert "ETF flow data is unavailable" in etf and "CoinGlass: no API key set" in etf


async def test_with_a_key_both_come_from_coinglass(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot(COINGLASS_API_KEY="cg-test-key-123456")
    telegram.push_command("/etf", chat_id=1103)
    telegram.push_command("/sentiment", chat_id=1104, language_code="id")
    [etf] = await telegram.wait_for_messages(1, chat_id=1103)
    [sentiment] = await telegram.wait_for_messages(1, chat_id=1104)
    assert "BTC spot-ETF net flow" in etf and "Thu 19 Nov: <b>+$122M</b>" in etf
    assert "2 of 7 ETFs have reported" in etf
    assert "Tue 17 Nov: +$489.5M" in etf and "Mon 16 Nov: −$100.7M" in etf
    assert "Sat" not in etf and "Sun" not in etf  # no rows for the weekend
    assert "30/100" in sentiment and "Sumber: CoinGlass" in sentiment
