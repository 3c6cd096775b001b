"""/subscribe, /unsubscribe and /lang in process, and membership news from Telegram (a chat
that blocks the bot, a group that migrates). (Was tests/e2e/test_subscriptions_e2e.py.)"""

from __future__ import annotations

from services.kernel.alerts import AlertType
from tests.fakes.telegram import FakeTelegram, fixture
from tests.unit.dispatch import Dispatch

GROUP, MARCO, RINA, GUEST = -1001873456210, 935217486, 428756321, 777000111


async def stored(dispatch: Dispatch, chat_id: int) -> list[AlertType]:
    """The chat's active subscriptions as the database holds them."""
    return await dispatch.services.subscriptions.of_chat(chat_id)


async def test_group_needs_an_admin_and_private_chats_subscribe_themselves(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/subscribe", chat_id=GROUP, user_id=GUEST)
    [refused] = telegram.sent_texts(GROUP)
    assert "Only this group's admins" in refused
    assert await stored(dispatch, GROUP) == []

    telegram.admins.add((GROUP, MARCO))
    await dispatch.command("/subscribe sniper", chat_id=GROUP, user_id=MARCO)
    [_, accepted] = telegram.sent_texts(GROUP)
    assert "SOL sniper entry maps" in accepted
    assert await stored(dispatch, GROUP) == [AlertType.SNIPER]
    assert telegram.calls_to("getChatMember")

    await dispatch.command("/subscribe", chat_id=RINA)
    [mine] = telegram.sent_texts(RINA)
    assert "institutional-bias calls" in mine and "SOL sniper entry maps" in mine
    await dispatch.command("/unsubscribe bias", chat_id=RINA)
    [_, fewer] = telegram.sent_texts(RINA)
    assert "institutional-bias calls" not in fewer
    await dispatch.command("/subscribe weekly", chat_id=RINA)
    [*_, bad] = telegram.sent_texts(RINA)
    assert "weekly" in bad and "bias" in bad and "sniper" in bad


async def test_blocked_chats_are_deactivated_and_migrated_groups_move(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/subscribe", chat_id=RINA)
    assert len(telegram.sent_texts(RINA)) == 1
    old_group, new_group = -4187654321, -1002233445566
    telegram.admins.add((old_group, MARCO))
    basic_group = {"id": old_group, "title": "Alpha Desk", "type": "group"}
    await dispatch.command("/subscribe bias", chat_id=old_group, user_id=MARCO, chat=basic_group)
    assert len(telegram.sent_texts(old_group)) == 1
    assert await stored(dispatch, old_group) == [AlertType.BIAS]

    await dispatch.feed(fixture("update_my_chat_member_blocked.json"))  # Rina blocks the bot
    await dispatch.feed(fixture("update_migrate_to_chat_id.json"))  # the group: a supergroup

    assert await stored(dispatch, RINA) == []
    assert await stored(dispatch, new_group) == [AlertType.BIAS]
    assert await stored(dispatch, old_group) == []
    assert not dispatch.logs.errors


async def test_lang_sets_the_chat_language_for_answers_and_only_admins_change_a_group(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/lang", chat_id=RINA)
    [shown] = telegram.sent_texts(RINA)
    assert "This chat's language: <b>English</b>. (from your Telegram settings)" in shown
    await dispatch.command("/lang ID", chat_id=RINA)  # her Telegram says English
    [_, done] = telegram.sent_texts(RINA)
    assert "Selesai: chat ini sekarang menerima jawaban dan kiriman dalam" in done
    await dispatch.command("/help", chat_id=RINA)
    [*_, help_] = telegram.sent_texts(RINA)
    assert "Bahasa chat ini" in help_  # the /lang line, in Indonesian
    await dispatch.command("/lang fr<b>", chat_id=RINA)
    [*_, refused] = telegram.sent_texts(RINA)
    assert "<code>en</code>, <code>id</code>" in refused and "fr&lt;b&gt;" in refused

    await dispatch.command("/lang id", chat_id=GROUP, user_id=GUEST)
    [not_admin] = telegram.sent_texts(GROUP)
    assert "Only this group's admins can change its language." in not_admin
    telegram.admins.add((GROUP, MARCO))
    await dispatch.command("/lang id", chat_id=GROUP, user_id=MARCO)
    assert len(telegram.sent_texts(GROUP)) == 2
    await dispatch.command("/help", chat_id=GROUP, user_id=GUEST)
    [*_, group_help] = telegram.sent_texts(GROUP)
    assert "Bahasa chat ini" in group_help  # the group's choice beats the guest's English


async def test_subscribing_to_follow_ups_alone_says_they_need_calls(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/subscribe followups", chat_id=851)
    [answer] = telegram.sent_texts(851)
    assert "Follow-ups are replies to pushed calls" in answer and "/subscribe all" in answer
    await dispatch.command("/subscribe bias", chat_id=851)
    assert "Follow-ups are replies" not in telegram.sent_texts(851)[-1]


async def test_start_tells_the_truth_about_the_language_and_how_to_change_it(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/start", chat_id=861)
    [following] = telegram.sent_texts(861)
    assert "Language: English, from your Telegram settings." in following
    assert "<code>/lang id</code> switches this chat to Bahasa Indonesia." in following
    await dispatch.command("/lang id", chat_id=861)
    await dispatch.command("/start", chat_id=861)
    chosen = telegram.sent_texts(861)[-1]
    assert "Bahasa: Bahasa Indonesia, dipilih untuk chat ini dengan /lang." in chosen
    assert "<code>/lang en</code> mengganti chat ini ke English." in chosen
