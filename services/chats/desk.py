"""One chat's settings (`ChatSettings`): what it is pushed, when, in which language, time zone
and currency. Stored once per chat (a versioned JSON document; the push modes are its
subscription rows), loaded once per update and once per delivery batch, and read through the
operator's defaults (`Defaults`) wherever the chat chose nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from services.kernel.alerts import AlertType
from services.kernel.settings import Settings

VERSION = 1  # of the stored document: a reader meeting a newer one keeps its fields it knows


class Mode(StrEnum):
    """How a kind of push reaches the chat."""

    ON = "on"
    SILENT = "silent"  # sent without sound (Telegram's disable_notification)
    OFF = "off"


class Quote(StrEnum):
    USDT = "usdt"
    IDR = "idr"


# The kinds a chat sets a mode for, and the mode of each until it does: the operator's calls
# wait for /subscribe (or /settings push ... on); a chat's own alerts and the follow-ups on what
# it was pushed come unless turned off; health notices go to the bot's admins only.
PUSH_DEFAULTS: dict[AlertType, Mode] = {
    AlertType.BIAS: Mode.OFF,
    AlertType.SNIPER: Mode.OFF,
    AlertType.RULE: Mode.ON,
    AlertType.FOLLOWUPS: Mode.ON,
    AlertType.HEALTH: Mode.ON,
}
# The kind whose mode rules a push of each type (a withdrawn call is a follow-up).
GOVERNED_BY: dict[AlertType, AlertType] = {
    AlertType.BIAS: AlertType.BIAS,
    AlertType.SNIPER: AlertType.SNIPER,
    AlertType.SNIPER_EDIT: AlertType.SNIPER,
    AlertType.SNIPER_OUTCOME: AlertType.FOLLOWUPS,
    AlertType.BIAS_WITHDRAWN: AlertType.FOLLOWUPS,
    AlertType.RULE: AlertType.RULE,
    AlertType.HEALTH: AlertType.HEALTH,
}


class QuietHours(BaseModel):
    """A daily window in the chat's time zone; over midnight when `start` > `end`."""

    start: time
    end: time

    def contains(self, local: datetime) -> bool:
        now = local.timetz().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def ends_after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first end of the window after `moment` (UTC), DST-aware: 07:00 local on the
        right day, whatever the offset is that morning."""
        local = moment.astimezone(zone)
        day = local.date()
        for _ in range(3):
            end = datetime.combine(day, self.end, tzinfo=zone)
            # A wall time skipped by a DST change comes out an hour late, never early; compared
            # as instants (two times of one zone compare by wall clock, ignoring the hour a
            # DST change repeats).
            if end.astimezone(UTC) > moment:
                return end.astimezone(UTC)
            day += timedelta(days=1)
        return (local + timedelta(days=1)).astimezone(UTC)  # unreachable: within two days

    def text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class Mute(BaseModel):
    """A kind (`kind:bias`) or a coin (`coin:SOL`) muted until a moment."""

    target: str
    until: datetime


class Defaults(BaseModel):
    """The operator's choices (WATCH_SYMBOLS, TIMEZONE, WHALE_MIN_USD) and limits."""

    watchlist: list[str]
    timezone: str
    whale_min_usd: Decimal
    watchlist_max: int = 10
    # The coins a watchlist may hold: the bias job evaluates the union of the watchlists in
    # use, so this bounds its cost. Empty: any coin OKX lists.
    watchlist_choices: list[str] = Field(default_factory=list)
    # A chat may raise the whale minimum, not lower it: trades below WHALE_MIN_USD are never
    # fetched.
    whale_floor_usd: Decimal = Decimal(1_000_000)

    @classmethod
    def of(cls, settings: Settings) -> Defaults:
        choices = list(dict.fromkeys([*settings.watch_symbols, *settings.watchlist_choices]))
        return cls(
            watchlist=settings.watch_symbols,
            timezone=settings.timezone,
            whale_min_usd=settings.whale_min_usd,
            watchlist_max=settings.watchlist_max,
            watchlist_choices=choices,
            whale_floor_usd=settings.whale_min_usd,
        )


class ChatSettings(BaseModel):
    """What a chat chose; None everywhere is "the operator's default"."""

    version: int = VERSION
    language: str | None = None
    watchlist: list[str] | None = None
    tz: str | None = None
    quiet: QuietHours | None = None
    brief: time | None = None
    quote: Quote | None = None  # None: IDR for a chat in Indonesian, USDT otherwise
    whale_min_usd: Decimal | None = None
    locked: bool = False  # in a group: members may use reading commands only
    mutes: list[Mute] = Field(default_factory=list)
    # Not stored in the document: the chat's subscription rows, one mode per kind it set.
    pushes: dict[AlertType, Mode] = Field(default_factory=dict, exclude=True)
    # Nor this: the Telegram language the chat was seen with (a group's: its subscribing
    # admin's), for a chat that chose none.
    seen_language: str | None = Field(default=None, exclude=True)

    def mode(self, kind: AlertType) -> Mode:
        governing = GOVERNED_BY.get(kind, kind)
        return self.pushes.get(governing, PUSH_DEFAULTS.get(governing, Mode.ON))

    def switched_off(self, kind: AlertType) -> bool:
        """The chat turned this kind off itself (not merely never subscribed: who is queued a
        push is the outbox's decision, made from the subscriptions when it was queued)."""
        return self.pushes.get(GOVERNED_BY.get(kind, kind)) is Mode.OFF

    def watch(self, defaults: Defaults) -> list[str]:
        return self.watchlist if self.watchlist is not None else defaults.watchlist

    def zone(self, defaults: Defaults) -> ZoneInfo:
        return ZoneInfo(self.tz or defaults.timezone)

    def currency(self) -> Quote:
        if self.quote is not None:
            return self.quote
        return Quote.IDR if (self.language or self.seen_language) == "id" else Quote.USDT

    def quiet_until(self, defaults: Defaults, now: datetime) -> datetime | None:
        """When the quiet hours the chat is in now end; None outside them (or without any)."""
        if self.quiet is None:
            return None
        zone = self.zone(defaults)
        return (
            self.quiet.ends_after(now, zone) if self.quiet.contains(now.astimezone(zone)) else None
        )

    def whale_min(self, defaults: Defaults) -> Decimal:
        return self.whale_min_usd if self.whale_min_usd is not None else defaults.whale_min_usd

    def muted(self, kind: AlertType, items: list[str], now: datetime) -> bool:
        """The whole push is muted: its kind, or every coin it is about."""
        live = {m.target for m in self.mutes if m.until > now}
        if not live:
            return False
        if f"kind:{GOVERNED_BY.get(kind, kind).value}" in live:
            return True
        return bool(items) and all(f"coin:{item}" in live for item in items)

    def without_expired(self, now: datetime) -> ChatSettings:
        return self.model_copy(update={"mutes": [m for m in self.mutes if m.until > now]})

    def stored(self) -> str:
        """The document as stored (the push modes live in their own rows)."""
        return self.model_dump_json(exclude_defaults=True, exclude={"pushes", "seen_language"})

    @classmethod
    def from_stored(cls, text: str | None) -> ChatSettings:
        return cls.model_validate_json(text) if text else cls()
