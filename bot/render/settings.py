"""/settings answers: the panel of a chat's settings, a change's confirmation, refusals."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.render.text import b, code, esc
from services.chats.desk import ChatSettings, Defaults
from services.chats.setting_specs import MODE_WORDS, PUSH_LABELS, SETTINGS, SettingSpec, Shown
from services.kernel.alerts import AlertType


def _value(shown: Shown) -> str:
    text = _(shown.text) if shown.word else code(esc(shown.text))
    return text + (" " + _("(default)") if shown.default else "")


def _pushes(desk: ChatSettings, is_bot_admin: bool) -> list[str]:
    return [
        f"   {_(label)}: {_(MODE_WORDS[desk.mode(kind)])}"
        for kind, label in PUSH_LABELS.items()
        if is_bot_admin or kind.value != "health"
    ]


EXAMPLES = [
    code(example)
    for example in (
        "/settings watchlist SOL ETH",
        "/settings push bias silent",
        "/settings tz WIB",
        "/settings quiet 23:00-07:00",
        "/settings brief 07:30",
        "/settings whale 2m",
    )
]


def visible(spec: SettingSpec, private: bool) -> bool:
    return not (spec.groups_only and private)


def render_settings(
    desk: ChatSettings, defaults: Defaults, *, title: str | None, private: bool, is_bot_admin: bool
) -> str:
    head = (
        _("⚙️ Settings of {chat}").format(chat=b(esc(title)))
        if title
        else _("⚙️ Settings of this chat")
    )
    lines = [head, ""]
    for spec in SETTINGS.values():
        if not visible(spec, private):
            continue
        if spec.name == "push":
            lines.append(f"{_(spec.label)}:")
            lines += _pushes(desk, is_bot_admin)
        else:
            lines.append(f"{_(spec.label)}: {_value(spec.show(desk, defaults))}")
    lines += ["", _("Change one with the buttons, or type it:") + " " + " · ".join(EXAMPLES)]
    return "\n".join(lines)


def render_setting_changed(spec: SettingSpec, desk: ChatSettings, defaults: Defaults) -> str:
    if spec.name == "push":
        return _("Done. Pushes now:") + "\n" + "\n".join(_pushes(desk, True))
    return _("Done. {setting}: {value}").format(
        setting=_(spec.label), value=_value(spec.show(desk, defaults))
    )


def render_not_settings_admin() -> str:
    return _("Only this group's admins can change its settings.")


def render_not_bot_admin_setting() -> str:
    return _("Only the bot's admins receive job health notices.")


def render_group_only() -> str:
    return _("That setting is for groups: it limits what members may use there.")


def render_locked() -> str:
    return _(
        "This group's admins have limited members to reading commands (prices, order books, "
        "calls). Ask an admin, or use the bot in a private chat."
    )


def render_pick_group(titles: list[str]) -> str:
    if not titles:
        return _(
            "You administer none of the groups I am in. Add me to a group, then /settings here "
            "sets it up without writing in the group."
        )
    return _("Or set up one of your groups from here, without writing in it:")


def render_mute_choices() -> str:
    return _("🔕 Mute what, and for how long?")


def render_muted(coin: str, kind: AlertType, until: str) -> str:
    what = esc(coin) if coin else _(PUSH_LABELS.get(kind, kind.value))
    return _("🔕 Muted: {what} until {until}. The brief counts what was muted.").format(
        what=what, until=until
    )
