"""/settings through the real dispatcher: typed and from its panel, by a chat's user, a group's
admin (anonymous too), refused to a member, from a private chat for a group without writing
in it, and the group lock that leaves members their reading commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from services.chats.desk import Mode
from services.kernel.alerts import AlertType
from services.storage.chats import ChatInfo
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import GROUP, GROUP_MEMBER, USER, Dispatch

NOT_ADMIN = "Only this group's admins can change its settings."


async def test_settings_typed_in_private_are_kept_and_shown(dispatch: Dispatch) -> None:
    for text in (
        "/settings watchlist sol, $ETH",
        "/settings push bias silent",
        "/settings tz WIB",
        "/settings quiet 23:00-07:00",
        "/settings brief 07:30",
        "/settings whale 2m",
    ):
        await dispatch.command(text)
    desk = await dispatch.services.chat_settings.get(USER)
    assert desk.watchlist == ["SOL", "ETH"]
    assert desk.mode(AlertType.BIAS) is Mode.SILENT
    assert desk.tz == "Asia/Jakarta"
    assert desk.quiet is not None and desk.quiet.text() == "23:00-07:00"
    assert desk.brief is not None and f"{desk.brief:%H:%M}" == "07:30"
    assert desk.whale_min_usd == 2_000_000
    assert all(t.startswith("Done.") for t in dispatch.texts())

    await dispatch.command("/settings")
    panel = dispatch.texts()[-1]
    for shown in ("SOL, ETH", "Asia/Jakarta", "23:00-07:00", "07:30", "$2m", "Bias calls: silent"):
        assert shown in panel, shown
    assert {"Watchlist", "Pushes", "Quiet hours", "Daily brief"} <= set(dispatch.buttons())


async def test_settings_survive_a_new_process(dispatch: Dispatch) -> None:
    """Written at once, not only kept in memory: another replica (or a restart) reads them."""
    await dispatch.command("/settings quiet 22:00-06:00")
    await dispatch.services.chat_settings.forget(USER)
    desk = await dispatch.services.chat_settings.get(USER)
    assert desk.quiet is not None and desk.quiet.text() == "22:00-06:00"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("/settings quiet 25:00-07:00", "HH:MM-HH:MM"),
        ("/settings quiet 07:00-07:00", "HH:MM-HH:MM"),
        ("/settings brief soon", "HH:MM"),
        ("/settings tz Mars/Olympus", "Asia/Jakarta"),
        ("/settings tz ../../etc/passwd", "Asia/Jakarta"),
        ("/settings watchlist PEPE", "SOL"),
        ("/settings whale 5k", "2m"),
        ("/settings whale 500k", "≥ 1m"),  # below the operator's WHALE_MIN_USD
        ("/settings tz Asia", "Asia/Jakarta"),  # a folder of zones, not one
        ("/settings push bias loud", "silent"),
        ("/settings push everything on", "bias on|silent|off"),
        ("/settings nonsense 1", "watchlist"),
        ("/settings tz <b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
    ],
)
async def test_a_bad_value_gets_one_sentence_naming_what_is_allowed(
    dispatch: Dispatch, text: str, says: str
) -> None:
    await dispatch.command(text)
    [answer] = dispatch.texts()
    assert "Use one of:" in answer and says in answer
    assert "<b>x</b>" not in answer
    assert (await dispatch.services.chat_settings.get(USER)).model_dump() == (
        await dispatch.services.chat_settings.get(USER + 1)
    ).model_dump()  # nothing was stored: the settings are a fresh chat's
    assert not dispatch.logs.tracebacks


async def test_a_watchlist_is_held_to_the_operators_limit(make_dispatch: MakeDispatch) -> None:
    dispatch = await make_dispatch(watchlist_max=2)
    await dispatch.command("/settings watchlist SOL ETH BTC")
    assert "≤ 2" in dispatch.texts()[-1]
    assert (await dispatch.services.chat_settings.get(USER)).watchlist is None


async def test_a_group_member_is_refused_its_admin_and_anonymous_admin_are_not(
    dispatch: Dispatch,
) -> None:
    await dispatch.command("/settings quiet 23:00-07:00", chat_id=GROUP)
    assert dispatch.texts() == [NOT_ADMIN]
    assert (await dispatch.services.chat_settings.get(GROUP)).quiet is None

    dispatch.telegram.admins.add((GROUP, GROUP_MEMBER))
    await dispatch.command("/settings quiet 23:00-07:00", chat_id=GROUP)
    assert (await dispatch.services.chat_settings.get(GROUP)).quiet is not None

    group = {"id": GROUP, "title": "SOL Traders", "type": "supergroup"}
    dispatch.telegram.admins.discard((GROUP, GROUP_MEMBER))
    await dispatch.command("/settings brief 07:00", chat_id=GROUP, sender_chat=group)
    assert (await dispatch.services.chat_settings.get(GROUP)).brief is not None


async def test_a_member_pressing_the_groups_panel_changes_nothing(dispatch: Dispatch) -> None:
    await dispatch.command("/settings", chat_id=GROUP)  # anyone may read the panel
    await dispatch.press_button("Quiet hours")
    before = len(dispatch.telegram.calls_to("editMessageText"))
    choices = dispatch.telegram.calls_to("editMessageText")[-1]
    await dispatch.press_button("23:00-07:00", choices)
    assert (await dispatch.services.chat_settings.get(GROUP)).quiet is None
    assert NOT_ADMIN in dispatch.answers()[-1].params.get("text", "")
    assert len(dispatch.telegram.calls_to("editMessageText")) == before


async def test_an_admin_sets_a_group_up_from_a_private_chat_without_writing_in_it(
    dispatch: Dispatch,
) -> None:
    await dispatch.services.chats.seen(ChatInfo(chat_id=GROUP, kind="supergroup", title="SOL"))
    await dispatch.services.chats.seen(ChatInfo(chat_id=-1002, kind="group", title="Not mine"))
    dispatch.telegram.admins.add((GROUP, USER))
    await dispatch.command("/settings")  # in the admin's private chat
    buttons = dispatch.buttons()
    assert "⚙️ SOL" in buttons and "⚙️ Not mine" not in buttons

    await dispatch.press_button("⚙️ SOL")
    panel = [c for c in dispatch.sent() if c.ok][-1]
    assert int(panel.params["chat_id"]) == USER and "SOL" in panel.params["text"]
    await dispatch.press_button("Quiet hours", panel)
    choices = dispatch.telegram.calls_to("editMessageText")[-1]
    await dispatch.press_button("23:00-07:00", choices)

    desk = await dispatch.services.chat_settings.get(GROUP)
    assert desk.quiet is not None and desk.quiet.text() == "23:00-07:00"
    assert dispatch.telegram.sent_texts(GROUP) == []  # the group saw none of it
    assert (await dispatch.services.chat_settings.get(USER)).quiet is None


async def test_a_forged_press_for_someone_elses_group_is_refused(dispatch: Dispatch) -> None:
    await dispatch.press(f"st:{GROUP}:quiet:23.00-07.00")  # from a private chat, not an admin
    assert (await dispatch.services.chat_settings.get(GROUP)).quiet is None
    assert NOT_ADMIN in dispatch.answers()[-1].params.get("text", "")


async def test_the_panel_toggles_a_watchlist_coin(dispatch: Dispatch) -> None:
    await dispatch.command("/settings")
    await dispatch.press_button("Watchlist")
    choices = dispatch.telegram.calls_to("editMessageText")[-1]
    assert "✅ SOL" in dispatch.buttons(choices) and "DOGE" in dispatch.buttons(choices)
    await dispatch.press_button("✅ SOL", choices)
    assert (await dispatch.services.chat_settings.get(USER)).watchlist == ["BTC", "ETH"]
    choices = dispatch.telegram.calls_to("editMessageText")[-1]
    await dispatch.press_button("DOGE", choices)
    assert (await dispatch.services.chat_settings.get(USER)).watchlist == ["BTC", "ETH", "DOGE"]


async def test_a_locked_group_leaves_members_their_reading_commands(dispatch: Dispatch) -> None:
    dispatch.telegram.admins.add((GROUP, 5))
    await dispatch.command("/settings lock", chat_id=GROUP, user_id=5)
    assert (await dispatch.services.chat_settings.get(GROUP)).locked

    await dispatch.command("/alert SOL > 500", chat_id=GROUP)  # a member
    assert "limited members to reading commands" in dispatch.texts()[-1]
    assert await dispatch.services.rules.store.count_live(GROUP) == 0
    await dispatch.command("/help", chat_id=GROUP)  # reading: answered as ever
    assert "/ticker" in dispatch.texts()[-1]

    await dispatch.command("/settings unlock", chat_id=GROUP, user_id=5)
    assert not (await dispatch.services.chat_settings.get(GROUP)).locked


async def test_lock_is_for_groups(dispatch: Dispatch) -> None:
    await dispatch.command("/settings lock")
    assert "for groups" in dispatch.texts()[-1]
    assert not (await dispatch.services.chat_settings.get(USER)).locked


async def test_health_notices_are_the_bot_admins_to_set(dispatch: Dispatch) -> None:
    await dispatch.command("/settings push health off")
    assert "Only the bot's admins" in dispatch.texts()[-1]
    assert (await dispatch.services.chat_settings.get(USER)).mode(AlertType.HEALTH) is Mode.ON


async def test_a_change_to_the_language_answers_in_it(dispatch: Dispatch) -> None:
    await dispatch.command("/settings lang id")
    assert "Bahasa Indonesia" in dispatch.texts()[-1]
    await dispatch.command("/settings")
    assert "Pengaturan" in dispatch.texts()[-1]
    assert "Bahasa: <code>Bahasa Indonesia</code>" in dispatch.texts()[-1]  # named, not "id"


def test_callback_data_fits_telegrams_64_bytes() -> None:
    from bot.settings_keys import MutePress, SettingPress

    longest = SettingPress(chat=-1009999999999999, name="watchlist", value="default").pack()
    assert len(longest.encode()) <= 64
    mute = MutePress(kind="sniper_outcome", coin="AVAX,LINK,DOGE", span="brief").pack()
    assert len(mute.encode()) <= 64
    assert json.dumps(longest)  # plain text


async def test_an_alert_marked_urgent_says_so_and_keeps_its_note(dispatch: Dispatch) -> None:
    await dispatch.command("/alert SOL > 500 urgent take profit")
    [rule] = await dispatch.services.rules.store.live(USER)
    assert rule.spec.urgent and rule.note == "take profit"
    assert "urgent: comes during quiet hours" in dispatch.texts()[-1]
    await dispatch.command("/alert SOL > 600 penting")  # as Indonesian traders type it
    assert all(r.spec.urgent for r in await dispatch.services.rules.store.live(USER))
    await dispatch.command("/alert SOL > 700")
    assert sorted(r.spec.urgent for r in await dispatch.services.rules.store.live(USER)) == [
        False,
        True,
        True,
    ]


async def test_a_chat_that_raises_its_whale_minimum_reads_only_those(
    dispatch: Dispatch,
) -> None:
    await dispatch.command("/whale")
    everyone = dispatch.texts()[-1]
    await dispatch.command("/settings whale 1000m")
    await dispatch.command("/whale")
    raised = dispatch.texts()[-1]
    assert "≥ $1B" in raised and "≥ $1M" in everyone
    assert raised.count("$") < everyone.count("$")  # the smaller whales are left out


async def test_a_group_that_becomes_a_supergroup_keeps_its_settings(dispatch: Dispatch) -> None:
    services = dispatch.services
    dispatch.telegram.admins.add((GROUP, GROUP_MEMBER))
    await dispatch.command("/settings quiet 23:00-07:00", chat_id=GROUP)
    await dispatch.command("/settings push bias silent", chat_id=GROUP)
    new_id = GROUP - 1
    await services.subscriptions.chat_migrated(GROUP, new_id)
    desk = await services.chat_settings.get(new_id)
    assert desk.quiet is not None and desk.mode(AlertType.BIAS) is Mode.SILENT


async def test_a_chat_that_blocked_the_bot_keeps_its_own_alerts_mode(dispatch: Dispatch) -> None:
    services = dispatch.services
    await dispatch.command("/settings push alerts silent")
    await dispatch.command("/subscribe bias")
    await services.subscriptions.chat_gone(USER, "kicked")
    await services.chat_settings.forget(USER)
    desk = await services.chat_settings.get(USER)
    assert desk.mode(AlertType.BIAS) is Mode.OFF  # the operator's pushes stop
    assert desk.mode(AlertType.RULE) is Mode.SILENT  # the chat's own alerts are as it set them


async def test_the_mute_button_mutes_a_coin_for_a_while(dispatch: Dispatch) -> None:
    from bot.settings_keys import MutePress

    await dispatch.press(MutePress(kind="bias", coin="SOL,ETH").pack())
    choices = [c for c in dispatch.sent() if c.ok][-1]
    assert {"🔕 Bias calls · 1h", "🔕 SOL · 4h", "🔕 ETH · 24h"} <= set(dispatch.buttons(choices))
    await dispatch.press_button("🔕 SOL · 4h", choices)
    desk = await dispatch.services.chat_settings.get(USER)
    [mute] = desk.mutes
    assert mute.target == "coin:SOL"
    assert 3.9 * 3600 < (mute.until - datetime.now(UTC)).total_seconds() <= 4 * 3600
    edited = dispatch.telegram.calls_to("editMessageText")[-1]
    assert "Muted: SOL until" in edited.params["text"]


async def test_a_group_member_cannot_mute_the_groups_pushes(dispatch: Dispatch) -> None:
    from bot.settings_keys import MutePress

    await dispatch.press(MutePress(kind="bias", coin="", span="24h").pack(), chat_id=GROUP)
    assert (await dispatch.services.chat_settings.get(GROUP)).mutes == []
    assert NOT_ADMIN in dispatch.answers()[-1].params.get("text", "")
    dispatch.telegram.admins.add((GROUP, GROUP_MEMBER))
    await dispatch.press(MutePress(kind="sniper_edit", coin="", span="24h").pack(), chat_id=GROUP)
    [mute] = (await dispatch.services.chat_settings.get(GROUP)).mutes
    assert mute.target == "kind:sniper"  # an edit's button mutes the maps it edits
