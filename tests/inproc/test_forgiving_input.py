"""Input as people type it: any case, common aliases, coin names, several coins at once, and a
private chat that never meets silence."""

from __future__ import annotations

from prometheus_client import REGISTRY

from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors
from tests.unit.dispatch import GROUP, Dispatch

TICKER = "/api/v5/market/tickers"


async def test_case_and_aliases_reach_the_same_command(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    typed = {401: "/Ticker sol", 402: "/PRICE SOL", 403: "/p sol", 404: "/OrderBook SOL"}
    for chat_id, text in typed.items():
        await dispatch.command(text, chat_id=chat_id)
    for chat_id in (401, 402, 403):
        [answer] = telegram.sent_texts(chat_id)
        assert "SOL/USDT" in answer and "142.35" in answer
    [book] = telegram.sent_texts(404)
    assert "SOL/USDT" in book and "I don't know" not in book
    labels = {
        s.labels.get("command")
        for metric in REGISTRY.collect()
        if metric.name == "command_latency_seconds"
        for s in metric.samples
    }
    assert "p" not in labels and "price" not in labels  # counted as /ticker


async def test_coin_names_resolve_to_their_codes(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/ticker bitcoin", chat_id=411)
    await dispatch.command("/ticker Solana", chat_id=412)
    [btc] = telegram.sent_texts(411)
    [sol] = telegram.sent_texts(412)
    assert "BTC/USDT" in btc and "TON" not in btc
    assert "SOL/USDT" in sol


async def test_several_coins_are_answered_in_one_message_each_failing_on_its_own(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await dispatch.command("/ticker SOL, btc FOOBAR sol", chat_id=421)
    [answer] = telegram.sent_texts(421)
    parse_html(answer)
    lines = answer.splitlines()
    assert [line.split()[0] for line in lines[:2]] == ["<b>SOL/USDT</b>", "<b>BTC/USDT</b>"]
    assert "142.35" in lines[0]
    assert "FOOBAR" in lines[2] and "unknown symbol" in lines[2]
    assert answer.count("Source: OKX") == 1  # one footer for one source
    assert vendors.count(TICKER) == 1  # SOL and BTC in one bulk call; nothing for FOOBAR
    assert vendors.count("/api/v5/market/ticker") == 0  # no call per coin


async def test_a_private_chat_never_meets_silence(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("$SOL", chat_id=431)
    await dispatch.command("bitcoin", chat_id=432)
    await dispatch.command("hello there, what can you do?", chat_id=433)
    await dispatch.command("/frobnicate SOL", chat_id=434)
    await dispatch.command("$NOTACOIN", chat_id=435)
    [sol] = telegram.sent_texts(431)
    [btc] = telegram.sent_texts(432)
    [hint] = telegram.sent_texts(433)
    [unknown] = telegram.sent_texts(434)
    [not_a_coin] = telegram.sent_texts(435)
    assert "SOL/USDT" in sol and "142.35" in sol
    assert "BTC/USDT" in btc
    assert "/help" in hint and "/ticker SOL" in hint
    assert "/frobnicate" in unknown and "/help" in unknown
    assert "I don't know the symbol" in not_a_coin


async def test_a_group_is_left_to_talk(dispatch: Dispatch, telegram: FakeTelegram) -> None:
    await dispatch.command("$SOL to the moon", chat_id=GROUP)
    await dispatch.command("/frobnicate", chat_id=GROUP)
    assert telegram.sent_texts(GROUP) == []


async def test_help_lists_the_aliases(dispatch: Dispatch, telegram: FakeTelegram) -> None:
    await dispatch.command("/help", chat_id=441)
    [help_] = telegram.sent_texts(441)
    assert "/price" in help_ and "/orderbook" in help_
