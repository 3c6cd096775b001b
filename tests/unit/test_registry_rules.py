"""What the command registry enforces by itself: admin-only entries answer only ADMIN_IDS,
and button presses share the per-user throttle with commands."""

from __future__ import annotations

import time

import pytest

from bot.registry import COMMANDS
from services.market.flags import Flag
from tests.fakes.vendors import FakeVendors
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import ADMIN, USER

ADMINS_ONLY = "Only the bot's admins can do that."


@pytest.mark.parametrize("spec", [c for c in COMMANDS if c.admin_only], ids=lambda c: c.name)
async def test_an_admin_only_command_answers_only_the_admins(
    make_dispatch: MakeDispatch, spec: object
) -> None:
    dispatch = await make_dispatch()
    name = spec.name  # type: ignore[attr-defined]
    await dispatch.command(f"/{name}", chat_id=USER)
    assert dispatch.texts() == [ADMINS_ONLY]
    await dispatch.command(f"/{name}", chat_id=ADMIN)
    assert len(dispatch.texts()) == 2 and dispatch.texts()[-1] != ADMINS_ONLY


async def test_a_forged_flag_button_from_anyone_else_changes_nothing(
    make_dispatch: MakeDispatch,
) -> None:
    dispatch = await make_dispatch()
    await dispatch.press("fl:whale:0", chat_id=USER)
    [answer] = dispatch.answers()
    assert answer.params.get("text") == ADMINS_ONLY
    assert (await dispatch.services.flags.all())[Flag.WHALE] is True


async def test_button_presses_share_the_command_throttle(
    make_dispatch: MakeDispatch, vendors: FakeVendors
) -> None:
    dispatch = await make_dispatch(user_commands_per_minute=3)
    await dispatch.command("/ticker SOL")
    calls = vendors.count("/api/v5/market/tickers")
    for _ in range(3):
        await dispatch.press_button("🔄 Refresh")
    answers = [a.params.get("text") for a in dispatch.answers()]
    assert len(answers) == 3  # every press answered, its spinner stopped
    assert answers[:2] == ["Updated", "Updated"]
    assert "too many commands" in str(answers[2])
    assert vendors.count("/api/v5/market/tickers") <= calls + 2  # the third press asked nobody


async def test_a_module_without_a_switch_cannot_be_switched_even_by_an_admin(
    make_dispatch: MakeDispatch,
) -> None:
    dispatch = await make_dispatch()
    await dispatch.press("fl:ticker:0", chat_id=ADMIN)  # forged: the ticker has no switch
    [answer] = dispatch.answers()
    assert "expired" in str(answer.params.get("text"))
    assert Flag.TICKER not in await dispatch.services.flags.all()


async def test_after_the_wait_it_gave_a_user_is_answered_or_told_again_never_ignored(
    make_dispatch: MakeDispatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notice says when to try again; a command sent after that time, if the window's
    weighting still counts it over the limit, gets a new notice, not silence."""
    dispatch = await make_dispatch(user_commands_per_minute=1)
    await dispatch.command("/help")  # allowed
    await dispatch.command("/help")  # over: the notice
    await dispatch.command("/help")  # over, inside the wait it gave: silence
    assert len(dispatch.texts()) == 2 and "Try again in" in dispatch.texts()[1]
    told = float(dispatch.texts()[1].split("Try again in ")[1].split("s")[0])
    real = time.monotonic
    monkeypatch.setattr("bot.middlewares.throttle.time.monotonic", lambda: real() + told + 1)
    await dispatch.command("/help")  # after the wait it was told, still over the limit
    assert len(dispatch.texts()) == 3 and "Try again in" in dispatch.texts()[2]
