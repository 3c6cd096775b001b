"""Turns typed failures from any handler into a clear answer; nothing reaches the user raw."""

from __future__ import annotations

from aiogram import Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message
from loguru import logger

from bot.handlers.permissions import AdminCheckError
from bot.middlewares.callback_answer import answer_query, message_gone
from bot.render.buttons import render_expired_button
from bot.render.errors import (
    render_argument_error,
    render_disabled,
    render_internal_error,
    render_storage_unavailable,
    render_symbol_error,
    render_unavailable,
)
from bot.render.options import render_no_options
from bot.render.permissions import render_admin_check_failed
from bot.render.text import html_to_plain
from bot.reply import reply
from services.kernel.errors import ArgumentError, DataUnavailableError, SymbolError
from services.market.flags import ModuleDisabledError
from services.market.options.service import NoOptionsError
from services.storage.errors import StorageUnavailableError

ALERT_LIMIT = 200  # Telegram's limit for a callback answer


def _message(event: ErrorEvent) -> Message | None:
    return event.update.message


async def _tell(event: ErrorEvent, text: str) -> None:
    """A reply under a command; an alert on a button press (its message stays as it was).
    A chat that blocked the bot, or a Bot API that keeps failing, cannot be told: that is one
    warning line, not a second error with a traceback on top of the first."""
    try:
        if event.update.message is not None:
            await reply(event.update.message, text)
        elif event.update.callback_query is not None:
            alert = html_to_plain(text)[:ALERT_LIMIT]
            await answer_query(event.update.callback_query, alert, show_alert=True)
    except TelegramAPIError as exc:
        logger.warning("could not tell the user: {}", type(exc).__name__)


def _command(message: Message) -> str:
    text = message.text or ""
    return text.split()[0].lstrip("/").split("@")[0].lower() if text.startswith("/") else "ticker"


async def on_symbol_error(event: ErrorEvent) -> None:
    message = _message(event)
    if isinstance(event.exception, SymbolError):
        command = _command(message) if message is not None else "ticker"
        await _tell(event, render_symbol_error(event.exception, command))


async def on_argument_error(event: ErrorEvent) -> None:
    if isinstance(event.exception, ArgumentError):
        await _tell(event, render_argument_error(event.exception))


async def on_disabled(event: ErrorEvent) -> None:
    if isinstance(event.exception, ModuleDisabledError):
        await _tell(event, render_disabled(event.exception))


async def on_no_options(event: ErrorEvent) -> None:
    if isinstance(event.exception, NoOptionsError):
        await _tell(event, render_no_options(event.exception))


async def on_unavailable(event: ErrorEvent) -> None:
    if isinstance(event.exception, DataUnavailableError):
        logger.warning("{}", event.exception)
        await _tell(event, render_unavailable(event.exception))


def _button_on_gone_message(event: ErrorEvent) -> bool:
    return (
        event.update.callback_query is not None
        and isinstance(event.exception, TelegramBadRequest)
        and message_gone(event.exception)
    )


async def on_button_message_gone(event: ErrorEvent) -> None:
    """A button under a message Telegram no longer lets us edit (deleted, too old, or a forged
    press on a message of another kind): the user's answer is to send the command again."""
    if isinstance(event.exception, TelegramBadRequest):
        logger.info("button press on an uneditable message: {}", event.exception.message)
    await _tell(event, render_expired_button())


async def on_admin_check_failed(event: ErrorEvent) -> None:
    await _tell(event, render_admin_check_failed())


async def on_storage_unavailable(event: ErrorEvent) -> None:
    """The database refused, hung or is full: a plain sentence, no apology for a bug."""
    if isinstance(event.exception, StorageUnavailableError):
        logger.warning(
            "update {}: storage unavailable ({})", event.update.update_id, event.exception.detail
        )
        await _tell(event, render_storage_unavailable(event.exception.writing))


async def on_chat_gone(event: ErrorEvent) -> None:
    """The answer could not reach the chat: the user blocked the bot, or it was removed from the
    group. Nothing is broken and nobody is left to tell: one warning line."""
    chat = event.update.event.chat.id if isinstance(event.update.event, Message) else None
    logger.warning(
        "could not answer chat {}: {}", chat, getattr(event.exception, "message", "forbidden")
    )


def _chat_of(event: ErrorEvent) -> int | None:
    update = event.update
    if update.message is not None:
        return update.message.chat.id
    query = update.callback_query
    if query is not None:
        return query.message.chat.id if query.message is not None else query.from_user.id
    return None


async def on_telegram_gave_up(event: ErrorEvent) -> None:
    """Telegram would not take the answer: its edge kept failing past the retries' minute, or
    its flood wait outlasted what a reply may wait. One line with the chat and the reason;
    nobody is told (that would meet the same Telegram) and it is no bug of ours."""
    exc = event.exception
    if isinstance(exc, TelegramRetryAfter):
        why = f"Telegram asked us to wait {exc.retry_after}s more"
    elif isinstance(exc, TelegramServerError):
        why = f"Telegram kept failing ({exc.message})"
    else:
        why = f"Telegram could not be reached ({type(exc).__name__})"
    logger.warning("reply to chat {} given up: {}", _chat_of(event), why)


async def on_any_error(event: ErrorEvent) -> None:
    logger.opt(exception=event.exception).error(
        "unhandled error in update {}: {}",
        event.update.update_id,
        type(event.exception).__name__,
    )
    try:
        await _tell(event, render_internal_error())
    except Exception as exc:  # the apology itself failed: already logged above
        logger.warning("could not send the error notice: {}", type(exc).__name__)


def errors_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_symbol_error, ExceptionTypeFilter(SymbolError))
    router.errors.register(on_argument_error, ExceptionTypeFilter(ArgumentError))
    router.errors.register(on_disabled, ExceptionTypeFilter(ModuleDisabledError))
    router.errors.register(on_no_options, ExceptionTypeFilter(NoOptionsError))
    router.errors.register(on_unavailable, ExceptionTypeFilter(DataUnavailableError))
    router.errors.register(on_storage_unavailable, ExceptionTypeFilter(StorageUnavailableError))
    router.errors.register(on_admin_check_failed, ExceptionTypeFilter(AdminCheckError))
    router.errors.register(
        on_button_message_gone, ExceptionTypeFilter(TelegramBadRequest), _button_on_gone_message
    )
    router.errors.register(on_chat_gone, ExceptionTypeFilter(TelegramForbiddenError))
    router.errors.register(
        on_telegram_gave_up,
        ExceptionTypeFilter(TelegramServerError, TelegramNetworkError, TelegramRetryAfter),
    )
    router.errors.register(on_any_error)
    return router
