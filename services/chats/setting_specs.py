"""The registry of what a chat can set: each setting's name, how its text form is read, what is
allowed, the words a chat reads for it, its buttons and who may change it. `/settings`, its
panel, `/lang` and `/subscribe` are all made from this table: a new setting is one entry here
plus its words."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.chats.desk import ChatSettings, Defaults, Mode, QuietHours, Quote
from services.kernel.alerts import AlertType
from services.kernel.errors import ArgumentError, SymbolError
from services.kernel.modules import N_
from services.kernel.symbols import parse_symbol, split_symbols

LANGUAGES = ("en", "id")
LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}  # each in its own language
OFF = "off"
DEFAULT = "default"
# The names Indonesian traders use for their zones, and UTC, beside any IANA name.
ZONE_ALIASES = {
    "wib": "Asia/Jakarta",
    "wita": "Asia/Makassar",
    "wit": "Asia/Jayapura",
    "utc": "UTC",
    "gmt": "UTC",
}
ZONE_EXAMPLES = ["Asia/Jakarta", "WIB", "WITA", "WIT", "Europe/London", "UTC"]
QUIET_CHOICES = ("22:00-07:00", "23:00-07:00", "00:00-08:00", OFF)
BRIEF_CHOICES = ("06:00", "07:00", "07:30", "08:00", OFF)
WHALE_CHOICES = ("2m", "5m", "10m", DEFAULT)
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
_AMOUNT = re.compile(r"\$?(\d+(?:[.,]\d+)?)\s*([km]?)")


class Who(StrEnum):
    """Who may change a setting: in a private chat its user; in a group its admins (asked
    afresh), or the bot's own admins for what only they receive."""

    CHAT_ADMIN = "chat_admin"
    BOT_ADMIN = "bot_admin"


# The kinds of push a chat sets a mode for, by the word it types.
PUSH_WORDS: dict[str, AlertType] = {
    "bias": AlertType.BIAS,
    "sniper": AlertType.SNIPER,
    "alerts": AlertType.RULE,
    "followups": AlertType.FOLLOWUPS,
    "health": AlertType.HEALTH,
}
PUSH_LABELS: dict[AlertType, str] = {
    AlertType.BIAS: N_("Bias calls"),
    AlertType.SNIPER: N_("Sniper maps"),
    AlertType.RULE: N_("Your alerts"),
    AlertType.FOLLOWUPS: N_("Follow-ups"),
    AlertType.HEALTH: N_("Job health (admins)"),
}
MODE_WORDS: dict[Mode, str] = {Mode.ON: N_("on"), Mode.SILENT: N_("silent"), Mode.OFF: N_("off")}


def clock(text: str) -> time:
    match = _TIME.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ArgumentError(text, ["HH:MM"])
    return time(int(match[1]), int(match[2]))


def parse_language(words: list[str], _defaults: Defaults) -> str:
    value = " ".join(words).strip().lower()
    if value not in LANGUAGES:
        raise ArgumentError(" ".join(words), list(LANGUAGES))
    return value


def parse_watchlist(words: list[str], defaults: Defaults) -> list[str] | None:
    text = " ".join(words)
    if text.strip().lower() == DEFAULT:
        return None
    allowed = defaults.watchlist_choices
    coins: list[str] = []
    for word in split_symbols(text):
        try:
            coin = parse_symbol(word).base
        except SymbolError:
            raise ArgumentError(word, [*allowed, DEFAULT]) from None
        if allowed and coin not in allowed:
            raise ArgumentError(word, [*allowed, DEFAULT])
        if coin not in coins:
            coins.append(coin)
    if not coins:
        raise ArgumentError(text, [*allowed, DEFAULT])
    if len(coins) > defaults.watchlist_max:
        raise ArgumentError(" ".join(coins), [f"≤ {defaults.watchlist_max}"])
    return coins


def parse_push(words: list[str], _defaults: Defaults) -> tuple[AlertType, Mode]:
    if len(words) != 2 or words[0].lower() not in PUSH_WORDS:
        raise ArgumentError(" ".join(words) or "-", [f"{w} on|silent|off" for w in PUSH_WORDS])
    try:
        return PUSH_WORDS[words[0].lower()], Mode(words[1].lower())
    except ValueError:
        raise ArgumentError(words[1], [m.value for m in Mode]) from None


def parse_zone(words: list[str], _defaults: Defaults) -> str | None:
    text = " ".join(words).strip()
    if text.lower() == DEFAULT:
        return None
    name = ZONE_ALIASES.get(text.lower(), text)
    try:
        ZoneInfo(name)
    # ValueError: a path-like name ("../x"); OSError: a folder of zones ("Asia").
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ArgumentError(text, ZONE_EXAMPLES) from None
    return name


def parse_quiet(words: list[str], _defaults: Defaults) -> QuietHours | None:
    text = "".join(words).strip().lower()
    if text == OFF:
        return None
    start, _, end = text.partition("-")
    try:
        window = QuietHours(start=clock(start), end=clock(end))
    except ArgumentError:
        raise ArgumentError(" ".join(words), ["HH:MM-HH:MM", OFF]) from None
    if window.start == window.end:
        raise ArgumentError(" ".join(words), ["HH:MM-HH:MM", OFF])
    return window


def parse_brief(words: list[str], _defaults: Defaults) -> time | None:
    text = " ".join(words).strip().lower()
    if text == OFF:
        return None
    try:
        return clock(text)
    except ArgumentError:
        raise ArgumentError(text, ["HH:MM", OFF]) from None


