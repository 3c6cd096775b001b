"""Inline keyboards and their callback data (aiogram's CallbackData factory keeps it < 64 bytes)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from services.flags import Flag


class FlagToggle(CallbackData, prefix="fl"):
    name: Flag
    on: bool


def flags_keyboard(states: dict[Flag, bool]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for flag, enabled in states.items():
        text = (_("Turn {flag} off") if enabled else _("Turn {flag} on")).format(flag=flag.value)
        builder.button(text=text, callback_data=FlagToggle(name=flag, on=not enabled))
    builder.adjust(2)
    return builder.as_markup()


class Refresh(CallbackData, prefix="rf"):
    kind: str  # "tk" ticker, "ob" order book
    symbol: str  # the OKX instId, e.g. SOL-USDT
    exchange: str = ""


class HeatmapView(CallbackData, prefix="hm"):
    coin: str
    range: str


def refresh_keyboard(kind: str, symbol: str, exchange: str = "") -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🔄 Refresh"), callback_data=Refresh(kind=kind, symbol=symbol, exchange=exchange)
    )
    return builder.as_markup()


def heatmap_keyboard(coin: str, current: str, ranges: list[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value in ranges:
        label = f"• {value}" if value == current else value
        builder.button(text=label, callback_data=HeatmapView(coin=coin, range=value))
    builder.adjust(len(ranges))
    return builder.as_markup()
