"""Groups done right: answers quote the question, pushes speak the language of the admin who
subscribed the group (until /lang chooses), and /id tells an operator what ADMIN_IDS wants."""

from __future__ import annotations

import json

from tests.fakes.reports import bias_alert
from tests.fakes.telegram import FakeTelegram
from tests.inproc.helpers import sender_for
from tests.unit.dispatch import GROUP, GROUP_MEMBER, USER, Dispatch, message


async def test_an_answer_in_a_group_quotes_the_question_and_in_private_does_not(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.feed({"message": message("/ticker SOL", chat_id=GROUP, message_id=321)})
    await dispatch.feed({"message": message("/ticker SOL", chat_id=USER, message_id=322)})
    [group] = [c for c in telegram.calls_to("sendMessage") if int(c.params["chat_id"]) == GROUP]
    [private] = [c for c in telegram.calls_to("sendMessage") if int(c.params["chat_id"]) == USER]
    quoted = group.params["reply_parameters"]
    quoted = json.loads(quoted) if isinstance(quoted, str) else quoted  # a form field is JSON
    assert quoted["message_id"] == 321 and quoted["allow_sending_without_reply"] is True
    assert "reply_parameters" not in private.params


async def test_a_groups_pushes_speak_the_language_of_the_admin_who_subscribed_it(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    telegram.admins.add((GROUP, GROUP_MEMBER))
    await dispatch.command("/subscribe bias", chat_id=GROUP, language_code="id")
    await dispatch.command("/ticker SOL", chat_id=GROUP, language_code="en")  # a member speaks
    assert "Source: OKX" in telegram.sent_texts(GROUP)[-1]  # answers follow each user
    sender = sender_for(dispatch)
    try:
        await dispatch.services.outbox.publish(*bias_alert("SOL"), [GROUP])
        await sender.drain()
    finally:
        await sender.bot.session.close()
    push = telegram.sent_texts(GROUP)[-1]
    assert "Bias berubah" in push  # the subscribing admin's language, not DEFAULT_LOCALE
    await dispatch.command("/lang en", chat_id=GROUP, language_code="id")
    await dispatch.services.outbox.publish(*bias_alert("BTC"), [GROUP])
    sender = sender_for(dispatch)
    try:
        await sender.drain()
    finally:
        await sender.bot.session.close()
    assert "Bias changed" in telegram.sent_texts(GROUP)[-1]  # /lang wins


async def test_id_tells_the_user_and_the_chat_their_ids(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/id", chat_id=USER)
    await dispatch.command("/ID", chat_id=GROUP)
    [mine] = telegram.sent_texts(USER)
    [group] = telegram.sent_texts(GROUP)
    assert f"<code>{USER}</code>" in mine and "ADMIN_IDS" in mine and "chat's id" not in mine
    assert f"<code>{GROUP_MEMBER}</code>" in group and f"<code>{GROUP}</code>" in group
