"""A burst of new users is answered, every one, without an error: the per-chat database work
of a first message (its chosen language, "chat seen") must not queue one connection per
update (SQLAlchemy's pool is 5 + 10 overflow)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.postgres import drop_database, temporary_database
from tests.unit.conftest import MakeDispatch

BURST = 400


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, str]]:
    if request.param == "sqlite":
        yield {}
        return
    base = request.getfixturevalue("database_url")
    url, name = await temporary_database(base, migrated=True)
    yield {"database_url": url}
    await drop_database(base, name)


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_burst_of_new_users_is_answered_without_an_error(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, store: dict[str, str]
) -> None:
    dispatch = await make_dispatch(**store)
    chats = range(700_000, 700_000 + BURST)
    await asyncio.gather(*(dispatch.command("/ticker SOL", chat_id=chat) for chat in chats))
    answers = telegram.sent_texts()
    assert len(answers) == BURST
    wrong = [t for t in answers if "SOL/USDT" not in t]
    assert not wrong, wrong[0]
    assert not dispatch.logs.errors
    await dispatch.services.seen_chats.flush()  # recording may trail the answers, not lose any
    assert await dispatch.services.chats.count() == BURST
