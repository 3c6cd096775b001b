"""Inline keyboards and their callback data (aiogram's CallbackData factory keeps it < 64 bytes)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.render.errors import module_name
from services.kernel.symbols import Instrument
from services.market.flags import Flag
from services.market.heatmap.service import HeatmapRange
from services.market.oi.service import OiWindow
from services.market.ticker.candles import Bar
from services.signals.sniper.rule import EntryMap
from services.vendors.okx_symbols import okx_inst_id


class FlagToggle(CallbackData, prefix="fl"):
    name: Flag
    on: bool


def flags_keyboard(states: dict[Flag, bool]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for flag, enabled in states.items():
        text = (_("Turn {flag} off") if enabled else _("Turn {flag} on")).format(
            flag=module_name(flag.value)
        )
        builder.button(text=text, callback_data=FlagToggle(name=flag, on=not enabled))
    builder.adjust(2)
    return builder.as_markup()


class RefreshKind(StrEnum):
    TICKER = "tk"
    ORDER_BOOK = "ob"


class Refresh(CallbackData, prefix="rf"):
    # An enum, so a forged kind fails the filter and gets the catch-all's answer instead of
    # being taken for an order book.
    kind: RefreshKind
    symbol: str  # the OKX instId, e.g. SOL-USDT
    exchange: str = ""


class HeatmapView(CallbackData, prefix="hm"):
    coin: str
    range: HeatmapRange  # a range no longer offered is an expired button, not a typo


class DerivView(CallbackData, prefix="dv"):
    symbol: str  # the OKX instId of the perpetual
    window: OiWindow  # a window no longer offered is an expired button


def deriv_keyboard(symbol: str, current: OiWindow) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for window in OiWindow:
        label = f"• {window.value}" if window is current else window.value
        builder.button(text=label, callback_data=DerivView(symbol=symbol, window=window))
    builder.adjust(len(OiWindow))
    return builder.as_markup()


class ChartView(CallbackData, prefix="ch"):
    symbol: str  # the OKX instId
    bar: Bar  # a timeframe no longer offered is an expired button
    # Opened from a pushed call: its kind's letter and the second it was made ("s1795158000"),
    # so the chart draws that call's levels. Empty: the live sniper map's, if any.
    call: str = ""


class RecordKind(StrEnum):
    BIAS = "bias"
    SNIPER = "sniper"


class RecordView(CallbackData, prefix="pf"):
    """The track record of a kind of call, from a button under a push."""

    kind: RecordKind


CALL_LETTERS = {"b": "bias", "s": "sniper"}


def call_ref(kind: str, at: datetime) -> str:
    return f"{kind[0]}{int(at.timestamp())}"


def parse_call_ref(ref: str) -> tuple[str, datetime] | None:
    """A ChartView's `call` back as (kind, second made); None when there is none or it is
    garbage (a forged button is a chart without a call, never an error)."""
    kind = CALL_LETTERS.get(ref[:1])
    if kind is None or not ref[1:].isdigit() or len(ref) > 12:
        return None
    return kind, datetime.fromtimestamp(int(ref[1:]), UTC)


def refresh_keyboard(kind: str, symbol: str, exchange: str = "") -> InlineKeyboardMarkup:
    return _refresh_keyboard(kind, symbol, exchange, _("🔄 Refresh"), _("📈 Chart"))


# The same few keyboards under most answers: built once per coin and language (building one,
# callback data packed, was ~60 us of a cached answer). Bounded; the markup is never mutated.
@functools.lru_cache(maxsize=1024)
def _refresh_keyboard(
    kind: str, symbol: str, exchange: str, refresh_label: str, chart_label: str
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    data = Refresh(kind=RefreshKind(kind), symbol=symbol, exchange=exchange)
    builder.button(text=refresh_label, callback_data=data)
    if kind == RefreshKind.TICKER:  # the price, drawn: /chart's default timeframe
        builder.button(text=chart_label, callback_data=ChartView(symbol=symbol, bar=Bar.H1))
    return builder.as_markup()


def chart_keyboard(symbol: str, current: Bar) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for bar in Bar:
        label = f"• {bar.value}" if bar is current else bar.value
        builder.button(text=label, callback_data=ChartView(symbol=symbol, bar=bar))
    builder.adjust(len(Bar))
    return builder.as_markup()


def heatmap_keyboard(coin: str, current: str, ranges: list[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value in ranges:
        label = f"• {value}" if value == current else value
        builder.button(text=label, callback_data=HeatmapView(coin=coin, range=HeatmapRange(value)))
    builder.adjust(len(ranges))
    return builder.as_markup()


class RuleAct(StrEnum):
    DELETE = "del"
    PAUSE = "pause"
    RESUME = "resume"
    SNOOZE = "snooze"  # an hour's pause
    REARM = "rearm"  # the same alert again, after a `once` one fired
    FLIP = "flip"  # set the other side instead (an alert set on the wrong side)
    QUIET = "quiet"  # a repeating alert's less noisy threshold, from its dry-run
    EDIT = "edit"  # asks for the new level; the prompt's own button then names the alert


class RuleButton(CallbackData, prefix="al"):
    act: RuleAct
    rule: int
    value: str = ""  # QUIET: the threshold offered
    # Where it was pressed: "l" the /alerts list (redrawn after), "c" a confirmation, "x" an
    # edit prompt (cancel); "" a fired alert's message.
    src: str = ""


class MapLines(CallbackData, prefix="ml"):
    """A sniper map's lines set as alerts in one tap: its coin and its levels, packed
    ("e186.95;i186.06;1188.1;2189.2"), so a map answered but never stored has it too."""

    symbol: str
    lines: str


LINE_CODES = {"entry": "e", "invalidation": "i", "tp1": "1", "tp2": "2"}
CALLBACK_MAX = 64  # Telegram's limit for a button's data


def pack_lines(lines: list[tuple[str, Decimal]]) -> str:
    return ";".join(f"{LINE_CODES[name]}{price}" for name, price in lines if name in LINE_CODES)


def unpack_lines(packed: str) -> list[tuple[str, Decimal]]:
    """The lines back; a forged or garbled part is left out (it sets nothing)."""
    names = {code: name for name, code in LINE_CODES.items()}
    found = []
    for part in packed.split(";")[: len(LINE_CODES)]:
        name = names.get(part[:1])
        try:
            price = Decimal(part[1:])
        except ArithmeticError:
            continue
        if name is not None and price.is_finite() and price > 0:
            found.append((name, price))
    return found


def with_map_lines(
    markup: InlineKeyboardMarkup | None, symbol: str, lines: list[tuple[str, Decimal]]
) -> InlineKeyboardMarkup | None:
    """The keyboard with one more row: "🔔 Alert me at these lines" (left off when the map has
    none, or its levels would not fit in a button's data)."""
    data = MapLines(symbol=symbol, lines=pack_lines(lines)).pack() if lines else ""
    if not data or len(data.encode()) > CALLBACK_MAX or not pack_lines(lines):
        return markup
    rows = list(markup.inline_keyboard) if markup is not None else []
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🔔 Alert me at these lines"), callback_data=data)
    return InlineKeyboardMarkup(inline_keyboard=[*rows, *builder.export()])


def with_map(markup: InlineKeyboardMarkup | None, entry: EntryMap) -> InlineKeyboardMarkup | None:
    """`with_map_lines` for a sniper map: only one with a setup has lines to alert on."""
    if not entry.setup:
        return markup
    lines = [(line.name, line.price) for line in entry.lines]
    return with_map_lines(markup, okx_inst_id(Instrument(base=entry.symbol)), lines)
