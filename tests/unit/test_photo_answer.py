"""answer_with_chart against the fake Bot API: the text is never lost."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardMarkup, Message

from bot.answers import ChartAnswer
from bot.photo import answer_with_chart
from tests.fakes.telegram import FakeTelegram, fixture

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url))
    instance = Bot(telegram.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield instance
    await instance.session.close()


def chart(text: str, caption: str, draw: Callable[[], bytes]) -> ChartAnswer:
    return ChartAnswer(
        text=text,
        caption=caption,
        draw=draw,
        filename="d.png",
        markup=InlineKeyboardMarkup(inline_keyboard=[]),
    )


def incoming(bot: Bot) -> Message:
    message = Message.model_validate(fixture("update_command_private.json")["message"])
    return message.as_(bot)


async def test_short_text_becomes_the_caption(bot: Bot, telegram: FakeTelegram) -> None:
    await answer_with_chart(incoming(bot), chart("<b>walls</b>", "cap", lambda: PNG))
    [photo] = telegram.calls_to("sendPhoto")
    assert photo.params["caption"] == "<b>walls</b>"
    attached = photo.params["photo"].removeprefix("attach://")
    assert photo.params[attached] == "<file>"  # the PNG went as a multipart file
    assert not telegram.calls_to("sendMessage")
    [action] = telegram.calls_to("sendChatAction")
    assert action.params["action"] == "upload_photo"


async def test_long_text_follows_a_short_caption(bot: Bot, telegram: FakeTelegram) -> None:
    text = "line\n" * 300
    await answer_with_chart(incoming(bot), chart(text, "short", lambda: PNG))
    assert telegram.calls_to("sendPhoto")[0].params["caption"] == "short"
    assert telegram.sent_texts() == ["short", text]  # the caption, then the full text


async def test_chart_failure_sends_the_text_alone(bot: Bot, telegram: FakeTelegram) -> None:
    def broken() -> bytes:
        raise RuntimeError("matplotlib exploded")

    await answer_with_chart(incoming(bot), chart("the answer", "cap", broken))
    assert not telegram.calls_to("sendPhoto")
    assert telegram.sent_texts() == ["the answer"]


async def test_a_refused_photo_falls_back_to_the_text(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.fail("sendPhoto", "error_400_caption_too_long.json")
    await answer_with_chart(incoming(bot), chart("the answer", "cap", lambda: PNG))
    assert telegram.sent_texts() == ["the answer"]
