"""The one handler of every command in the query registry (bot/queries.py): read the words by
the query's parameters, ask what the endpoint asks, render its model, answer. Symbol, argument
and data errors are answered by bot/handlers/errors.py as for any command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.queries import Query
from bot.render.view import View
from bot.reply import reply
from services.container import Services


def query_command(query: Query) -> Callable[..., Awaitable[None]]:
    async def handle(
        message: Message, command: CommandObject, services: Services, view: View
    ) -> None:
        model = await query.call(query.chat_args(command.args), services)
        await reply(message, query.render(model, view))

    return handle
