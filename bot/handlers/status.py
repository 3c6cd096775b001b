"""/status."""

from __future__ import annotations

from aiogram.types import Message

from bot.render.status import render_status
from bot.render.view import View
from bot.reply import reply
from services.container import Services


async def status(message: Message, services: Services, view: View) -> None:
    chats = await services.chats.count() if view.is_admin else None
    text = render_status(
        services.status.overall(),
        services.status.snapshot(),
        services.breakers.snapshots(),
        view,
        known_chats=chats,
        jobs=services.job_health() if view.is_admin else None,
    )
    await reply(message, text)
