"""The bot against the Bot API, in process: /help from the registry, a 429 waited out, a blocked
chat that stops nothing, "typing" only for slow answers. (Was in tests/e2e/test_telegram_e2e.py;
the token exits stay there.)"""

from __future__ import annotations

import pytest

from bot.registry import COMMANDS
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.inproc.helpers import FullLog
from tests.unit.dispatch import ADMIN, Dispatch


async def test_help_is_generated_from_the_registry(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/help", chat_id=11)
    await dispatch.command("/help", chat_id=ADMIN)  # ADMIN is in ADMIN_IDS
    [public] = telegram.sent_texts(11)
    [admin] = telegram.sent_texts(ADMIN)
    for spec in COMMANDS:
        assert f"/{spec.name}" in admin
        assert (f"/{spec.name}" in public) is not spec.admin_only


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_telegram_429_is_waited_out_and_the_answer_still_arrives(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    telegram.fail("sendMessage", "error_429.json", retry_after=1, chat_id=21)
    await dispatch.command("/ticker SOL", chat_id=21)
    [text] = telegram.sent_texts(21)
    assert "142.35" in text
    attempts = [c for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == "21"]
    assert [c.ok for c in attempts] == [False, True]
    assert attempts[1].at - attempts[0].at >= 1.0  # it waited retry_after before retrying


async def test_blocked_chat_403_does_not_stop_the_bot(
    dispatch: Dispatch, telegram: FakeTelegram, log: FullLog
) -> None:
    telegram.fail("sendMessage", "error_403_blocked.json", chat_id=31, times=5)
    await dispatch.command("/ticker SOL", chat_id=31)  # raises if anything escaped
    assert any(
        c.params.get("chat_id") == "31" and not c.ok for c in telegram.calls_to("sendMessage")
    )
    await dispatch.command("/ticker SOL", chat_id=32)
    [text] = telegram.sent_texts(32)
    assert "142.35" in text
    assert "bot was blocked" in log
    # A chat that blocked the bot is not an error of ours: one warning, no traceback.
    assert not dispatch.logs.errors and not dispatch.logs.tracebacks
    assert any("could not answer chat 31" in w.message for w in dispatch.logs.warnings)


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_typing_is_shown_only_while_a_slow_answer_is_built(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await dispatch.command("/help", chat_id=61)  # instant: no typing
    vendors.latency = 1.2  # every vendor answer now takes over a second
    await dispatch.command("/sentiment", chat_id=62)
    assert len(telegram.sent_texts(62)) == 1
    actions = {
        (c.params["chat_id"], c.params["action"]) for c in telegram.calls_to("sendChatAction")
    }
    assert ("62", "typing") in actions
    assert not [a for a in actions if a[0] == "61"]


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_refused_chat_action_never_holds_back_or_spoils_the_answer(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    telegram.fail("sendChatAction", "error_403_kicked_group.json", times=5)
    vendors.latency = 1.2  # slow enough for "typing" to be tried
    await dispatch.command("/sentiment", chat_id=63)
    assert telegram.calls_to("sendChatAction", ok=False)  # it was tried and refused
    [text] = telegram.sent_texts(63)
    assert "Sentiment" in text or "sentiment" in text
    assert not dispatch.logs.errors and not dispatch.logs.tracebacks
