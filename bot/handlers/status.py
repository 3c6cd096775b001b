"""/status."""

from __future__ import annotations

from aiogram.enums import ChatType
from aiogram.types import Message

from bot.render.status import render_status
from bot.render.view import View
from bot.reply import reply
from bot.telegram_conflict import PollingConflict
from services.container import Services


async def status(
    message: Message, services: Services, view: View, polling: PollingConflict | None = None
) -> None:
    # Breakers, jobs and chats served: a bot admin's, in a private chat, never a group's.
    details = view.is_admin and message.chat.type == ChatType.PRIVATE
    if details:
        await services.seen_chats.flush()  # chats noted a moment ago count too
    chats = await services.chats.count() if details else None
    text = render_status(
        services.status.overall(),
        services.status.snapshot(),
        services.breakers.snapshots(),
        view,
        details=details,
        known_chats=chats,
        jobs=services.job_health() if details else None,
        polling_conflict_since=polling.since if polling is not None else None,
    )
    await reply(message, text)
