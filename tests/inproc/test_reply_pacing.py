"""Replies paced to Telegram: a burst of users under Telegram's own limit is answered in full,
delayed rather than refused, with no 429 storm and no error; a 429 pauses every send."""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.unit.conftest import MakeDispatch

USERS = 60


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_burst_is_answered_at_telegrams_pace_without_429s_or_errors(
    make_dispatch: MakeDispatch, telegram: FakeTelegram
) -> None:
    telegram.send_limit_per_second = 30  # Telegram's own: ~30 messages a second per token
    dispatch = await make_dispatch(
        telegram_global_per_second=25, telegram_chat_per_second=1, telegram_group_per_minute=20
    )
    users = range(810_000, 810_000 + USERS)
    burst = [dispatch.command("/ticker SOL", chat_id=u) for u in users]
    burst += [dispatch.command("/ticker SOL", chat_id=810_000) for _ in range(2)]  # one asks 3x
    await asyncio.gather(*burst)
    answered = telegram.sent_texts()
    assert len(answered) == USERS + 2  # every question answered, the repeater's too
    assert all("SOL/USDT" in text for text in answered)
    assert telegram.rate_limited == 0  # paced: Telegram never had to refuse one
    assert not dispatch.logs.errors
