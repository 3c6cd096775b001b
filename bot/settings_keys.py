"""The buttons of /settings and of the 🔕 under every push, and their callback data.

A press carries the chat it sets (a group set up from a private chat) and a value in the text
form /settings takes, so a press and a typed change go through the same parser. Telegram's
callback data is at most 64 bytes and aiogram's separator is ":", so times travel as 07.30."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from services.chats.desk import ChatSettings, Defaults, Mode
from services.chats.setting_specs import MODE_WORDS, PUSH_LABELS, PUSH_WORDS, SETTINGS
from services.kernel.alerts import AlertType

OPEN = ""  # a press with no value opens that setting's choices (or, with no name, the panel)
MUTE_SPANS = ("1h", "4h", "24h", "brief")


class SettingPress(CallbackData, prefix="st"):
    chat: int
    name: str = ""
    value: str = OPEN


class GroupPick(CallbackData, prefix="sg"):
    chat: int


class MutePress(CallbackData, prefix="mu"):
    kind: str  # the AlertType of the push it is under
    coin: str = ""  # empty: the kind; else that coin; both empty span: the choices
    span: str = ""


def wire(value: str) -> str:
    return value.replace(":", ".")


def panel_keyboard(
    chat_id: int, private: bool, groups: dict[int, str] | None = None
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for spec in SETTINGS.values():
        if spec.groups_only and private:
            continue
        builder.button(text=_(spec.label), callback_data=SettingPress(chat=chat_id, name=spec.name))
    builder.adjust(2)
    for group_id, title in (groups or {}).items():
        builder.row()
        builder.button(text="⚙️ " + title[:40], callback_data=GroupPick(chat=group_id))
    return builder.as_markup()


def choices_keyboard(
    chat_id: int, name: str, desk: ChatSettings, defaults: Defaults, is_bot_admin: bool
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    width = 3
    if name == "push":
        for word, kind in PUSH_WORDS.items():
            if kind is AlertType.HEALTH and not is_bot_admin:
                continue
            current = desk.mode(kind)
            for mode in Mode:
                mark = "✅ " if mode is current else ""
                builder.button(
                    text=f"{mark}{_(PUSH_LABELS[kind])} · {_(MODE_WORDS[mode])}",
                    callback_data=SettingPress(chat=chat_id, name=name, value=f"{word} {mode}"),
                )
        width = 3
    elif name == "watchlist":
        held = desk.watch(defaults)
        for coin in defaults.watchlist_choices:
            inside = coin in held
            builder.button(
                text=("✅ " if inside else "") + coin,
                callback_data=SettingPress(
                    chat=chat_id, name=name, value=("-" if inside else "+") + coin
                ),
            )
        builder.button(
            text=_("default"), callback_data=SettingPress(chat=chat_id, name=name, value="default")
        )
        width = 4
    else:
        for choice in SETTINGS[name].choices:
            builder.button(
                text=_(choice) if choice in ("off", "on", "default") else choice,
                callback_data=SettingPress(chat=chat_id, name=name, value=wire(choice)),
            )
    builder.adjust(width)
    builder.row()
    builder.button(text=_("◀ Back"), callback_data=SettingPress(chat=chat_id))
    return builder.as_markup()


def mute_keyboard(kind: AlertType, coins: list[str], has_brief: bool) -> InlineKeyboardMarkup:
    """The choices behind a push's 🔕: its kind, or one of its coins, for a while."""
    spans = [s for s in MUTE_SPANS if s != "brief" or has_brief]
    builder = InlineKeyboardBuilder()
    targets = [("", _(PUSH_LABELS.get(kind, kind.value)))] + [(c, c) for c in coins[:3]]
    for coin, label in targets:
        for span in spans:
            text = _("until the brief") if span == "brief" else span
            builder.button(
                text=f"🔕 {label} · {text}",
                callback_data=MutePress(kind=kind.value, coin=coin, span=span),
            )
    builder.adjust(len(spans))
    return builder.as_markup()
