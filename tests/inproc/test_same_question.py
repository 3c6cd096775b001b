"""A busy group asking the same question within seconds gets one answer and a 👀 on each
repeat; anything personal, different or outside the window is answered as usual."""

from __future__ import annotations

import asyncio

import pytest

from bot.middlewares import same_question
from tests.fakes.telegram import FakeTelegram
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import Dispatch

GROUP = -1001234567890


def reactions(telegram: FakeTelegram) -> list[tuple[str, str]]:
    return [
        (str(c.params["message_id"]), c.params["reaction"][0]["emoji"])
        for c in telegram.calls_to("setMessageReaction")
    ]


async def test_a_repeat_in_a_group_gets_a_reaction_not_a_second_answer(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/ticker SOL", chat_id=GROUP, user_id=501)
    await dispatch.command("/p sol", chat_id=GROUP, user_id=502)  # an alias
    await dispatch.command("/TICKER  sol", chat_id=GROUP, user_id=503)
    assert len(telegram.sent_texts(GROUP)) == 1
    reacted = reactions(telegram)
    assert [emoji for _, emoji in reacted] == ["👀", "👀"]
    assert len({message for message, _ in reacted}) == 2  # on each repeat, once


async def test_different_questions_languages_and_private_chats_are_answered(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/ticker SOL", chat_id=GROUP, user_id=511)
    await dispatch.command("/ticker BTC", chat_id=GROUP, user_id=512)  # another coin
    await dispatch.command("/ticker SOL", chat_id=GROUP, user_id=513, language_code="id")
    await dispatch.command("/ticker SOL", chat_id=514)
    await dispatch.command("/ticker SOL", chat_id=514)  # a private chat's repeat: answered
    assert len(telegram.sent_texts(GROUP)) == 3
    assert len(telegram.sent_texts(514)) == 2
    assert reactions(telegram) == []


async def test_a_personal_answer_is_never_merged(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/id", chat_id=GROUP, user_id=521)
    await dispatch.command("/id", chat_id=GROUP, user_id=522)
    texts = telegram.sent_texts(GROUP)
    assert len(texts) == 2 and "521" in texts[0] and "522" in texts[1]


async def test_where_reactions_are_refused_the_repeat_is_answered(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    dispatch.refuse("setMessageReaction", "Bad Request: REACTION_INVALID")
    await dispatch.command("/ticker SOL", chat_id=GROUP, user_id=531)
    await dispatch.command("/ticker SOL", chat_id=GROUP, user_id=532)
    assert len(telegram.sent_texts(GROUP)) == 2
    assert not dispatch.logs.errors


@pytest.fixture
def short_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(same_question, "MERGE_SECONDS", 0.2)


@pytest.mark.usefixtures("short_window")
async def test_after_the_window_the_question_is_answered_again(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    dispatch = await make_dispatch()
    await dispatch.command("/ticker SOL", chat_id=GROUP, user_id=541)
    await asyncio.sleep(0.3)
    await dispatch.command("/ticker SOL", chat_id=GROUP, user_id=542)
    assert len(telegram.sent_texts(GROUP)) == 2
