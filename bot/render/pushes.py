"""Every kind of push, rendered: its text and its buttons, registered by its payload type
(services/delivery/models.py). A new kind is one entry in each table; a test checks that
every kind of PUSH_KINDS has its renderer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.keyboards import ChartView, RecordKind, RecordView, call_ref, with_map
from bot.render.alerts import render_entry_map, render_health
from bot.render.alpha import render_alpha
from bot.render.desk import render_away, render_brief
from bot.render.followups import render_outcome, render_tracking, render_withdrawn, track_line
from bot.render.rule_alerts import render_rule_push, rule_push_keyboard
from bot.render.text import b
from bot.render.view import View
from bot.settings_keys import MutePress
from services.chats.desk import GOVERNED_BY
from services.delivery.models import (
    Alert,
    AwayPush,
    BiasPush,
    BriefPush,
    EditPush,
    HealthPush,
    OutcomePush,
    Push,
    RulePush,
    SniperPush,
    WithdrawnPush,
)
from services.kernel.alerts import AlertType
from services.kernel.symbols import Instrument
from services.market.ticker.candles import Bar
from services.vendors.okx_symbols import okx_inst_id


def _bias(push: BiasPush, view: View) -> str:
    parts = ["🔔 " + b(_("Bias changed"))]
    parts += [render_alpha(call, view, explain=False) for call in push.calls]
    if push.record is not None:
        parts.append(track_line(push.record, view))
    return "\n\n".join(parts)


def _sniper(push: SniperPush, view: View) -> str:
    parts = [render_entry_map(m, view) for m in push.maps]
    if push.record is not None:
        parts.append(track_line(push.record, view))
    return "\n\n".join(parts)


RENDERERS: dict[type[Push], Callable[[Any, View], str]] = {
    BiasPush: _bias,
    SniperPush: _sniper,
    HealthPush: lambda push, _view: render_health(push.notice),
    EditPush: lambda push, view: render_tracking(
        push.track, view, render_entry_map(push.track.map, view)
    ),
    OutcomePush: lambda push, view: render_outcome(push.track, view),
    WithdrawnPush: lambda push, view: render_withdrawn(push.withdrawn, view),
    RulePush: render_rule_push,
    AwayPush: render_away,
    BriefPush: render_brief,
}


def render_alert(alert: Alert, view: View) -> str:
    return RENDERERS[type(alert.payload)](alert.payload, view)


def _chart_button(
    builder: InlineKeyboardBuilder, kind: str, symbol: str, bar: Bar, at: Any
) -> None:
    builder.button(
        text=_("📈 {coin}").format(coin=symbol),
        callback_data=ChartView(
            symbol=okx_inst_id(Instrument(base=symbol)), bar=bar, call=call_ref(kind, at)
        ),
    )


def _record(builder: InlineKeyboardBuilder, kind: RecordKind) -> InlineKeyboardMarkup:
    builder.button(text=_("📊 Track record"), callback_data=RecordView(kind=kind))
    return builder.as_markup()


def _bias_keys(push: BiasPush) -> InlineKeyboardMarkup:
    """The coin's chart with the call's own price marked, and the record of bias calls."""
    builder = InlineKeyboardBuilder()
    for call in push.calls[:3]:
        _chart_button(builder, "bias", call.symbol, Bar.H1, call.at)
    return _record(builder, RecordKind.BIAS)


def _sniper_keys(push: SniperPush | EditPush) -> InlineKeyboardMarkup | None:
    """The map's own levels on the coin's 5-minute chart, and the record of sniper maps (on
    every edit too: an edit without them would take them away), and its lines as alerts."""
    builder = InlineKeyboardBuilder()
    maps = push.maps if isinstance(push, SniperPush) else [push.track.map]
    for entry in maps[:3]:
        _chart_button(builder, "sniper", entry.symbol, Bar.M5, entry.at)
    keyboard = _record(builder, RecordKind.SNIPER)
    return with_map(keyboard, maps[0]) if maps else keyboard


KEYBOARDS: dict[type[Push], Callable[[Any], InlineKeyboardMarkup | None]] = {
    BiasPush: _bias_keys,
    SniperPush: _sniper_keys,
    EditPush: _sniper_keys,
    WithdrawnPush: lambda _push: _record(InlineKeyboardBuilder(), RecordKind.BIAS),
    RulePush: rule_push_keyboard,
}


def push_keyboard(alert: Alert) -> InlineKeyboardMarkup | None:
    """The buttons under a push, and under every one a 🔕 that mutes its kind or its coins."""
    keys = KEYBOARDS.get(type(alert.payload))
    markup = keys(alert.payload) if keys is not None else None
    if alert.type in UNMUTED:
        return markup
    mute = InlineKeyboardButton(
        text="🔕",
        # The kind a chat sets (an edit of a map mutes sniper maps): the same button as under
        # the push it edits, which keeps its buttons.
        callback_data=MutePress(
            kind=GOVERNED_BY.get(alert.type, alert.type).value,
            coin=",".join(alert.payload.coins()[:3]),
        ).pack(),
    )
    rows = markup.inline_keyboard if markup is not None else []
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [mute]])


# The brief and the away summary are what a chat asked for: no 🔕 under them.
UNMUTED = frozenset({AlertType.BRIEF, AlertType.AWAY})
