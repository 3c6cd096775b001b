"""The one command registry: it feeds handler registration, /help and set_my_commands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from bot.filters import InPlace
from bot.handlers.admins import BotAdmin, admins_only, admins_only_press
from bot.handlers.basic import help_, ids, start
from bot.handlers.buttons import chart_view, expired, heatmap_range, record_view, refresh
from bot.handlers.derivatives import deriv, deriv_window, funding
from bot.handlers.flags import flags, toggle
from bot.handlers.market import (
    alpha,
    chart,
    heatmap,
    ob,
    sniper,
    ticker,
    whale,
)
from bot.handlers.mute import mute_press
from bot.handlers.performance import performance, replay
from bot.handlers.permissions import member_changed
from bot.handlers.private import private_text
from bot.handlers.query_command import query_command
from bot.handlers.rules import alert, alerts, edit_reply, editing, map_lines, rule_button
from bot.handlers.settings import group_pick, lang, setting_press, settings
from bot.handlers.status import status
from bot.handlers.subscriptions import membership, migrated, subscribe, unsubscribe
from bot.keyboards import (
    ChartView,
    DerivView,
    FlagToggle,
    HeatmapView,
    MapLines,
    RecordView,
    Refresh,
    RuleButton,
)
from bot.middlewares.callback_answer import CallbackAnswerGuard
from bot.queries import BY_NAME, Query
from bot.settings_keys import GroupPick, MutePress, SettingPress
from services.chats.setting_specs import SETTINGS
from services.kernel.alerts import SUBSCRIBABLE
from services.kernel.modules import N_, SWITCHABLE

CHAT_ACTION_DELAY = 0.5
TEXT = InPlace(F.text)  # a command is read from a message's text only, never a caption


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str
    handler: Callable[..., Awaitable[Any]]
    usage: str = ""
    admin_only: bool = False
    # "typing" while a slow answer is built (bot/middlewares/typing.py, after a short
    # delay so fast answers send none); None where the handler shows its own (charts).
    chat_action: str | None = "typing"
    aliases: tuple[str, ...] = ()  # other names people type for it (not in the menu)
    # The answer depends on who asks (their id, their rights): never merged with another
    # user's same question in a group (bot/middlewares/same_question.py).
    personal: bool = False
    # The command as a trader sends it when it asks market data ("/ob SOL"): the fault matrix
    # runs every one of these against every vendor fault, so a new market command is in it.
    sample: str = ""
    # It changes something (a group's alerts, its settings): in a group an admin /settings
    # lock left to its admins, members get reading commands only (bot/middlewares/lock.py).
    changes: bool = False


def query_spec(query: Query) -> CommandSpec:
    """A command of the query registry: its words, and the one handler they all share."""
    return CommandSpec(
        query.name,
        query.description,
        query_command(query),
        usage=query.usage,
        sample=query.sample,
        aliases=query.aliases,
    )


SUBSCRIPTION_USAGE = "[" + "|".join([*SUBSCRIBABLE, "all"]) + "]"

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", N_("Greeting and the most useful commands"), start),
    CommandSpec("help", N_("Every command with one line each"), help_),
    CommandSpec(
        "ticker",
        N_("Last price, 24h change, high/low and volume (several coins at once)"),
        ticker,
        usage="SYMBOL [SYMBOL ...]",
        aliases=("price", "p"),
        sample="/ticker SOL",
    ),
    CommandSpec(
        "chart",
        N_("Price candles from OKX with volume, for a timeframe"),
        chart,
        usage="SYMBOL [5m|15m|1h|4h|1d]",
        chat_action=None,
        aliases=("c", "candles"),
        sample="/chart SOL",
    ),
    CommandSpec(
        "ob",
        N_("Spot order book: biggest walls and bid/ask imbalance"),
        ob,
        usage="SYMBOL [okx|binance]",
        chat_action=None,
        aliases=("orderbook", "book"),
        sample="/ob SOL",
    ),
    CommandSpec(
        "heatmap",
        N_("Liquidation clusters near price, with a heatmap image"),
        heatmap,
        usage="SYMBOL [1h|4h|12h|24h]",
        chat_action=None,
        sample="/heatmap SOL",
    ),
    CommandSpec(
        "whale",
        N_("Recent whale trades and positions above the threshold"),
        whale,
        usage="[SYMBOL]",
        sample="/whale",
    ),
    CommandSpec(
        "alpha",
        N_("Institutional-bias call (LONG/SHORT/NEUTRAL) with its evidence"),
        alpha,
        usage="[SYMBOL]",
        sample="/alpha SOL",
    ),
    CommandSpec(
        "sniper",
        N_("The sniper's 5-minute entry map for its coin, right now"),
        sniper,
        sample="/sniper",
    ),
    query_spec(BY_NAME["sentiment"]),
    query_spec(BY_NAME["etf"]),
    query_spec(BY_NAME["options"]),
    CommandSpec(
        "funding",
        N_("Perpetual funding: a coin's rate, next settlement and week; none: the extremes"),
        funding,
        usage="[SYMBOL]",
        sample="/funding SOL",
    ),
    query_spec(BY_NAME["oi"]),
    CommandSpec(
        "deriv",
        N_("A perpetual's funding and open interest in one card"),
        deriv,
        usage="SYMBOL [1h|4h|24h]",
        chat_action=None,
        aliases=("derivatives",),
        sample="/deriv SOL",
    ),
    CommandSpec(
        "performance",
        N_("The bot's track record: hit ratios with sample size and baseline"),
        performance,
        usage="[bias|sniper|whale] [7d|30d|all] [SYMBOL]",
        chat_action=None,
    ),
    CommandSpec(
        "replay",
        N_("Every call of the last day or week and how it turned out"),
        replay,
        usage="[24h|7d]",
    ),
    CommandSpec(
        "alert",
        N_(
            "Set an alert: a price level or move, funding or open interest, with a dry-run of "
            "how often it would fire"
        ),
        alert,
        usage="SYMBOL above|below PRICE · SYMBOL move 3% 15m · [every 1h] [for 7d] [urgent] [note]",
        personal=True,
        changes=True,
    ),
    CommandSpec(
        "alerts",
        N_("This chat's alerts, nearest to firing first; 'history' for the last fires"),
        alerts,
        usage="[history]",
        personal=True,
    ),
    CommandSpec("status", N_("Health of every data module"), status),
    CommandSpec(
        "subscribe",
        N_("Start pushes to this chat"),
        subscribe,
        usage=SUBSCRIPTION_USAGE,
        personal=True,
        changes=True,
    ),
    CommandSpec(
        "unsubscribe",
        N_("Stop pushes to this chat"),
        unsubscribe,
        usage=SUBSCRIPTION_USAGE,
        personal=True,
        changes=True,
    ),
    CommandSpec(
        "settings",
        N_("This chat's settings: watchlist, pushes, time zone, quiet hours, daily brief"),
        settings,
        usage="[" + "|".join(SETTINGS) + "] [VALUE]",
        personal=True,
        changes=True,
    ),
    CommandSpec(
        "lang", N_("Language of this chat"), lang, usage="[en|id]", personal=True, changes=True
    ),
    CommandSpec("flags", N_("Switch data modules on and off (admins)"), flags, admin_only=True),
    CommandSpec("id", N_("Your Telegram id and this chat's (for ADMIN_IDS)"), ids, personal=True),
)


def commands_router() -> Router:
    """Every update the bot acts on. What it does with the rest, on purpose:

    - commands are read from a message's text only: a photo captioned "/ticker SOL" is a post
      to the group, not a request (and would slip past the per-user throttle, which reads text);
    - edited messages, channel posts and service messages other than a group's migration
      (new members, pins, titles, ...) are left alone: no handler, no answer, no error;
    - every button press is answered, the ones no handler takes with "this button has expired".
    """
    router = Router(name="commands")
    for spec in COMMANDS:
        flags: dict[str, Any] = {
            "same_answer": not (spec.personal or spec.admin_only),
            "changes": spec.changes,
        }
        if spec.chat_action:
            flags["chat_action"] = {"action": spec.chat_action, "initial_sleep": CHAT_ACTION_DELAY}
        only = (BotAdmin(),) if spec.admin_only else ()
        # /Ticker from a phone's auto-capitalisation is /ticker.
        names = Command(spec.name, *spec.aliases, ignore_case=True)
        router.message.register(spec.handler, names, TEXT, *only, flags=flags)
        if spec.admin_only:  # anyone else is told why nothing happened
            router.message.register(admins_only, names, TEXT)
    router.my_chat_member.register(membership)
    router.chat_member.register(member_changed)
    router.message.register(migrated, InPlace(F.migrate_to_chat_id))
    router.callback_query.outer_middleware(CallbackAnswerGuard())
    switch = FlagToggle.filter(F.name.in_(SWITCHABLE))  # a forged "ticker" switch: expired
    router.callback_query.register(toggle, switch, BotAdmin())
    router.callback_query.register(admins_only_press, switch)
    router.callback_query.register(refresh, Refresh.filter())
    router.callback_query.register(heatmap_range, HeatmapView.filter())
    router.callback_query.register(deriv_window, DerivView.filter())
    router.callback_query.register(chart_view, ChartView.filter())
    router.callback_query.register(record_view, RecordView.filter())
    router.callback_query.register(rule_button, RuleButton.filter())
    router.callback_query.register(map_lines, MapLines.filter())
    router.callback_query.register(setting_press, SettingPress.filter())
    router.callback_query.register(group_pick, GroupPick.filter())
    router.callback_query.register(mute_press, MutePress.filter())
    router.callback_query.register(expired)  # last: whatever the filters above refused
    # A reply to the bot's "editing your alert" prompt is the alert's new level.
    router.message.register(edit_reply, TEXT, editing)
    # Last: a private chat's other text (a coin alone, an unknown command) gets an answer.
    router.message.register(private_text, InPlace(F.chat.type == ChatType.PRIVATE), TEXT)
    return router


def canonical(name: str) -> str | None:
    """The registry's name for what was typed after the slash (an alias, any case)."""
    lowered = name.lower()
    for spec in COMMANDS:
        if lowered == spec.name or lowered in spec.aliases:
            return spec.name
    return None


async def publish_commands(bot: Bot, i18n: I18n) -> None:
    """The menu in every language we have; Telegram picks by the user's language. A menu
    Telegram already shows is left alone: a restart sends only what changed."""
    public = [c for c in COMMANDS if not c.admin_only]
    menus: dict[str | None, list[BotCommand]] = {}
    for locale in i18n.available_locales:
        language = None if locale == i18n.default_locale else locale
        menus[language] = [
            BotCommand(command=c.name, description=i18n.gettext(c.description, locale=locale))
            for c in public
        ]
    if i18n.default_locale not in i18n.available_locales:
        menus[None] = [BotCommand(command=c.name, description=c.description) for c in public]
    for language, commands in menus.items():
        shown = await bot.get_my_commands(BotCommandScopeDefault(), language_code=language)
        if [(c.command, c.description) for c in shown] != [
            (c.command, c.description) for c in commands
        ]:
            await bot.set_my_commands(commands, BotCommandScopeDefault(), language_code=language)
