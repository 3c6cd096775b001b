"""Telegram's refusal of a send, read as a delivery outcome (services/delivery/outcome.py)."""

from __future__ import annotations

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from services.delivery.outcome import (
    Gone,
    Moved,
    Outcome,
    Paused,
    Refused,
    TokenRefused,
    Unsure,
)

# What a send can raise that is Telegram's answer rather than a bug of ours.
ANSWERS = (TelegramAPIError, TimeoutError)


def outcome_of(exc: TelegramAPIError | TimeoutError) -> Outcome:
    match exc:
        case TelegramRetryAfter():
            return Paused(float(exc.retry_after))
        case TelegramUnauthorizedError():
            return TokenRefused(exc.message)
        case TelegramMigrateToChat():
            return Moved(exc.migrate_to_chat_id)
        case TelegramForbiddenError():  # blocked by the user, removed from the group
            return Gone(f"forbidden: {exc.message}")
        case TelegramBadRequest() if "chat not found" in exc.message.lower():
            return Gone("chat not found")
        case TelegramBadRequest():
            return Refused(exc.message)
        case TelegramNetworkError() | TelegramServerError() | TimeoutError():
            return Unsure(str(exc) or type(exc).__name__)
        case _:  # whatever else Telegram may say: worth another try, a bounded number of times
            return Unsure(exc.message)