def _money(value: Decimal) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}m"
    return f"{value / 1000:g}k"


def parse_whale(words: list[str], defaults: Defaults) -> Decimal | None:
    text = "".join(words).strip().lower().replace("_", "")
    if text == DEFAULT:
        return None
    match = _AMOUNT.fullmatch(text)
    allowed = [f"≥ {_money(defaults.whale_floor_usd)}", "2m", "5m", DEFAULT]
    if match is None:
        raise ArgumentError(" ".join(words), allowed)
    try:
        value = Decimal(match[1].replace(",", ".")) * {"": 1, "k": 1000, "m": 1_000_000}[match[2]]
    except InvalidOperation:
        raise ArgumentError(" ".join(words), allowed) from None
    if value < defaults.whale_floor_usd:
        raise ArgumentError(" ".join(words), allowed)
    return value


def parse_quote(words: list[str], _defaults: Defaults) -> Quote | None:
    text = " ".join(words).strip().lower()
    if text == DEFAULT:
        return None
    try:
        return Quote(text)
    except ValueError:
        raise ArgumentError(" ".join(words), [*(q.value for q in Quote), DEFAULT]) from None


def parse_lock(words: list[str], _defaults: Defaults) -> bool:
    text = " ".join(words).strip().lower() or "on"  # `/settings lock` alone locks
    if text not in ("on", OFF):
        raise ArgumentError(text, ["on", OFF])
    return text == "on"


def _set(field: str) -> Callable[[ChatSettings, Any], ChatSettings]:
    return lambda settings, value: settings.model_copy(update={field: value})


def _set_push(settings: ChatSettings, value: tuple[AlertType, Mode]) -> ChatSettings:
    kind, mode = value
    return settings.model_copy(update={"pushes": {**settings.pushes, kind: mode}})


@dataclass(frozen=True)
class Shown:
    """A setting's value as the panel shows it: `word` values are translated, the rest are
    shown as they are (coins, times, zone names)."""

    text: str
    word: bool = False
    default: bool = False  # the operator's value, not the chat's own


@dataclass(frozen=True)
class SettingSpec:
    name: str  # what /settings takes: `/settings <name> <value>`
    label: str  # N_ words for the panel
    parse: Callable[[list[str], Defaults], Any]  # raises ArgumentError naming what is allowed
    apply: Callable[[ChatSettings, Any], ChatSettings]
    show: Callable[[ChatSettings, Defaults], Shown]
    choices: tuple[str, ...] = ()  # the panel's buttons (each a text form of a value)
    who: Who = Who.CHAT_ADMIN
    groups_only: bool = False  # meaningless in a private chat (the lock)


def _show_push(settings: ChatSettings, _defaults: Defaults) -> Shown:
    return Shown(", ".join(f"{w}:{settings.mode(k).value}" for w, k in PUSH_WORDS.items()))


SETTINGS: dict[str, SettingSpec] = {
    spec.name: spec
    for spec in (
        SettingSpec(
            "lang",
            N_("Language"),
            parse_language,
            _set("language"),
            lambda s, _d: (
                Shown(LANGUAGE_NAMES[s.language])
                if s.language in LANGUAGE_NAMES
                else Shown(N_("auto"), word=True)
            ),
            choices=LANGUAGES,
        ),
        SettingSpec(
            "watchlist",
            N_("Watchlist"),
            parse_watchlist,
            _set("watchlist"),
            lambda s, d: Shown(", ".join(s.watch(d)), default=s.watchlist is None),
            choices=(DEFAULT,),
        ),
        SettingSpec("push", N_("Pushes"), parse_push, _set_push, _show_push),
        SettingSpec(
            "tz",
            N_("Time zone"),
            parse_zone,
            _set("tz"),
            lambda s, d: Shown(s.tz or d.timezone, default=s.tz is None),
            choices=("WIB", "WITA", "WIT", "UTC"),
        ),
        SettingSpec(
            "quiet",
            N_("Quiet hours"),
            parse_quiet,
            _set("quiet"),
            lambda s, _d: (
                Shown(s.quiet.text(), default=False) if s.quiet else Shown(OFF, word=True)
            ),
            choices=QUIET_CHOICES,
        ),
        SettingSpec(
            "brief",
            N_("Daily brief"),
            parse_brief,
            _set("brief"),
            lambda s, _d: Shown(f"{s.brief:%H:%M}") if s.brief else Shown(OFF, word=True),
            choices=BRIEF_CHOICES,
        ),
        SettingSpec(
            "quote",
            N_("Prices in"),
            parse_quote,
            _set("quote"),
            lambda s, _d: Shown(s.currency().value.upper(), default=s.quote is None),
            choices=("usdt", "idr", DEFAULT),
        ),
        SettingSpec(
            "whale",
            N_("Whale minimum"),
            parse_whale,
            _set("whale_min_usd"),
            lambda s, d: Shown("$" + _money(s.whale_min(d)), default=s.whale_min_usd is None),
            choices=WHALE_CHOICES,
        ),
        SettingSpec(
            "lock",
            N_("Members limited to reading commands"),
            parse_lock,
            _set("locked"),
            lambda s, _d: Shown("on" if s.locked else OFF, word=True),
            choices=("on", OFF),
            groups_only=True,
        ),
    )
}
