"""The answer to an alert set (or set again, edited, flipped): its confirmation, with the
dry-run under it when that is counted within the chat's deadline, or "still counting" and
the message edited when it is. A dry-run that cannot read OKX's past prices says so; the
alert is set either way."""

from __future__ import annotations

import asyncio

from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup, Message
from loguru import logger

from bot.render.rule_list import (
    created_keyboard,
    dry_run_keyboard,
    render_created,
    render_dry_counting,
    render_dry_failed,
    render_dry_run,
)
from bot.render.view import View
from bot.reply import quote
from services.kernel.deadline import remaining, unbounded
from services.kernel.errors import SymbolError, UpstreamError
from services.market.flags import ModuleDisabledError
from services.signals.rules.dryrun import DryRun
from services.signals.rules.review import RuleReview
from services.signals.rules.service import Created

DRY_RUN_LIMIT = 60.0  # a dry-run still counting after this is given up (logged)
ANSWER_RESERVE = 0.5  # kept back from the chat's deadline for the reply itself
_counting: set[asyncio.Task[None]] = set()  # dry-runs finishing after their answer went out


async def answer_created(
    message: Message, created: Created, review: RuleReview, view: View
) -> None:
    """A new message under the request (or the button pressed)."""
    await _answer(message, created, review, view, edit=False, dry_run=True)


async def edit_created(
    message: Message, created: Created, review: RuleReview, view: View, *, dry_run: bool = True
) -> None:
    """The message pressed (a draft's question, a dry-run's offer) becomes the confirmation."""
    await _answer(message, created, review, view, edit=True, dry_run=dry_run)


async def _answer(
    message: Message, created: Created, review: RuleReview, view: View, *, edit: bool, dry_run: bool
) -> None:
    text = render_created(created, view)
    if created.flipped_from is not None or not dry_run:
        await _show(message, text, created_keyboard(created), edit=edit)
        return
    task = asyncio.create_task(_count(review, created, view))
    budget = max(0.0, (remaining() or 0.0) - ANSWER_RESERVE)
    done, _pending = await asyncio.wait({task}, timeout=budget)
    if task in done:
        dry = task.result()
        below = render_dry_run(dry, view) if dry is not None else render_dry_failed(created.rule)
        await _show(message, f"{text}\n\n{below}", dry_run_keyboard(created, dry), edit=edit)
        return
    sent = await _show(message, f"{text}\n\n{render_dry_counting()}", None, edit=edit)
    follow = asyncio.create_task(_edit_when_counted(sent, text, task, created, view))
    _counting.add(follow)
    follow.add_done_callback(_counting.discard)


async def _show(
    message: Message, text: str, markup: InlineKeyboardMarkup | None, *, edit: bool
) -> Message:
    if edit:
        edited = await message.edit_text(text, reply_markup=markup)
        return edited if isinstance(edited, Message) else message
    return await message.answer(text, reply_markup=markup, reply_parameters=quote(message))


async def _count(review: RuleReview, created: Created, view: View) -> DryRun | None:
    """Outside the chat's deadline (it may finish after the answer), within its own limit."""
    with unbounded():
        try:
            return await asyncio.wait_for(
                review.dry_run(created.rule, view.tz, created.price), DRY_RUN_LIMIT
            )
        except (UpstreamError, TimeoutError, SymbolError, ModuleDisabledError) as exc:
            logger.info("alert dry-run not counted: {}", type(exc).__name__)
            return None


async def _edit_when_counted(
    sent: Message,
    text: str,
    task: asyncio.Task[DryRun | None],
    created: Created,
    view: View,
) -> None:
    dry = await task
    below = render_dry_run(dry, view) if dry is not None else render_dry_failed(created.rule)
    try:
        await sent.edit_text(f"{text}\n\n{below}", reply_markup=dry_run_keyboard(created, dry))
    except TelegramAPIError as exc:  # deleted meanwhile, or the chat is gone: nothing to tell
        logger.info("dry-run result not shown: {}", type(exc).__name__)
