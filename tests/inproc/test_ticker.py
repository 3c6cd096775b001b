"""/ticker in process: the real dispatcher, services and Bot, the fake Bot API and vendors.
(Was tests/e2e/test_ticker_e2e.py, one bot process per test.)"""

from __future__ import annotations

import asyncio

import pytest

from services.kernel.symbols import parse_symbol
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault
from tests.inproc.helpers import http_get
from tests.ports import free_port
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import ADMIN, Dispatch

TICKER = "/api/v5/market/tickers"
COINAPI_TEST_KEY = "coinapi-test-key-7f3a9c2e5b"  # in tests/conftest.py SECRETS: never logged


async def test_ticker_answers_with_the_fixture_price_in_both_languages_and_groups(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/ticker SOL", chat_id=111)
    await dispatch.command("/ticker $sol", chat_id=222, language_code="id")
    await dispatch.command("/ticker@SomeBot SOL-USDT", chat_id=-1001873456210)  # a supergroup
    [en] = telegram.sent_texts(111)
    [id_] = telegram.sent_texts(222)
    [group] = telegram.sent_texts(-1001873456210)
    assert "SOL/USDT" in en and "142.35" in en and "Source: OKX" in en
    assert "142,35" in id_ and "Sumber: OKX" in id_
    assert "142.35" in group
    assert not dispatch.logs.errors


async def test_garbage_and_html_arguments_get_a_clear_escaped_reply(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    cases = {
        301: "/ticker <b>SOL</b>",
        302: "/ticker SOLL",
        303: "/ticker",
        304: "/ticker <script>alert(1)</script> & more",
        305: "/ticker " + "A" * 300,
        306: "/ticker FOOBAR",
    }
    for chat_id, text in cases.items():
        await dispatch.command(text, chat_id=chat_id)
    replies = {}
    for chat_id in cases:
        [replies[chat_id]] = telegram.sent_texts(chat_id)
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


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_okx_failure_and_timeout_fall_back_to_coinapi_with_a_key(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """The key is never logged: the suite-wide secret scan (tests/conftest.py) reads every line
    at DEBUG, as the process test read the bot's log file."""
    dispatch = await make_dispatch(coinapi_api_key=COINAPI_TEST_KEY)
    vendors.fail(TICKER, Fault(status=500, body={"code": "50026", "msg": "System error."}))
    await dispatch.command("/ticker SOL", chat_id=401)
    [after_500] = telegram.sent_texts(401)
    assert "142.36" in after_500 and "Source: CoinAPI" in after_500
    assert "fallback: OKX is having trouble on its side" in after_500

    await asyncio.sleep(0.4)  # past the ticker TTL, so the next answer is fetched again
    vendors.fail(TICKER, Fault(hang=True))
    await asyncio.wait_for(dispatch.command("/ticker SOL", chat_id=402), 30)
    [after_timeout] = telegram.sent_texts(402)
    assert "Source: CoinAPI" in after_timeout


@pytest.mark.slow  # the answers wait out their deadline (4 s) once
async def test_a_hanging_okx_shared_with_a_job_still_hedges_and_names_its_sources(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """A job's bulk ticker call (no deadline: the client's 20 s timeout and its retries) is
    hanging when users ask. Joining it would have made them wait it out, with no hedge: SOL's
    answer comes from CoinAPI in time, and ETH (which CoinAPI does not have) is a plain
    "unavailable" naming both sources, in time too; /status says what the users were told."""
    dispatch = await make_dispatch(coinapi_api_key=COINAPI_TEST_KEY, http_timeout_seconds=20.0)
    assert await dispatch.services.instruments.known()
    vendors.fail(TICKER, Fault(hang=True))
    job = asyncio.create_task(dispatch.services.ticker.ticker(parse_symbol("SOL")))
    await asyncio.sleep(0.1)  # the job's call is under way
    guard = 8.0  # a hang guard only: the job's call would keep a joined answer 20 s and more
    await asyncio.wait_for(dispatch.command("/ticker SOL", chat_id=411), guard)
    await asyncio.wait_for(dispatch.command("/ticker ETH", chat_id=412), guard)
    job.cancel()
    [sol] = telegram.sent_texts(411)
    assert "142.36" in sol and "Source: CoinAPI" in sol and "OKX is not answering" in sol
    [eth] = telegram.sent_texts(412)
    assert "unavailable" in eth and "OKX is not answering" in eth and "CoinAPI" in eth
    assert not [line for line in dispatch.logs.lines if "(: " in line.message]  # a named source
    state = dispatch.services.status.get("ticker")
    assert state is not None and state.checked and state.health.value != "ok"
    assert state.reason_by == "OKX"


async def test_okx_failure_without_a_coinapi_key_answers_unavailable(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.fail(TICKER, Fault(status=500))
    await dispatch.command("/ticker SOL", chat_id=501)
    [reply] = telegram.sent_texts(501)
    assert "unavailable" in reply
    assert "OKX is having trouble on its side" in reply
    assert "needs a CoinAPI key (ask the bot's operator)" in reply
    assert reply.endswith("Please try again shortly.")  # OKX may answer again
    assert not [c for c in vendors.calls if c.path.startswith("/v1/")]


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_burst_from_twenty_chats_costs_one_upstream_call_and_all_are_answered(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    # A TTL longer than the burst makes "one call per TTL window" exactly one call.
    dispatch = await make_dispatch(ticker_cache_ttl_ms=60000)
    vendors.latency = 0.05
    chats = [1000 + n for n in range(20)]
    # All 100 at once, as polling hands them over (each update its own task).
    await asyncio.gather(
        *(dispatch.command("/ticker SOL", chat_id=chats[n % 20]) for n in range(100))
    )
    assert len(telegram.sent_texts()) == 100
    for chat in chats:
        texts = telegram.sent_texts(chat)
        assert len(texts) == 5 and all("142.35" in t for t in texts)
    assert vendors.count(TICKER) == 1


async def test_throttle_sends_one_notice_then_drops_until_the_window_passes(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    dispatch = await make_dispatch(user_commands_per_minute=5)
    for _ in range(9):
        await dispatch.command("/ticker SOL", chat_id=601)
    await dispatch.command("/status", chat_id=602)  # another user is not affected
    assert len(telegram.sent_texts(602)) == 1
    texts = telegram.sent_texts(601)
    assert sum("142.35" in t for t in texts) == 5
    notices = [t for t in texts if "too many commands" in t]
    assert len(notices) == 1 and len(texts) == 6


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_status_and_healthz_show_the_breaker_opened_after_okx_failures(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.fail(TICKER, Fault(status=500))
    for n in range(5):
        await dispatch.command("/ticker SOL", chat_id=701)
        assert len(telegram.sent_texts(701)) == n + 1
    sent_before = vendors.count(TICKER)
    await dispatch.command("/ticker SOL", chat_id=701)
    [*_, paused] = telegram.sent_texts(701)
    assert "OKX kept failing and is paused for a while" in paused
    assert vendors.count(TICKER) == sent_before  # nothing sent while open

    await dispatch.command("/status", chat_id=702)
    [status] = telegram.sent_texts(702)
    assert "Price data</b>: unavailable (OKX kept failing and is paused for a while)" in status
    assert "okx:ticker" not in status  # breakers are the admins' business
    await dispatch.command("/status", chat_id=ADMIN)  # an admin, in a private chat
    [admin] = telegram.sent_texts(ADMIN)
    assert "okx:tickers</code>: open (the source is having trouble)" in admin

    code, health = await http_get(dispatch.services, "/healthz")
    assert code == 200
    assert health["status"] == "degraded"  # the order book still works
    assert health["modules"]["ticker"]["status"] == "unavailable"
    assert health["breakers"]["okx:tickers"] == "open"


async def test_more_coins_than_one_answer_holds_are_named_not_dropped(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    coins = ["SOL", "BTC", "ETH", "DOGE", "PEPE", "XRP", "BNB", "SOL-USDC", "SOL-USDT-SWAP"]
    await dispatch.command("/ticker " + " ".join([*coins, "ADA", "LINK", "AVAX"]), chat_id=801)
    [answer] = telegram.sent_texts(801)
    assert "Left out (10 coins at most in one answer): " in answer
    assert "<code>LINK</code>, <code>AVAX</code>. Ask for them again." in answer
    assert "<code>ADA</code>: unknown symbol" in answer  # the tenth, answered


async def test_a_server_that_cannot_reach_okx_says_so_not_that_okx_is_in_trouble(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    """Nothing listens where OKX should be (no network, a wrong URL): it is this server that
    cannot reach it, and a retry in a minute is no cure."""
    closed = free_port()
    dispatch = await make_dispatch(okx_base_url=f"http://127.0.0.1:{closed}")
    await dispatch.command("/ticker SOL", chat_id=811)
    [reply] = telegram.sent_texts(811)
    assert "this server cannot reach OKX" in reply
    assert "having trouble" not in reply and "try again" not in reply
    state = dispatch.services.status.get("ticker")
    assert state is not None and state.reason is not None and state.reason.value == "unreachable"


async def test_a_fallback_that_does_not_cover_the_coin_says_so(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """OKX down and CoinAPI has no data for ETH (its 550): not "CoinAPI is in trouble"."""
    dispatch = await make_dispatch(coinapi_api_key=COINAPI_TEST_KEY)
    vendors.fail(TICKER, Fault(status=500, body={"code": "50026", "msg": "System error."}))
    await dispatch.command("/ticker ETH", chat_id=812)
    [reply] = telegram.sent_texts(812)
    assert "CoinAPI does not cover this coin" in reply
    assert "CoinAPI is having trouble" not in reply
