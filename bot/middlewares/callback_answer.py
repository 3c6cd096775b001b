"""Every button press is answered exactly once, so the user's spinner always stops.

A handler answers with `answer_query` (usually as its last step). If it returns without
answering, or no handler matched, `CallbackAnswerGuard` answers plainly; if it raised, the
errors router answers through `answer_query` with the failure's text. A second answer for the
same press is dropped here instead of being sent for Telegram to refuse.

aiogram's CallbackAnswerMiddleware is not enough: it only wraps presses a handler matched, and
answers in a `finally`, i.e. also before the error handlers had their say.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, TelegramObject
from loguru import logger


@dataclass
class _Press:
    query_id: str
    answered: bool = False


# The press being handled in this task: visible to the error handlers, which aiogram runs
# further out in the same call chain.
_current: ContextVar[_Press | None] = ContextVar("callback_press", default=None)

# Telegram's wording when the message under a button is gone, too old, or not of the kind the
# edit expects (a forged or stale press): nothing the user can fix but sending the command again.
_GONE = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "there is no text in the message to edit",
    "there is no caption in the message to edit",
    "there is no media in the message to edit",
)


def message_gone(exc: TelegramBadRequest) -> bool:
    text = exc.message.lower()
    return any(phrase in text for phrase in _GONE)


async def answer_query(
    query: CallbackQuery, text: str | None = None, *, show_alert: bool = False
) -> None:
    """Answers the press unless it already was. A refused answer (the press is older than
    Telegram keeps it, a network fault) is worth a warning: the user has moved on."""
    press = _current.get()
    if press is not None and press.query_id == query.id:
        if press.answered:
            return
        press.answered = True
    try:
        await query.answer(text, show_alert=show_alert)
    except TelegramAPIError as exc:
        logger.warning("could not answer a button press: {}: {}", type(exc).__name__, exc.message)


class CallbackAnswerGuard(BaseMiddleware):
    """Outer middleware on the router that holds every button handler (and the catch-all)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        _current.set(_Press(event.id))
        result = await handler(event, data)  # an exception: the errors router answers
        await answer_query(event)
        return result
