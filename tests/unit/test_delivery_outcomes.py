"""What each answer Telegram gives a send means for the delivery (the sender applies it; the
delivery tests cover the writes). Messages as Telegram words them (tests/fixtures/telegram)."""

from __future__ import annotations

import pytest
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage

from bot.delivery.outcomes import outcome_of
from services.delivery.outcome import (
    Gone,
    Moved,
    Outcome,
    Paused,
    Refused,
    TokenRefused,
    Unsure,
)

SEND = SendMessage(chat_id=-1001873456210, text="alert")


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        # A flood wait is a pause of the whole sender, not a failed try.
        (TelegramRetryAfter(SEND, "Too Many Requests: retry after 7", 7), Paused(7.0)),
        # A revoked token is the bot's problem, never the chat's: nobody is unsubscribed.
        (TelegramUnauthorizedError(SEND, "Unauthorized"), TokenRefused("Unauthorized")),
        (TelegramMigrateToChat(SEND, "group upgraded", -1009876543210), Moved(-1009876543210)),
        (
            TelegramForbiddenError(SEND, "Forbidden: bot was blocked by the user"),
            Gone("forbidden: Forbidden: bot was blocked by the user"),
        ),
        (
            TelegramForbiddenError(SEND, "Forbidden: bot was kicked from the supergroup chat"),
            Gone("forbidden: Forbidden: bot was kicked from the supergroup chat"),
        ),
        (TelegramBadRequest(SEND, "Bad Request: chat not found"), Gone("chat not found")),
        # Sent again it would be refused again: closed, the chat keeps its subscriptions.
        (
            TelegramBadRequest(SEND, "Bad Request: can't parse entities"),
            Refused("Bad Request: can't parse entities"),
        ),
        (TelegramServerError(SEND, "Bad Gateway"), Unsure("Telegram server says - Bad Gateway")),
        (
            TelegramNetworkError(SEND, "Connection reset"),
            Unsure("HTTP Client says - Connection reset"),
        ),
        (TimeoutError(), Unsure("TimeoutError")),
        (TelegramConflictError(SEND, "Conflict"), Unsure("Conflict")),
    ],
    ids=lambda value: type(value).__name__,
)
def test_each_answer_from_telegram_means_one_outcome(
    answer: TelegramAPIError | TimeoutError, outcome: Outcome
) -> None:
    assert outcome_of(answer) == outcome
