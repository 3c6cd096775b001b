"""/ticker end to end: the real bot process, the fake Bot API, the fake vendors."""

from __future__ import annotations

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram


async def test_ticker_answers_with_fixture_price_and_footer(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    telegram.push_command("/ticker SOL", chat_id=111)
    [text] = await telegram.wait_for_messages(1, chat_id=111)
    assert "SOL/USDT" in text
    assert "142.35" in text
    assert "Source: OKX" in text
