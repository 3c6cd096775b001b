"""/ticker end to end: the real bot process, the fake Bot API, the fake vendors."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import StartBot
from tests.e2e.harness import COINAPI_TEST_KEY
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault

TICKER = "/api/v5/market/ticker"


async def test_ticker_answers_with_the_fixture_price_in_both_languages_and_groups(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    telegram.push_command("/ticker SOL", chat_id=111)
    telegram.push_command("/ticker $sol", chat_id=222, language_code="id")
    telegram.push_command(
        "/ticker@SomeBot SOL-USDT", chat_id=-1001873456210, chat_type="supergroup"
    )
    [en] = await telegram.wait_for_messages(1, chat_id=111)
    [id_] = await telegram.wait_for_messages(1, chat_id=222)
    [group] = await telegram.wait_for_messages(1, chat_id=-1001873456210)
    assert "SOL/USDT" in en and "142.35" in en and "Source: OKX" in en
    assert "142,35" in id_ and "Sumber: OKX" in id_
    assert "142.35" in group


async def test_garbage_and_html_arguments_get_a_clear_escaped_reply(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await start_bot()
    cases = {
        301: "/ticker <b>SOL</b>",
        302: "/ticker SOLL",
        303: "/ticker",
        304: "/ticker <script>alert(1)</script> & more",
        305: "/ticker " + "A" * 300,
        306: "/ticker FOOBAR",
    }
    for chat_id, text in cases.items():
        telegram.push_command(text, chat_id=chat_id)
    replies = {c: (await telegram.wait_for_messages(1, chat_id=c))[0] for c in cases}
    assert "&lt;b&gt;SOL&lt;/b&gt;" in replies[301]
    assert "Did you mean" in replies[302] and "/ticker SOL" in replies[302]
    assert "Which symbol?" in replies[303]
    assert "&lt;script&gt;" in replies[304] and "<script>" not in replies[304]
    assert "I don't know the symbol" in replies[305] and len(replies[305]) < 300
    assert "I don't know the symbol" in replies[306]
    for reply in replies.values():
        parse_html(reply)
    assert not telegram.calls_to("sendMessage", ok=False)  # Telegram accepted every reply
    assert vendors.count(TICKER) == 0  # nothing unknown reached the vendor


async def test_okx_failure_and_timeout_fall_back_to_coinapi_with_a_key(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    bot = await start_bot(COINAPI_API_KEY=COINAPI_TEST_KEY)
    vendors.fail(TICKER, Fault(status=500, body={"code": "50026", "msg": "System error."}))
    telegram.push_command("/ticker SOL", chat_id=401)
    [after_500] = await telegram.wait_for_messages(1, chat_id=401)
    assert "142.36" in after_500 and "Source: CoinAPI" in after_500
    assert "fallback: OKX error" in after_500

    await asyncio.sleep(0.4)  # past the ticker TTL, so the next answer is fetched again
    vendors.fail(TICKER, Fault(hang=True))
    telegram.push_command("/ticker SOL", chat_id=402)
    [after_timeout] = await telegram.wait_for_messages(1, chat_id=402, timeout=30)
    assert "Source: CoinAPI" in after_timeout

    log = bot.log()
    assert "Run polling" in log
    assert telegram.token not in log and COINAPI_TEST_KEY not in log


async def test_okx_failure_without_a_coinapi_key_answers_unavailable(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await start_bot()
    vendors.fail(TICKER, Fault(status=500))
    telegram.push_command("/ticker SOL", chat_id=501)
    [reply] = await telegram.wait_for_messages(1, chat_id=501)
    assert "unavailable" in reply
    assert "OKX: error" in reply and "CoinAPI: no API key set" in reply
    assert not [c for c in vendors.calls if c.path.startswith("/v1/")]


async def test_burst_from_twenty_chats_costs_one_upstream_call_and_all_are_answered(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    # A TTL longer than the burst makes "one call per TTL window" exactly one call.
    await start_bot(TICKER_CACHE_TTL_MS="60000")
    vendors.latency = 0.05
    chats = [1000 + n for n in range(20)]
    for n in range(100):
        telegram.push_command("/ticker SOL", chat_id=chats[n % 20])
    await telegram.wait_for_messages(100, timeout=60)
    for chat in chats:
        texts = telegram.sent_texts(chat)
        assert len(texts) == 5 and all("142.35" in t for t in texts)
    assert vendors.count(TICKER) == 1


async def test_throttle_sends_one_notice_then_drops_until_the_window_passes(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot(USER_COMMANDS_PER_MINUTE="5")
    for _ in range(9):
        telegram.push_command("/ticker SOL", chat_id=601)
    await telegram.wait_for_messages(6, chat_id=601)
    telegram.push_command("/status", chat_id=602)  # another user is not affected
    await telegram.wait_for_messages(1, chat_id=602)
    await asyncio.sleep(0.5)
    texts = telegram.sent_texts(601)
    assert sum("142.35" in t for t in texts) == 5
    notices = [t for t in texts if "too many commands" in t]
    assert len(notices) == 1 and len(texts) == 6


async def test_status_and_healthz_show_the_breaker_opened_after_okx_failures(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    bot = await start_bot()
    vendors.fail(TICKER, Fault(status=500))
    for n in range(5):
        telegram.push_command("/ticker SOL", chat_id=701)
        await telegram.wait_for_messages(n + 1, chat_id=701, timeout=20)
    sent_before = vendors.count(TICKER)
    telegram.push_command("/ticker SOL", chat_id=701)
    [*_, paused] = await telegram.wait_for_messages(6, chat_id=701)
    assert "paused after repeated failures" in paused
    assert vendors.count(TICKER) == sent_before  # nothing sent while open

    telegram.push_command("/status", chat_id=702)
    [status] = await telegram.wait_for_messages(1, chat_id=702)
    assert "ticker</b>: unavailable" in status
    assert "okx:ticker</code>: open (error)" in status

    health = await http_get_json(bot.http_port, "/healthz")
    assert health["status"] == "degraded"  # the order book still works
    assert health["modules"]["ticker"]["status"] == "unavailable"
    assert health["breakers"]["okx:ticker"] == "open"


async def http_get_json(port: int, path: str) -> dict:  # type: ignore[type-arg]
    import httpx

    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}{path}")
    return response.json()  # type: ignore[no-any-return]
