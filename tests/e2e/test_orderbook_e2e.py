"""/ob end to end."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault


async def test_ob_answers_walls_by_exchange_and_falls_back_when_okx_fails(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await start_bot()
    telegram.push_command("/ob SOL", chat_id=801)
    telegram.push_command("/ob sol binance", chat_id=802, language_code="id")
    telegram.push_command("/ob SOL <b>kraken</b>", chat_id=803)
    [okx] = await telegram.wait_for_messages(1, chat_id=801)
    [binance] = await telegram.wait_for_messages(1, chat_id=802)
    [bad] = await telegram.wait_for_messages(1, chat_id=803)
    assert "141.88" in okx and "7.9× median" in okx and "142.7" in okx and "11.7× median" in okx
    assert "Source: OKX" in okx
    assert "14,9× median" in binance and "Sumber: Binance" in binance
    assert "&lt;b&gt;kraken&lt;/b&gt;" in bad and "okx" in bad and "binance" in bad
    for text in (okx, binance, bad):
        parse_html(text)
    photos = [c for c in telegram.calls_to("sendPhoto", ok=True)]
    assert {c.params["chat_id"] for c in photos} == {"801", "802"}  # a depth chart each
    assert all(c.params["photo"].startswith("attach://") for c in photos)
    assert telegram.calls_to("sendChatAction")  # "sending a photo…" while it is drawn

    await asyncio.sleep(1.1)  # past the order-book TTL
    vendors.fail("/api/v5/market/books", Fault(status=503))
    telegram.push_command("/ob SOL", chat_id=804)
    [fallback] = await telegram.wait_for_messages(1, chat_id=804)
    assert "Source: Binance" in fallback and "fallback: OKX error" in fallback
