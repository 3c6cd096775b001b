"""Keeps aiogram's parsed-response classes alive for the life of the session.

aiogram builds `Response[Message]` (a pydantic generic) for every Bot API answer; pydantic
caches generic classes in a WeakValueDictionary, so once an answer is parsed the class is
collected and the next answer builds it again: a model class built per sendMessage, ~3 % of
the CPU of a cached /ticker. Holding one reference per method type keeps the cache's entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

if TYPE_CHECKING:
    from aiogram import Bot


class KeepResponseTypes(BaseRequestMiddleware):
    def __init__(self) -> None:
        self._kept: dict[type, Any] = {}  # one per Bot API method the bot calls: a few dozen

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._kept:
            self._kept[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)
