"""Telegram's overall limit is per token: replicas book its slots in Redis, so two of them
together keep one gap between sends, and one replica's 429 pauses the other."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.delivery.shared_pacer import SharedPacer
from tests.inproc.helpers import FullLog

GAP = 0.01  # 100 messages/s: the test is short; the spacing is what it checks


@pytest.fixture
async def fleet(redis_url: str) -> AsyncIterator[tuple[SharedPacer, SharedPacer]]:
    token = f"{uuid.uuid4().hex}:test"  # a bot of its own, alone in the shared Redis
    pacers = tuple(SharedPacer(redis_url, token, 1 / GAP, 1000.0, 1000.0) for _ in range(2))
    yield pacers[0], pacers[1]
    for pacer in pacers:
        await pacer.aclose()


async def test_two_replicas_together_keep_one_gap(fleet: tuple[SharedPacer, SharedPacer]) -> None:
    a, b = fleet
    await asyncio.gather(*(p.slot(chat) for p in (a, b) for chat in range(10)))
    slots = sorted(a.booked + b.booked)
    assert len(a.booked) == len(b.booked) == 10
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) >= GAP - 1e-6  # Redis's clock and arithmetic: never two in one gap


async def test_one_replicas_429_pauses_the_other(fleet: tuple[SharedPacer, SharedPacer]) -> None:
    a, b = fleet
    await b.slot(1)
    a.pause(0.3)
    await asyncio.sleep(0.05)  # the pause reaches Redis
    await b.slot(2)
    assert b.booked[1] - b.booked[0] >= 0.3 - 1e-6


async def test_without_redis_each_replica_paces_alone_and_says_so_once(log: FullLog) -> None:
    pacer = SharedPacer("redis://127.0.0.1:1/0", "t:1", 1 / GAP, 1000.0, 1000.0)
    for chat in range(3):
        await pacer.slot(chat)  # answered by the process's own pacing
    await pacer.aclose()
    assert not pacer.booked
    assert sum("pacing is per replica" in line for line in log.lines) == 1


async def test_a_stalled_replica_books_again_instead_of_sending_its_missed_slots_at_once(
    fleet: tuple[SharedPacer, SharedPacer],
) -> None:
    """Slots are booked ahead; a replica whose loop stalls past them must not send them all the
    moment it wakes (beside the other replica's on-time sends, that broke the token's limit)."""
    a, _ = fleet
    went: list[float] = []

    async def send(chat: int) -> None:
        await a.slot(chat)
        went.append(time.monotonic())

    sends = [asyncio.create_task(send(chat)) for chat in range(30)]
    await asyncio.sleep(0.03)  # all 30 booked: slots 10 ms apart, over 0.3 s
    time.sleep(0.25)  # noqa: ASYNC251  (the event loop stalls, as on a busy machine)
    await asyncio.gather(*sends)
    assert a.rebooked > 0
    # At most the sends within the lateness allowed (50 ms: 5 slots) go together, not ~25.
    went.sort()
    together = max(sum(1 for t in went[i:] if t - start < 0.02) for i, start in enumerate(went))
    assert together <= 10, together
