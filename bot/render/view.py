"""What rendering needs to know about the reader: language, time zone, and the time now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime
from babel.numbers import format_compact_decimal, format_decimal, format_percent


@dataclass(frozen=True)
class View:
    locale: str
    tz: ZoneInfo
    now: datetime
    is_admin: bool = False

    def price(self, value: Decimal | float) -> str:
        return str(format_decimal(value, format="#,##0.########", locale=self.locale))

    def compact(self, value: Decimal | float) -> str:
        """1.5M / 1,5 jt for big numbers; at most two decimals below a thousand."""
        if -1000 < value < 1000:
            return str(format_decimal(value, format="#,##0.##", locale=self.locale))
        return str(format_compact_decimal(value, locale=self.locale, fraction_digits=2))

    def pct(self, value: Decimal | float) -> str:
        sign = "+" if value > 0 else ""
        return sign + str(
            format_percent(Decimal(value) / 100, format="#,##0.00%", locale=self.locale)
        )

    def share(self, fraction: Decimal | float) -> str:
        """0.52 -> 52%."""
        return str(format_percent(fraction, format="#,##0%", locale=self.locale))

    def time(self, moment: datetime) -> str:
        local = moment.astimezone(self.tz)
        today = local.date() == self.now.astimezone(self.tz).date()
        stamp = format_datetime(local, "HH:mm:ss" if today else "d MMM HH:mm", locale=self.locale)
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
