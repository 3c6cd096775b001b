"""`python -m bot console`: the bot in a terminal, no Telegram token needed.

The same dispatcher, handlers, middlewares and services as on Telegram, on the real vendors
(OKX needs no key), with a Bot whose session answers every Bot API call here instead of
sending it: texts are printed as plain text, charts saved to files whose paths are printed,
and buttons listed with numbers (type the number to press one). No job runs and nothing is
pushed: it is for trying the commands.

Why a session of our own: aiogram's sessions all speak HTTP to a Bot API; this one is the
smallest seam at which everything above it (handlers, rendering, errors) stays the real code.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageMedia,
    EditMessageText,
    GetMe,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Update

from bot.render.text import html_to_plain
from services.kernel.settings import Settings

CONSOLE_TOKEN = "1:console"  # never sent anywhere: the session below answers every call
USER_ID = CHAT_ID = 10_000  # the person at the terminal, in a private chat with the bot
BOT_USER = {"id": 1, "is_bot": True, "first_name": "Crypto Intel", "username": "console_bot"}


class ConsoleSession(BaseSession):
    """Answers the Bot API calls a command makes by writing to the terminal."""

    def __init__(self, out: Callable[[str], None], images: Path) -> None:
        super().__init__()
        self._out = out
        self._images = images
        self._ids = itertools.count(1)
        self.buttons: list[tuple[str, str]] = []  # (label, callback data), numbered from 1

    async def close(self) -> None:
        return None

    async def stream_content(  # type: ignore[override]
        self, *args: Any, **kwargs: Any
    ) -> Any:
        raise NotImplementedError("the console downloads nothing")

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature; nothing waits here
    ) -> Any:
        if isinstance(method, GetMe):
            return method.__returning__.model_validate(BOT_USER, context={"bot": bot})
        if isinstance(method, SendMessage | EditMessageText):
            self._show(method.text or "", method.reply_markup)
        elif isinstance(method, SendPhoto | EditMessageMedia):
            photo = method.photo if isinstance(method, SendPhoto) else method.media.media
            caption = method.caption if isinstance(method, SendPhoto) else method.media.caption
            self._save(photo)
            self._show(caption or "", method.reply_markup)
        elif isinstance(method, AnswerCallbackQuery) and method.text:
            self._out(f"({method.text})")
        returning = method.__returning__
        if getattr(returning, "__name__", "") == "Message":
            return returning.model_validate(self.next_message(), context={"bot": bot})
        return True  # chat actions, menus, callback answers: nothing to show

    def next_message(self) -> dict[str, Any]:
        """A message as the bot sent it, with the next id (what a press carries back)."""
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": CHAT_ID, "type": "private"},
            "from": BOT_USER,
        }

    def _show(self, text: str, markup: object) -> None:
        self._out(html_to_plain(text))
        self.buttons = []
        if isinstance(markup, InlineKeyboardMarkup):
            for row in markup.inline_keyboard:
                for button in row:
                    if button.callback_data:
                        self.buttons.append((button.text, button.callback_data))
        if self.buttons:
            numbered = "  ".join(f"[{n}] {label}" for n, (label, _) in enumerate(self.buttons, 1))
            self._out(numbered)
        self._out("")

    def _save(self, photo: object) -> None:
        if not isinstance(photo, BufferedInputFile):
            return
        self._images.mkdir(parents=True, exist_ok=True)
        path = self._images / f"{next(self._ids)}-{photo.filename}"
        path.write_bytes(photo.data)
        self._out(f"[image saved: {path}]")


def update_for(line: str, session: ConsoleSession, language: str, number: int) -> dict[str, Any]:
    """A typed line as Telegram would deliver it: a message, or the press of a listed button."""
    user = {"id": USER_ID, "is_bot": False, "first_name": "You", "language_code": language}
    chat = {"id": CHAT_ID, "type": "private", "first_name": "You"}
    if line.isdigit() and 1 <= int(line) <= len(session.buttons):
        _label, data = session.buttons[int(line) - 1]
        message = {**session.next_message(), "text": "…"}
        return {
            "update_id": number,
            "callback_query": {
                "id": str(number),
                "from": user,
                "chat_instance": "console",
                "data": data,
                "message": message,
            },
        }
    body: dict[str, Any] = {
        "message_id": 100_000 + number,
        "date": int(time.time()),
        "chat": chat,
        "from": user,
        "text": line,
    }
    if line.startswith("/"):
        command = line.split()[0]
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": number, "message": body}


async def run_console(settings: Settings, out: Callable[[str], None] = print) -> None:
    from bot.app import make_dispatcher
    from bot.i18n import make_i18n
    from services.container import build_services

    services = build_services(settings)
    i18n = make_i18n(settings.default_locale)
    session = ConsoleSession(out, Path("data") / "console")
    bot = Bot(
        CONSOLE_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    dp = make_dispatcher(settings, services, i18n)
    language = settings.default_locale
    try:
        await services.start()
        out("Type a command such as /ticker SOL (/help lists them); a number presses a button.")
        out("Ctrl+D quits.\n")
        for number in itertools.count(1):
            raw = await asyncio.to_thread(sys.stdin.readline)
            if not raw:
                break  # Ctrl+D, or the end of a piped session
            line = raw.strip()
            if not line:
                continue
            update = Update.model_validate(
                update_for(line, session, language, number), context={"bot": bot}
            )
            await dp.feed_update(bot, update)
    finally:
        await services.aclose()
        await bot.session.close()
