"""/performance and /replay: the bot's own calls, graded. Argument and symbol errors are answered
by bot/handlers/errors.py."""

from __future__ import annotations

import re

from aiogram.filters import CommandObject
from aiogram.types import InlineKeyboardMarkup, Message

from bot.answers import ChartAnswer
from bot.photo import answer_with_chart
from bot.render.performance import (
    chart_labels,
    performance_caption,
    plotted,
    render_overview,
    render_performance,
    render_replay,
)
from bot.render.view import View
from bot.reply import reply
from services.kernel.errors import ArgumentError
from services.market.instruments import InstrumentCatalog
from services.signals.calls import Kind
from services.signals.track_record import TrackRecord, TrackRecordService

KINDS = (Kind.BIAS, Kind.SNIPER, Kind.WHALE)
PERIODS: dict[str, int | None] = {"7d": 7, "30d": 30, "all": None}
DEFAULT_DAYS = 30
REPLAY_PERIODS = {"24h": 24, "7d": 7 * 24}
DEFAULT_REPLAY = "24h"
# A token shaped like a period ("14d", "1w") is a mistyped period, not a coin.
_PERIOD_LIKE = re.compile(r"\d+[mhdwy]")


def parse_performance_args(text: str | None) -> tuple[str | None, int | None, str | None]:
    """(kind, days, symbol) from the arguments in any order, case-insensitive. kind None: every
    kind; days is DEFAULT_DAYS unless given, None for all time; any one other word is the symbol
    (resolved by the caller, so an unknown coin gets the standard answer)."""
    kind: str | None = None
    days: int | None = DEFAULT_DAYS
    period: str | None = None
    symbol: str | None = None
    unknown: list[str] = []  # every word not understood, named together
    for token in (text or "").split():
        word = token.lower()
        if word in KINDS and kind is None:
            kind = word
        elif word in KINDS:
            raise ArgumentError(token, [k for k in KINDS if k != kind])
        elif word in PERIODS and period is None:
            period, days = word, PERIODS[word]
        elif word in PERIODS or _PERIOD_LIKE.fullmatch(word):
            raise ArgumentError(token, list(PERIODS))
        elif symbol is None:
            symbol = token
        else:
            unknown.append(token)
    if unknown:
        # Two words that are no kind or period: which of them was meant as the coin is
        # anyone's guess, so all of them are named.
        raise ArgumentError(" ".join([symbol or "", *unknown]).strip(), [*KINDS, *PERIODS])
    return kind, days, symbol


def parse_replay_args(text: str | None) -> int:
    """Hours to look back."""
    word = (text or DEFAULT_REPLAY).strip().lower()
    if word not in REPLAY_PERIODS:
        raise ArgumentError(text or "", list(REPLAY_PERIODS))
    return REPLAY_PERIODS[word]


def performance_answer(record: TrackRecord, view: View) -> ChartAnswer | None:
    """The text with its chart; None while there is nothing worth drawing (text alone)."""
    if not plotted(record):
        return None
    labels = chart_labels(record, view)

    def draw() -> bytes:
        from bot.charts.performance import performance_chart  # matplotlib: drawn, not started

        png = performance_chart(record, labels, view)
        if png is None:  # checked above; render_chart turns this into a text-only answer
            raise ValueError("nothing to draw")
        return png

    return ChartAnswer(
        text=render_performance(record, view),
        caption=performance_caption(record, view),
        draw=draw,
        filename="performance.png",
        markup=InlineKeyboardMarkup(inline_keyboard=[]),
    )


async def performance(
    message: Message,
    command: CommandObject,
    instruments: InstrumentCatalog,
    track_record: TrackRecordService,
    view: View,
) -> None:
    kind, days, text = parse_performance_args(command.args)
    # Calls store the coin (BTC), whatever pair or market the user typed.
    symbol = (await instruments.resolve(text)).base if text else None
    if kind is None:
        records = [await track_record.record(k, days, symbol, view.now) for k in KINDS]
        await reply(message, render_overview(records, view))
        return
    await answer_performance(message, await track_record.record(kind, days, symbol, view.now), view)


async def answer_performance(message: Message, record: TrackRecord, view: View) -> None:
    """One kind's record: its chart when there is something worth drawing, else the text."""
    answer = performance_answer(record, view)
    if answer is None:
        await reply(message, render_performance(record, view))
    else:
        await answer_with_chart(message, answer)


async def replay(
    message: Message, command: CommandObject, track_record: TrackRecordService, view: View
) -> None:
    hours = parse_replay_args(command.args)
    await reply(message, render_replay(await track_record.replay(hours, view.now), view))
