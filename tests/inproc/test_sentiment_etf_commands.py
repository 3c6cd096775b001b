"""/sentiment and /etf in process, with and without a CoinGlass key.
(Was tests/e2e/test_sentiment_etf_e2e.py.)"""

from __future__ import annotations

from tests.fakes.telegram import FakeTelegram
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import ADMIN, GROUP, USER, Dispatch


async def test_without_a_key_sentiment_is_free_and_etf_says_why_it_is_missing(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/sentiment", chat_id=1101)
    await dispatch.command("/etf", chat_id=1102)
    [sentiment] = telegram.sent_texts(1101)
    [etf] = telegram.sent_texts(1102)
    assert "Fear &amp; Greed: 73/100</b> — Greed" in sentiment
    assert "Source: alternative.me" in sentiment
    assert (
        "ETF flow data is unavailable" in etf
        and "needs a CoinGlass key (ask the bot's operator)" in etf
    )
    assert "try again" not in etf  # a key, not a retry, cures it


async def test_with_a_key_both_come_from_coinglass(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    dispatch = await make_dispatch(coinglass_api_key="cg-test-key-123456")
    await dispatch.command("/etf", chat_id=1103)
    await dispatch.command("/sentiment", chat_id=1104, language_code="id")
    [etf] = telegram.sent_texts(1103)
    [sentiment] = telegram.sent_texts(1104)
    assert "BTC spot-ETF net flow" in etf and "Thu 19 Nov: <b>+$122M</b>" in etf
    assert "2 of 7 ETFs have reported" in etf
    assert "Tue 17 Nov: +$489.5M" in etf and "Mon 16 Nov: −$100.7M" in etf
    assert "Sat" not in etf and "Sun" not in etf  # no rows for the weekend
    assert "30/100" in sentiment and "Sumber: CoinGlass" in sentiment


async def test_the_setting_to_fix_it_is_named_to_a_bot_admin_in_private_only(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    """An operator detail (the setting's name) is for the operator: a bot admin asking in a
    private chat. The same admin asking in a group, and anyone else, read who can fix it."""
    await dispatch.command("/etf", chat_id=ADMIN)
    await dispatch.command("/etf", chat_id=GROUP, user_id=ADMIN)
    await dispatch.command("/etf", chat_id=USER)
    [private] = telegram.sent_texts(ADMIN)
    [group] = telegram.sent_texts(GROUP)
    [user] = telegram.sent_texts(USER)
    assert "needs a CoinGlass key (<code>COINGLASS_API_KEY</code>)" in private
    for other in (group, user):
        assert "COINGLASS_API_KEY" not in other
        assert "needs a CoinGlass key (ask the bot's operator)" in other
