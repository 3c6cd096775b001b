"""What a cached answer must not cost: a worker-thread hop per update, or rebuilding the class
aiogram parses every Bot API answer with."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from aiogram.methods.base import Response
from aiogram.types import Message
from sqlalchemy import event

from tests.fakes.telegram import FakeTelegram, fixture
from tests.unit.dispatch import Dispatch


async def test_no_update_is_checked_in_a_worker_thread(
    dispatch: Dispatch, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    hops: list[Callable[..., Any]] = []
    real = asyncio.to_thread

    async def counted(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    await dispatch.command("/ticker SOL", chat_id=71)  # a command
    await dispatch.command("bitcoin", chat_id=72)  # a private chat's plain text
    await dispatch.feed(fixture("update_migrate_to_chat_id.json"))  # a group's migration
    assert len(telegram.sent_texts(71)) == 1 and len(telegram.sent_texts(72)) == 1
    # The vendor budget's in-process moving window (limits) expires its few vendor keys in a
    # thread: per vendor, not per update, and only after a vendor call.
    assert [f for f in hops if not getattr(f, "__module__", "").startswith("limits.")] == []


async def test_the_class_that_parses_answers_outlives_one_answer(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/help", chat_id=73)
    assert telegram.sent_texts(73)
    kept = weakref.ref(Response[Message])  # the class the answer was parsed with, if kept
    gc.collect()
    assert kept() is not None  # else the next sendMessage builds a model class again


async def test_a_known_chats_cached_answer_asks_the_database_nothing(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.split()[0])

    await dispatch.command("/ticker SOL", chat_id=74)  # a new chat: recorded, language read
    await dispatch.services.seen_chats.flush()
    engine = dispatch.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            await dispatch.command("/ticker SOL", chat_id=74)
        await asyncio.sleep(0.05)  # anything deferred would run now
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(telegram.sent_texts(74)) == 4
    assert statements == []
