"""The "typing…" action: shown once for an answer still being built, never repeated, never for
an answer that is only waiting for its turn to be sent (bot/middlewares/typing.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.types import Message

from bot.middlewares.typing import TypingMiddleware, mark_sending
from tests.fakes.telegram import fixture


class ActionsBot:
    def __init__(self) -> None:
        self.actions: list[tuple[int, str]] = []

    async def send_chat_action(self, chat_id: int, action: str, **_: Any) -> bool:
        self.actions.append((chat_id, action))
        return True


def message() -> Message:
    return Message.model_validate(fixture("update_command_private.json")["message"])


async def run(build: float, wait_turn: float) -> list[tuple[int, str]]:
    """A handler that builds its answer for `build` s, then waits `wait_turn` s to send it."""
    bot = ActionsBot()
    flag = {"chat_action": {"action": "typing", "initial_sleep": 0.1}}

    async def handler(_event: Any, _data: dict[str, Any]) -> None:
        await asyncio.sleep(build)
        mark_sending()  # as bot/telegram_pacing.py does when the reply goes to Telegram
        await asyncio.sleep(wait_turn)

    data: dict[str, Any] = {"bot": bot, "handler": type("H", (), {"flags": flag})()}
    await TypingMiddleware()(handler, message(), data)
    return bot.actions


@pytest.mark.slow  # waits past the 4.5 s after which the old middleware repeated the action
async def test_a_slow_answer_then_a_long_wait_for_its_turn_shows_typing_once() -> None:
    assert len(await run(build=0.3, wait_turn=5.0)) == 1


async def test_an_answer_ready_at_once_shows_no_typing_while_it_waits_its_turn() -> None:
    assert await run(build=0.0, wait_turn=0.5) == []


async def test_a_fast_answer_shows_no_typing() -> None:
    assert await run(build=0.02, wait_turn=0.0) == []
