"""In a busy group, the same question asked again within seconds is not answered twice.

Five traders typing `/ticker SOL` in the same ten seconds would get five identical answers,
one under the other. The first is answered; each repeat gets a 👀 reaction, which points at the
answer just above without a message of its own (reactions are not messages, and count against
no send limit). A repeat is the same command (by its registry name, so `/p sol` repeats
`/ticker SOL`), the same arguments and the same answer language. Where the group does not allow
that reaction, the repeat is answered as usual. Only commands whose answer is the same for
everyone carry the flag (not `/id`, not an admin's `/subscribe`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message, ReactionTypeEmoji, TelegramObject
from loguru import logger

MERGE_SECONDS = 10.0
SEEN = "👀"
GROUPS = ("group", "supergroup")


class SameQuestionMiddleware(BaseMiddleware):
    def __init__(
        self,
        canonical: Callable[[str], str | None],
        seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._canonical = canonical
        self._seconds = MERGE_SECONDS if seconds is None else seconds
        self._clock = clock
        self._asked: dict[tuple[int, str], float] = {}  # (chat, question) -> first asked

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if (
            not isinstance(event, Message)
            or event.chat.type not in GROUPS
            or not get_flag(data, "same_answer")
        ):
            return await handler(event, data)
        i18n = data.get("i18n")
        key = (event.chat.id, f"{i18n.current_locale if i18n else ''} {self._question(event)}")
        now = self._clock()
        self._forget(now)
        asked = self._asked.get(key)
        if asked is not None and now - asked < self._seconds:
            try:
                await event.react([ReactionTypeEmoji(emoji=SEEN)])
                return None
            except TelegramAPIError as exc:  # reactions off here: answer as usual
                logger.debug("no reaction in {}: {}", event.chat.id, type(exc).__name__)
        self._asked[key] = now  # before the answer: repeats arriving meanwhile merge too
        return await handler(event, data)

    def _question(self, message: Message) -> str:
        name, _, rest = (message.text or "").partition(" ")
        command = self._canonical(name[1:].split("@")[0]) or name
        return f"{command} {' '.join(rest.upper().split())}"

    def _forget(self, now: float) -> None:
        """Kept only while it can still merge: bounded by the questions of the last seconds."""
        if len(self._asked) > 64:
            self._asked = {k: t for k, t in self._asked.items() if now - t < self._seconds}
