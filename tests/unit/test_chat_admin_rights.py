"""Only a group's admins change its pushes and language, judged by Telegram at the moment of
the change: a demoted admin is refused at once, and a failed check refuses plainly."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import GetChatMember

from bot.handlers.permissions import is_chat_admin
from services.kernel.alerts import AlertType
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import GROUP, GROUP_MEMBER, USER, Dispatch, member_update

NOT_ADMIN_PUSHES = "Only this group's admins can change its pushes."
NOT_ADMIN_LANGUAGE = "Only this group's admins can change its language."
CHECK_FAILED = (
    "I couldn't check with Telegram whether you are an admin of this group, so nothing was "
    "changed. Please try again in a moment."
)


def assert_quiet(dispatch: Dispatch) -> None:
    assert not dispatch.logs.errors, dispatch.logs.errors
    assert not dispatch.logs.tracebacks, dispatch.logs.tracebacks


def asked(dispatch: Dispatch) -> int:
    return len(dispatch.telegram.calls_to("getChatMember"))


async def test_a_demoted_admin_is_refused_at_once(dispatch: Dispatch) -> None:
    dispatch.telegram.admins.add((GROUP, GROUP_MEMBER))
    await dispatch.command("/subscribe bias", chat_id=GROUP)
    assert await dispatch.services.subscriptions.of_chat(GROUP) == [AlertType.BIAS]

    dispatch.telegram.admins.discard((GROUP, GROUP_MEMBER))  # demoted a second later
    await dispatch.command("/unsubscribe", chat_id=GROUP)
    await dispatch.command("/lang id", chat_id=GROUP)

    assert dispatch.texts()[1:] == [NOT_ADMIN_PUSHES, NOT_ADMIN_LANGUAGE]
    assert await dispatch.services.subscriptions.of_chat(GROUP) == [AlertType.BIAS]
    assert (await dispatch.services.chat_settings.get(GROUP)).language is None
    assert asked(dispatch) == 3  # every change asked Telegram, none trusted the cache
    assert_quiet(dispatch)


async def test_a_promoted_member_may_change_at_once(dispatch: Dispatch) -> None:
    await dispatch.command("/subscribe", chat_id=GROUP)
    dispatch.telegram.admins.add((GROUP, GROUP_MEMBER))
    await dispatch.command("/subscribe sniper", chat_id=GROUP)

    assert dispatch.texts()[0] == NOT_ADMIN_PUSHES
    assert await dispatch.services.subscriptions.of_chat(GROUP) == [AlertType.SNIPER]


async def test_in_private_the_user_decides_without_asking_telegram(dispatch: Dispatch) -> None:
    await dispatch.command("/subscribe bias", chat_id=USER)
    await dispatch.command("/lang id", chat_id=USER)

    assert await dispatch.services.subscriptions.of_chat(USER) == [AlertType.BIAS]
    assert (await dispatch.services.chat_settings.get(USER)).language == "id"
    assert asked(dispatch) == 0


async def test_an_anonymous_admin_may_change_a_channel_may_not(dispatch: Dispatch) -> None:
    group = {"id": GROUP, "title": "SOL Traders", "type": "supergroup"}
    channel = {"id": -1001555000111, "title": "SOL Signals", "type": "channel"}
    await dispatch.command("/subscribe bias", chat_id=GROUP, sender_chat=group)
    await dispatch.command("/unsubscribe", chat_id=GROUP, sender_chat=channel)

    assert await dispatch.services.subscriptions.of_chat(GROUP) == [AlertType.BIAS]
    assert dispatch.texts()[-1] == NOT_ADMIN_PUSHES
    assert asked(dispatch) == 0


async def _network_down(*args: Any, **kwargs: Any) -> Any:
    raise TelegramNetworkError(GetChatMember(chat_id=GROUP, user_id=GROUP_MEMBER), "timeout")


@pytest.mark.parametrize("fault", ["400", "500", "network"])
@pytest.mark.parametrize(
    "text", ["/subscribe bias", "/unsubscribe", "/lang id"], ids=["subscribe", "unsub", "lang"]
)
async def test_a_failed_check_refuses_plainly(
    make_dispatch: MakeDispatch, monkeypatch: pytest.MonkeyPatch, fault: str, text: str
) -> None:
    dispatch = await make_dispatch(telegram_retry_max=0)  # a 5xx is final at once
    dispatch.telegram.admins.add((GROUP, GROUP_MEMBER))
    await dispatch.services.subscriptions.set(GROUP, [AlertType.SNIPER], True)
    if fault == "400":
        dispatch.refuse("getChatMember", "Bad Request: chat not found")
    elif fault == "500":
        dispatch.refuse("getChatMember", "Internal Server Error", code=500)
    else:
        monkeypatch.setattr(dispatch.bot, "get_chat_member", _network_down)

    await dispatch.command(text, chat_id=GROUP)

    assert dispatch.texts() == [CHECK_FAILED]
    assert await dispatch.services.subscriptions.of_chat(GROUP) == [AlertType.SNIPER]
    assert (await dispatch.services.chat_settings.get(GROUP)).language is None
    assert_quiet(dispatch)
    assert any("getChatMember failed" in w.message for w in dispatch.logs.warnings)


async def test_telegram_news_of_a_demotion_drops_the_cached_answer(dispatch: Dispatch) -> None:
    """Reads may use the minute-long cache; a `chat_member` update ends it for that member."""
    dispatch.telegram.admins.add((GROUP, GROUP_MEMBER))
    assert await is_chat_admin(dispatch.bot, GROUP, GROUP_MEMBER, fresh=False)
    dispatch.telegram.admins.discard((GROUP, GROUP_MEMBER))
    assert await is_chat_admin(dispatch.bot, GROUP, GROUP_MEMBER, fresh=False)  # cached
    assert asked(dispatch) == 1

    await dispatch.feed(member_update(GROUP, GROUP_MEMBER, "administrator", "member"))

    assert not await is_chat_admin(dispatch.bot, GROUP, GROUP_MEMBER, fresh=False)
    assert asked(dispatch) == 2
    assert_quiet(dispatch)


async def test_the_bots_own_membership_news_drops_the_chats_answers(dispatch: Dispatch) -> None:
    dispatch.telegram.admins.add((GROUP, GROUP_MEMBER))
    assert await is_chat_admin(dispatch.bot, GROUP, GROUP_MEMBER, fresh=False)
    dispatch.telegram.admins.discard((GROUP, GROUP_MEMBER))

    await dispatch.feed(
        member_update(GROUP, 7012345678, "administrator", "member", kind="my_chat_member")
    )

    assert not await is_chat_admin(dispatch.bot, GROUP, GROUP_MEMBER, fresh=False)
    assert_quiet(dispatch)


async def test_a_fresh_check_refreshes_what_reads_see(dispatch: Dispatch) -> None:
    dispatch.telegram.admins.add((GROUP, GROUP_MEMBER))
    assert await is_chat_admin(dispatch.bot, GROUP, GROUP_MEMBER, fresh=False)
    dispatch.telegram.admins.discard((GROUP, GROUP_MEMBER))

    await dispatch.command("/subscribe", chat_id=GROUP)  # a write: asks, and is refused

    assert not await is_chat_admin(dispatch.bot, GROUP, GROUP_MEMBER, fresh=False)
    assert asked(dispatch) == 2
