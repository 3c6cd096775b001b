"""/alert and /alerts: the alerts a chat sets for itself, and the buttons that manage them. In a
group only its admins set and change them (as /subscribe); anyone may read the list."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message

from bot.handlers.permissions import is_chat_admin, may_manage
from bot.handlers.rule_answers import answer_created, edit_created
from bot.keyboards import MapLines, RuleAct, RuleButton, unpack_lines
from bot.middlewares.callback_answer import answer_query
from bot.render.buttons import render_expired_button
from bot.render.rule_errors import render_not_rule_admin, render_rule_error
from bot.render.rule_list import (
    edit_keyboard,
    overview_keyboard,
    render_edit_prompt,
    render_history,
    render_lines_set,
    render_overview,
    render_rule_done,
)
from bot.render.text import html_to_plain
from bot.render.view import View
from bot.reply import quote, reply
from services.kernel.errors import parse_choice
from services.signals.rules.parse import Problem, RuleError
from services.signals.rules.review import RuleReview
from services.signals.rules.service import RuleService

ALERT_LIMIT = 200  # Telegram's limit for a button's pop-up answer


class AlertsView(StrEnum):
    HISTORY = "history"


def _group(chat_type: str) -> bool:
    return chat_type != ChatType.PRIVATE


async def alert(
    message: Message,
    command: CommandObject,
    rules: RuleService,
    rule_review: RuleReview,
    bot: Bot,
    view: View,
) -> None:
    if not await may_manage(bot, message):
        await reply(message, render_not_rule_admin())
        return
    user = message.from_user.id if message.from_user else None
    try:
        created = await rules.create(message.chat.id, user, _group(message.chat.type), command.args)
    except RuleError as error:
        await reply(message, render_rule_error(error, view))
        return
    await answer_created(message, created, rule_review, view)


async def alerts(
    message: Message, command: CommandObject, rule_review: RuleReview, view: View
) -> None:
    if parse_choice(command.args, AlertsView) is AlertsView.HISTORY:
        await reply(message, render_history(await rule_review.history(message.chat.id), view))
        return
    overview = await rule_review.overview(message.chat.id, _group(message.chat.type))
    await reply(message, render_overview(overview, view), overview_keyboard(overview))


async def rule_button(
    query: CallbackQuery,
    callback_data: RuleButton,
    rules: RuleService,
    rule_review: RuleReview,
    bot: Bot,
    view: View,
) -> None:
    message = await _pressable(query, bot, view)
    if message is None:
        return
    try:
        await _act(message, callback_data, rules, rule_review, view)
    except RuleError as error:
        await _refuse(query, render_rule_error(error, view))
        return
    await answer_query(query, render_rule_done(callback_data.act))


async def _pressable(query: CallbackQuery, bot: Bot, view: View) -> Message | None:
    """The message a press on an alert's button is under, when the presser may change this
    chat's alerts; None (the press answered) otherwise."""
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        await _refuse(query, render_rule_error(RuleError(Problem.NOT_FOUND), view))
        return None
    chat = message.chat
    if _group(chat.type) and not await is_chat_admin(bot, chat.id, query.from_user.id, fresh=True):
        await _refuse(query, render_not_rule_admin())
        return None
    return message


async def _refuse(query: CallbackQuery, text: str) -> None:
    await answer_query(query, html_to_plain(text)[:ALERT_LIMIT], show_alert=True)


async def _act(
    message: Message,
    data: RuleButton,
    rules: RuleService,
    review: RuleReview,
    view: View,
) -> None:
    chat, act, group = message.chat.id, data.act, _group(message.chat.type)
    if act is RuleAct.EDIT and data.src == "x":  # the prompt's cancel
        await message.delete()
        return
    if act is RuleAct.EDIT:
        rule = await rules.get(chat, data.rule)
        await message.answer(
            render_edit_prompt(rule, view),
            reply_markup=edit_keyboard(rule),
            reply_parameters=quote(message),
        )
        return
    if act is RuleAct.DELETE:
        await rules.delete(chat, data.rule)
    elif act in (RuleAct.PAUSE, RuleAct.SNOOZE):
        await rules.pause(chat, data.rule, snooze=act is RuleAct.SNOOZE)
    elif act is RuleAct.RESUME:
        await rules.resume(chat, data.rule)
    elif act is RuleAct.REARM:
        await answer_created(message, await rules.again(chat, data.rule, group), review, view)
    elif act is RuleAct.FLIP:
        await edit_created(message, await rules.flip(chat, data.rule, group), review, view)
    elif act is RuleAct.QUIET:
        created = await rules.quieter(chat, data.rule, _threshold(data.value))
        await edit_created(message, created, review, view, dry_run=False)
    if data.src == "l":  # the list it was pressed in shows the change
        overview = await review.overview(chat, group)
        await message.edit_text(
            render_overview(overview, view), reply_markup=overview_keyboard(overview)
        )
    elif act is RuleAct.DELETE and data.src == "c":  # a draft declined
        await message.delete()


def _threshold(value: str) -> Decimal:
    try:
        found = Decimal(value)
    except InvalidOperation:
        raise RuleError(Problem.NOT_FOUND) from None
    if not found.is_finite() or found <= 0:
        raise RuleError(Problem.NOT_FOUND)
    return found


async def map_lines(
    query: CallbackQuery, callback_data: MapLines, rules: RuleService, bot: Bot, view: View
) -> None:
    """ "🔔 Alert me at these lines" under a sniper map: its levels, set as alerts here."""
    message = await _pressable(query, bot, view)
    if message is None:
        return
    group, lines = _group(message.chat.type), unpack_lines(callback_data.lines)
    if not lines:  # forged or garbled: nothing to set
        await answer_query(query, render_expired_button())
        return
    try:
        made = await rules.create_lines(
            message.chat.id, query.from_user.id, group, callback_data.symbol, lines
        )
    except RuleError as error:
        await _refuse(query, render_rule_error(error, view))
        return
    await message.answer(render_lines_set(made, view), reply_parameters=quote(message))
    await answer_query(query)


async def editing(message: Message, bot: Bot) -> bool | dict[str, Any]:
    """A reply to the bot's own edit prompt: the alert its button names."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot.id:
        return False
    markup = replied.reply_markup
    for row in markup.inline_keyboard if markup is not None else []:
        for button in row:
            data = button.callback_data or ""
            if not data.startswith(RuleButton.__prefix__ + RuleButton.__separator__):
                continue
            pressed = RuleButton.unpack(data)
            if pressed.act is RuleAct.EDIT and pressed.src == "x":
                return {"editing": pressed.rule}
    return False


async def edit_reply(
    message: Message,
    editing: int,
    rules: RuleService,
    rule_review: RuleReview,
    bot: Bot,
    view: View,
) -> None:
    if not await may_manage(bot, message):
        await reply(message, render_not_rule_admin())
        return
    try:
        created = await rules.edit(message.chat.id, editing, message.text)
    except RuleError as error:
        await reply(message, render_rule_error(error, view))
        return
    await answer_created(message, created, rule_review, view)
