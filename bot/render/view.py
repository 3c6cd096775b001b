"""What rendering needs to know about the reader: language, time zone, and the time now."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from babel import Locale
from babel.dates import format_datetime
from babel.numbers import parse_pattern

from services.chats.desk import ChatSettings, Defaults, Quote

# Thousand, million, billion, trillion, in each language, none read as another in the other.
# A no-break space keeps a number and its unit on one line.
COMPACT_UNITS = {
    "en": ("K", "M", "B", "T"),
    "id": ("\u00a0rb", "\u00a0jt", "\u00a0miliar", "\u00a0triliun"),
}


def on_tick(price: Decimal, tick: Decimal) -> Decimal:
    """The nearest whole number of ticks (a shown price, not an order: nearest, not down)."""
    return ((price / tick).to_integral_value(ROUND_HALF_EVEN) * tick).quantize(tick)


@functools.cache
def _number_format(pattern: str, locale: str) -> Callable[[Decimal | float], str]:
    """babel's format_decimal/format_percent, with the pattern and the locale parsed once:
    an answer formats a dozen numbers, and parsing them again each time was a third of it."""
    parsed, language = parse_pattern(pattern), Locale.parse(locale)
    return lambda value: str(parsed.apply(value, language))


@dataclass(frozen=True)
class View:
    locale: str
    tz: ZoneInfo
    now: datetime
    is_admin: bool = False
    # The instrument's price tick (OKX tickSz) when the answer is about one: every price it
    # shows sits on it (a band edge of 190.625 on a 0.01 tick reads 190.62).
    tick: Decimal | None = None
    quote: Quote = Quote.USDT  # the currency the chat reads prices in beside USDT

    def on_tick(self, tick: Decimal | None) -> View:
        return replace(self, tick=tick)

    def price(self, value: Decimal | float) -> str:
        if self.tick is not None:
            value = on_tick(Decimal(str(value)), self.tick)
        return _number_format("#,##0.########", self.locale)(value)

    def compact(self, value: Decimal | float) -> str:
        """1.52B / 1,52 miliar for big numbers; at most two decimals below a thousand.

        Not babel's compact form: its Indonesian billion is "M" (miliar), which an English
        reader in the same group reads as million."""
        number = Decimal(str(value))
        units = COMPACT_UNITS.get(self.locale, COMPACT_UNITS["en"])
        step = 0
        # Rounded first, so 999,999 is "1M", not "1000K".
        while abs(round(number, 2)) >= 1000 and step < len(units):
            number /= 1000
            step += 1
        digits = _number_format("#,##0.##", self.locale)(round(number, 2))
        return digits + (units[step - 1] if step else "")

    def times(self, value: Decimal | float) -> str:
        """A multiple ("10.4×"), one decimal, the same in every answer that shows one."""
        return _number_format("#,##0.#", self.locale)(round(Decimal(str(value)), 1)) + "×"

    def pct(self, value: Decimal | float) -> str:
        sign = "+" if value > 0 else ""
        return sign + _number_format("#,##0.00%", self.locale)(Decimal(value) / 100)

    def rate(self, fraction: Decimal | float) -> str:
        """A funding rate, a fraction per interval: 0.0000612 -> +0.0061% (four decimals, as
        exchanges show them)."""
        sign = "+" if fraction > 0 else ""
        return sign + _number_format("#,##0.0000%", self.locale)(Decimal(str(fraction)))

    def share(self, fraction: Decimal | float) -> str:
        """0.52 -> 52%."""
        return _number_format("#,##0%", self.locale)(fraction)

    def time(self, moment: datetime) -> str:
        local = moment.astimezone(self.tz)
        today = local.date() == self.now.astimezone(self.tz).date()
        # One way everywhere (answers, pushes, charts): minutes, with the day when not today.
        stamp = format_datetime(local, "HH:mm" if today else "d MMM HH:mm", locale=self.locale)
        # The zone's own abbreviation (WIB), which Babel's English data renders as +0700.
        return f"{stamp} {local.tzname()}"

    def day(self, moment: datetime) -> str:
        """A calendar day as the vendor dated it (UTC), e.g. 19 Nov."""
        return str(format_datetime(moment, "EEE d MMM", tzinfo=UTC, locale=self.locale))

    def age(self, moment: datetime) -> str:
        seconds = max(0, int((self.now - moment).total_seconds()))
        if seconds < 60:
            return _("{n}s ago").format(n=seconds)
        if seconds < 3600:
            return _("{n}m ago").format(n=seconds // 60)
        if seconds < 86400:
            return _("{n}h ago").format(n=seconds // 3600)
        return _("{n}d ago").format(n=seconds // 86400)


def view_for(desk: ChatSettings, defaults: Defaults, locale: str, is_admin: bool = False) -> View:
    """The one way a chat's settings become a View: a reply and a push to the same chat can
    never disagree on its time zone."""
    return View(
        locale=locale,
        tz=desk.zone(defaults),
        now=datetime.now(UTC),
        is_admin=is_admin,
        quote=desk.currency(),
    )
