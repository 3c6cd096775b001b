"""/subscribe and /unsubscribe end to end, and membership news from Telegram."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from services.chats.subscriptions import AlertKind, SubscriptionService
from services.storage.db import Database
from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram, fixture

GROUP, MARCO, RINA, GUEST = -1001873456210, 935217486, 428756321, 777000111


async def stored(workdir: Path, chat_id: int) -> list[AlertKind]:
    db = Database(f"sqlite+aiosqlite:///{workdir}/bot.db")
    kinds = await SubscriptionService(db).of_chat(chat_id)
    await db.close()
    return kinds


async def test_group_needs_an_admin_and_private_chats_subscribe_themselves(
    start_bot: StartBot, telegram: FakeTelegram, tmp_path: Path
) -> None:
    await start_bot()
    telegram.push_command("/subscribe", chat_id=GROUP, user_id=GUEST, chat_type="supergroup")
    [refused] = await telegram.wait_for_messages(1, chat_id=GROUP)
    assert "Only this group's admins" in refused
    assert await stored(tmp_path, GROUP) == []

    telegram.admins.add((GROUP, MARCO))
    telegram.push_command("/subscribe sniper", chat_id=GROUP, user_id=MARCO, chat_type="supergroup")
    [_, accepted] = await telegram.wait_for_messages(2, chat_id=GROUP)
    assert "SOL sniper entry maps" in accepted
    assert await stored(tmp_path, GROUP) == [AlertKind.SNIPER]
    assert telegram.calls_to("getChatMember")

    telegram.push_command("/subscribe", chat_id=RINA)
    [mine] = await telegram.wait_for_messages(1, chat_id=RINA)
    assert "institutional-bias calls" in mine and "SOL sniper entry maps" in mine
    telegram.push_command("/unsubscribe bias", chat_id=RINA)
    [_, fewer] = await telegram.wait_for_messages(2, chat_id=RINA)
    assert "institutional-bias calls" not in fewer
    telegram.push_command("/subscribe weekly", chat_id=RINA)
    [*_, bad] = await telegram.wait_for_messages(3, chat_id=RINA)
    assert "weekly" in bad and "bias" in bad and "sniper" in bad


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition never held")
        await asyncio.sleep(0.1)


async def test_blocked_chats_are_deactivated_and_migrated_groups_move(
    start_bot: StartBot, telegram: FakeTelegram, tmp_path: Path
) -> None:
    await start_bot()
    telegram.push_command("/subscribe", chat_id=RINA)
    await telegram.wait_for_messages(1, chat_id=RINA)
    old_group, new_group = -4187654321, -1002233445566
    telegram.admins.add((old_group, MARCO))
    telegram.push_command("/subscribe bias", chat_id=old_group, user_id=MARCO, chat_type="group")
    await telegram.wait_for_messages(1, chat_id=old_group)

    telegram.push(fixture("update_my_chat_member_blocked.json"))  # Rina blocks the bot
    telegram.push(fixture("update_migrate_to_chat_id.json"))  # the group becomes a supergroup

    async def settled() -> bool:
        return await stored(tmp_path, RINA) == [] and bool(await stored(tmp_path, new_group))

    await eventually(settled)
    assert await stored(tmp_path, new_group) == [AlertKind.BIAS]
    assert await stored(tmp_path, old_group) == []


async def test_lang_sets_the_chat_language_for_answers_and_only_admins_change_a_group(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    telegram.push_command("/lang", chat_id=RINA)
    [shown] = await telegram.wait_for_messages(1, chat_id=RINA)
    assert "This chat's language: <b>English</b>. (from your Telegram settings)" in shown
    telegram.push_command("/lang ID", chat_id=RINA)  # her Telegram says English
    [_, done] = await telegram.wait_for_messages(2, chat_id=RINA)
    assert "Selesai: chat ini sekarang menerima jawaban dan push dalam" in done
    telegram.push_command("/help", chat_id=RINA)
    [*_, help_] = await telegram.wait_for_messages(3, chat_id=RINA)
    assert "Bahasa chat ini" in help_  # the /lang line, in Indonesian
    telegram.push_command("/lang fr<b>", chat_id=RINA)
    [*_, refused] = await telegram.wait_for_messages(4, chat_id=RINA)
    assert "<code>en</code>, <code>id</code>" in refused and "fr&lt;b&gt;" in refused

    telegram.push_command("/lang id", chat_id=GROUP, user_id=GUEST, chat_type="supergroup")
    [not_admin] = await telegram.wait_for_messages(1, chat_id=GROUP)
    assert "Only this group's admins can change its language." in not_admin
    telegram.admins.add((GROUP, MARCO))
    telegram.push_command("/lang id", chat_id=GROUP, user_id=MARCO, chat_type="supergroup")
    await telegram.wait_for_messages(2, chat_id=GROUP)
    telegram.push_command("/help", chat_id=GROUP, user_id=GUEST, chat_type="supergroup")
    [*_, group_help] = await telegram.wait_for_messages(3, chat_id=GROUP)
    assert "Bahasa chat ini" in group_help  # the group's choice beats the guest's English
