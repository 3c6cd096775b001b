"""Telegram's own side failing under the bot's answers: its edge answering an HTML 502 page for
a while, a flood wait too long to sit out, a burst of answers waiting for the send pace. Every
reply either arrives or is given up with one warning line naming the chat; "typing…" is shown
at most once per answer and never for an answer that is only waiting its turn."""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.unit.conftest import MakeDispatch

HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@pytest.mark.slow  # the outage lasts 5 s, the replies arrive at the retry 7.5 s in
async def test_replies_wait_out_an_edge_outage_and_all_arrive_with_no_traceback(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    """Longer than the few quick tries replies had (given up 3.5 s in), far shorter than the
    minute a reply now waits out."""
    dispatch = await make_dispatch()
    telegram.fail_raw("sendMessage", HTML_502, for_seconds=5.0)
    chats = [801, 802, 803, 804, 805]
    await asyncio.gather(*(dispatch.command("/ticker SOL", chat_id=chat) for chat in chats))
    for chat in chats:
        [text] = telegram.sent_texts(chat)
        assert "142.35" in text
    refused = telegram.calls_to("sendMessage", ok=False)
    assert len(refused) >= len(chats) * 4  # each reply met the outage several times
    assert not dispatch.logs.errors and not dispatch.logs.tracebacks
    assert not [line for line in dispatch.logs.lines if "<html>" in line.message]


async def test_a_reply_given_up_after_the_outage_budget_is_one_warning_naming_the_chat(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    dispatch = await make_dispatch(telegram_outage_seconds=0.6)
    telegram.fail_raw("sendMessage", HTML_502, for_seconds=30.0)
    await asyncio.wait_for(dispatch.command("/ticker SOL", chat_id=811), 20)
    tries = [c for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == "811"]
    assert 2 <= len(tries) <= 3  # 0.5 s of backoff fits the budget, 1 s more does not
    assert not dispatch.logs.errors and not dispatch.logs.tracebacks
    given_up = [w.message for w in dispatch.logs.warnings if "given up" in w.message]
    assert given_up == [
        "reply to chat 811 given up: Telegram kept failing (Bad Gateway: the answer was not JSON)"
    ]


async def test_a_flood_wait_too_long_to_sit_out_is_one_warning_naming_the_chat(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    dispatch = await make_dispatch()
    telegram.fail("sendMessage", "error_429.json", retry_after=400, chat_id=821)
    await asyncio.wait_for(dispatch.command("/ticker SOL", chat_id=821), 20)
    assert not telegram.sent_texts(821)
    assert not dispatch.logs.errors and not dispatch.logs.tracebacks
    given_up = [w.message for w in dispatch.logs.warnings if "given up" in w.message]
    assert given_up == ["reply to chat 821 given up: Telegram asked us to wait 400s more"]


@pytest.mark.slow  # the burst drains at 4 answers a second
async def test_an_answer_only_waiting_its_turn_shows_no_typing(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    """Answers from the cache are ready at once; waiting seconds for the pace is no work."""
    dispatch = await make_dispatch(telegram_global_per_second=4.0, ticker_cache_ttl_ms=60_000)
    await dispatch.command("/ticker SOL", chat_id=860)  # the cache now holds SOL
    chats = list(range(861, 873))
    await asyncio.gather(*(dispatch.command("/ticker SOL", chat_id=chat) for chat in chats))
    assert all(len(telegram.sent_texts(chat)) == 1 for chat in chats)
    assert telegram.calls_to("sendChatAction") == []
