"""Updates other than a typed command: what the bot does with each, and that none raises.

Decided: a command is read from a message's text only. Edited messages, channel posts and a
command in a photo's caption are ignored; service messages are ignored too, except a group's
move to a supergroup (its subscriptions follow it) and the bot's own membership changes.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from aiogram.dispatcher.event.bases import UNHANDLED

from services.kernel.alerts import AlertType
from tests.fakes.telegram import fixture, parse_html
from tests.unit.dispatch import GROUP, USER, Dispatch, message

CHANNEL = -1001555000111
BOT = {"id": 7012345678, "is_bot": True, "first_name": "Crypto Intel", "username": "SomeBot"}
PERSON = {"id": 935217486, "is_bot": False, "first_name": "Marco"}
PHOTO = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}]
COMMAND_ENTITY = [{"offset": 0, "length": 7, "type": "bot_command"}]


def _stored(name: str) -> dict[str, Any]:
    update = fixture(name)
    update.pop("update_id")
    return dict(update)


def channel_post(text: str) -> dict[str, Any]:
    return {
        "message_id": 12,
        "sender_chat": {"id": CHANNEL, "title": "SOL Signals", "type": "channel"},
        "chat": {"id": CHANNEL, "title": "SOL Signals", "type": "channel"},
        "date": 1767261600,
        "text": text,
        "entities": COMMAND_ENTITY,
    }


SERVICE_MESSAGES: dict[str, dict[str, Any]] = {
    "new_chat_members": {"new_chat_members": [PERSON]},
    "the bot added": {"new_chat_members": [BOT]},
    "left_chat_member": {"left_chat_member": PERSON},
    "pinned_message": {"pinned_message": message("/ticker SOL", chat_id=GROUP)},
    "new_chat_title": {"new_chat_title": "SOL Traders 2"},
    "new_chat_photo": {"new_chat_photo": PHOTO},
    "delete_chat_photo": {"delete_chat_photo": True},
    "group_chat_created": {"group_chat_created": True},
    "supergroup_chat_created": {"supergroup_chat_created": True},
    "migrate_from_chat_id": {"migrate_from_chat_id": -4187654321},
    "auto-delete timer": {"message_auto_delete_timer_changed": {"message_auto_delete_time": 86400}},
    "video chat started": {"video_chat_started": {}},
    "a sticker": {
        "sticker": {
            "file_id": "CAAC",
            "file_unique_id": "AgAD",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
}


def assert_quiet(dispatch: Dispatch) -> None:
    assert not dispatch.logs.errors, dispatch.logs.errors
    assert not dispatch.logs.tracebacks, dispatch.logs.tracebacks


async def test_a_typed_command_is_answered(dispatch: Dispatch) -> None:
    """The control: the same command as plain text gets its answer."""
    await dispatch.command("/ticker SOL", chat_id=GROUP)

    [text] = dispatch.texts()
    assert "SOL" in text
    assert_quiet(dispatch)


@pytest.mark.parametrize(
    "update",
    [
        pytest.param(_stored("update_edited_message.json"), id="edited command"),
        pytest.param({"channel_post": channel_post("/ticker SOL")}, id="channel post"),
        pytest.param({"edited_channel_post": channel_post("/alpha")}, id="edited channel post"),
        pytest.param(
            {
                "message": message(
                    None,
                    chat_id=GROUP,
                    photo=PHOTO,
                    caption="/ticker SOL",
                    caption_entities=COMMAND_ENTITY,
                )
            },
            id="command in a photo caption",
        ),
    ],
)
async def test_ignored_without_a_word(dispatch: Dispatch, update: dict[str, Any]) -> None:
    result = await dispatch.feed(update)

    assert result is UNHANDLED
    assert not dispatch.sent()
    assert_quiet(dispatch)


@pytest.mark.parametrize("fields", SERVICE_MESSAGES.values(), ids=SERVICE_MESSAGES.keys())
async def test_service_messages_are_left_alone(dispatch: Dispatch, fields: dict[str, Any]) -> None:
    await dispatch.feed({"message": message(None, chat_id=GROUP, **fields)})

    assert not dispatch.sent()
    assert_quiet(dispatch)


async def test_subscriptions_follow_a_group_to_its_supergroup(dispatch: Dispatch) -> None:
    update = _stored("update_migrate_to_chat_id.json")
    old = update["message"]["chat"]["id"]
    new = update["message"]["migrate_to_chat_id"]
    await dispatch.services.subscriptions.set(old, [AlertType.BIAS], True)

    await dispatch.feed(update)

    assert await dispatch.services.subscriptions.of_chat(new) == [AlertType.BIAS]
    assert await dispatch.services.subscriptions.of_chat(old) == []
    assert not dispatch.sent()
    assert_quiet(dispatch)


async def test_added_to_a_group_the_bot_says_hello_once_in_the_adders_language(
    dispatch: Dispatch,
) -> None:
    added = _stored("update_my_chat_member_added_group.json")
    await dispatch.feed(added)
    [hello] = dispatch.texts()
    assert "/help" in hello and "/subscribe" in hello and "admins" in hello
    parse_html(hello)
    # Telegram repeats news (a retry, a replica): only a join from outside greets.
    again = copy.deepcopy(added)
    again["my_chat_member"]["old_chat_member"]["status"] = "member"
    again["my_chat_member"]["new_chat_member"]["status"] = "member"
    await dispatch.feed(again)
    assert len(dispatch.texts()) == 1
    added["my_chat_member"]["from"]["language_code"] = "id"
    added["my_chat_member"]["chat"]["id"] = -4187650000
    await dispatch.feed(added)
    assert "Halo!" in dispatch.texts()[-1]
    assert_quiet(dispatch)


@pytest.mark.parametrize(
    "name",
    [
        "update_my_chat_member_blocked.json",
        "update_my_chat_member_kicked_supergroup.json",
        "update_my_chat_member_unblocked.json",
        "update_new_chat_members_group.json",
    ],
)
async def test_membership_news_is_taken_quietly(dispatch: Dispatch, name: str) -> None:
    await dispatch.feed(_stored(name))

    assert not dispatch.sent()
    assert_quiet(dispatch)


async def test_a_blocked_bot_stops_pushing_there(dispatch: Dispatch) -> None:
    update = _stored("update_my_chat_member_blocked.json")
    chat_id = update["my_chat_member"]["chat"]["id"]
    await dispatch.services.subscriptions.set(chat_id, [AlertType.BIAS], True)

    await dispatch.feed(update)

    assert await dispatch.services.subscriptions.of_chat(chat_id) == []
    assert chat_id == USER  # the fixture is Rina's private chat
