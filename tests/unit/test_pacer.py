"""The delivery pacer on a fake clock: global gap, per-chat and per-group gaps, 429 pause, and
no burst to make up for a stall."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.delivery.pacer import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()

    async def sleep(seconds: float) -> None:
        fake.now += seconds

    monkeypatch.setattr("bot.delivery.pacer.asyncio.sleep", sleep)
    return fake


async def test_messages_are_spaced_globally_and_per_chat(clock: Clock) -> None:
    pacer = Pacer(per_second=25, chat_per_second=1, group_per_minute=20, clock=clock)
    starts = []
    for chat in (1, 2, 3):
        await pacer.slot(chat)
        starts.append(clock.now)
    assert [round(b - a, 3) for a, b in itertools.pairwise(starts)] == [0.04, 0.04]
    assert not pacer.ready(1)  # a private chat waits a second
    assert pacer.soonest([1, 2]) == pytest.approx(1 - 0.08)
    clock.now += 1
    assert pacer.ready(1)


async def test_a_group_gets_one_message_every_three_seconds(clock: Clock) -> None:
    pacer = Pacer(per_second=25, chat_per_second=1, group_per_minute=20, clock=clock)
    await pacer.slot(-100)
    clock.now += 2.9
    assert not pacer.ready(-100)
    clock.now += 0.1
    assert pacer.ready(-100)


async def test_a_429_pauses_every_send_and_a_stall_is_not_made_up_with_a_burst(
    clock: Clock,
) -> None:
    pacer = Pacer(per_second=10, chat_per_second=1, group_per_minute=20, clock=clock)
    await pacer.slot(1)
    pacer.pause(5)
    before = clock.now
    await pacer.slot(2)
    assert clock.now - before == pytest.approx(5)
    clock.now += 30  # a long stall (the database, a GC pause)
    starts = []
    for chat in range(10, 15):
        await pacer.slot(chat)
        starts.append(clock.now)
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(starts)]
    assert gaps[1:] == [0.1, 0.1, 0.1]  # back to the gap at once, not 30 s of catch-up
    assert gaps[0] <= 0.1


async def test_a_chats_replies_queue_for_its_gap_and_share_the_global_one(clock: Clock) -> None:
    pacer = Pacer(per_second=25, chat_per_second=1, group_per_minute=20, clock=clock)
    starts: dict[str, float] = {}

    async def reply(name: str, chat: int) -> None:
        await pacer.turn(chat)
        starts[name] = clock.now

    # Sequential here (the fake clock is shared); turn() reserves before it sleeps, so two
    # replies to one chat never pick the same moment.
    await reply("a1", 1)
    await reply("a2", 1)
    await reply("g1", -100)
    await reply("g2", -100)
    assert starts["a2"] - starts["a1"] == pytest.approx(1.0)  # a private chat: a second apart
    assert starts["g2"] - starts["g1"] == pytest.approx(3.0)  # a group: 20 a minute
    pacer.pause(5)
    before = clock.now
    await reply("b", 2)  # another chat, after a 429: the pause is every send's
    assert starts["b"] - before == pytest.approx(5.0)


async def test_a_reply_waiting_its_turn_survives_the_sender_forgetting_idle_chats() -> None:
    """The sender forgets idle chats while a reply waits on the global gap (a burst): the reply
    still goes out, its chat's gap booked again (it raised KeyError and the user got nothing)."""
    pacer = Pacer(per_second=20, chat_per_second=1000, group_per_minute=20)
    waiting = [asyncio.create_task(pacer.turn(chat)) for chat in range(5)]
    await asyncio.sleep(0.06)  # the first have gone, the rest wait on the 50 ms gap
    pacer.forget_idle()
    assert await asyncio.gather(*waiting) == [None] * 5  # a forgotten chat raised KeyError
