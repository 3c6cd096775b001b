"""The webhook endpoint: aiogram's SimpleRequestHandler, refusing what is not Telegram plainly.

Anyone can POST to a public webhook URL. aiogram answers a non-ASCII secret header with a 500
(`secrets.compare_digest` refuses non-ASCII text) and a body that is not JSON with a 500 and a
traceback in the log; either would let a stranger fill the log at will. Here they are a 401 and
a 400, and nothing is logged beyond aiohttp's quiet refusal.

At most `in_flight` updates are handled at once (UPDATES_IN_FLIGHT, as polling's bound): past
it, Telegram's request waits for room, so Telegram slows its deliveries (it keeps a few
connections open per webhook, no more) instead of the process growing a task per update. One
that finds no room within ROOM_WAIT_SECONDS gets a 503 and is not handled, nor is one whose
request Telegram gave up on while it waited: Telegram sends those again later, so neither is
handled twice.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from loguru import logger
from pydantic import ValidationError

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ROOM_WAIT_SECONDS = 20.0  # well under the time Telegram waits for a webhook's answer


class WebhookHandler(SimpleRequestHandler):
    def __init__(self, *args: Any, in_flight: int = 500, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._room = asyncio.Semaphore(in_flight)

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        if not self.secret_token:
            return True
        # Telegram's secret is 1-256 of A-Z a-z 0-9 _ -; anything else is not from Telegram.
        if not telegram_secret_token.isascii():
            return False
        return secrets.compare_digest(telegram_secret_token, self.secret_token)

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            return web.Response(text="Unauthorized", status=401)
        try:
            body = await request.json(loads=bot.session.json_loads)
        except ValueError:  # not JSON, or not UTF-8
            return web.Response(text="Bad Request: the body is not JSON", status=400)
        if not isinstance(body, dict):
            return web.Response(text="Bad Request: the body is not an Update object", status=400)
        try:
            update = Update.model_validate(body, context={"bot": bot})
        except ValidationError:
            return web.Response(text="Bad Request: the body is not an Update", status=400)
        if self.handle_in_background:
            try:
                await asyncio.wait_for(self._room.acquire(), ROOM_WAIT_SECONDS)
            except TimeoutError:
                return web.Response(
                    text="Busy: send it again later", status=503, headers={"Retry-After": "1"}
                )
            if request.transport is None or request.transport.is_closing():
                self._room.release()  # Telegram gave up waiting and will send it again
                return web.Response(status=503)
            task = asyncio.create_task(self._feed(bot, update))
            self._background_feed_update_tasks.add(task)
            task.add_done_callback(self._done)
            return web.json_response({}, dumps=bot.session.json_dumps)
        result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(
            bot, update, **self.data
        )
        return web.Response(body=self._build_response_writer(bot=bot, result=result))

    def _done(self, task: asyncio.Task[None]) -> None:
        self._background_feed_update_tasks.discard(task)
        self._room.release()

    async def _feed(self, bot: Bot, update: Update) -> None:
        """As aiogram's background feed, from the Update already checked above."""
        try:
            result: Any = await self.dispatcher.feed_update(bot, update, **self.data)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(bot=bot, result=result)
        except Exception as exc:  # the errors router had its turn; as polling, log and go on
            logger.opt(exception=exc).error(
                "update {} failed: {}", update.update_id, type(exc).__name__
            )
