"""`ACTIVE_HOURS` in `TIMEZONE`: whether the sniper may run now, said once per window."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from loguru import logger

from services.kernel.errors import ArgumentError


def _parse(text: str) -> time | None:
    """HH:MM; 24:00 means the end of the day (None)."""
    hours, _, minutes = text.strip().partition(":")
    if hours == "24" and minutes in ("", "00"):
        return None
    return time(int(hours), int(minutes or 0))


class ActiveHours:
    def __init__(self, spec: str, timezone: str) -> None:
        try:
            start_text, end_text = spec.split("-")
            start = _parse(start_text)
            self._end = _parse(end_text)
        except ValueError:
            raise ArgumentError(spec, ["HH:MM-HH:MM"]) from None
        self._start = start or time(0)
        self.spec = spec
        self.zone = ZoneInfo(timezone)
        self._said: bool | None = None  # what the log last said

    def contains(self, at: datetime) -> bool:
        local = at.astimezone(self.zone).time()
        end = self._end
        if end is None:
            return local >= self._start
        if self._start <= end:
            return self._start <= local < end
        return local >= self._start or local < end  # a window over midnight, e.g. 22:00-04:00

    def check(self, at: datetime) -> bool:
        """Like `contains`, and logs the window on entering or leaving it, not every tick."""
        inside = self.contains(at)
        if inside != self._said:
            city = self.zone.key.split("/")[-1].replace("_", " ")
            local = at.astimezone(self.zone).strftime("%H:%M")
            if inside:
                logger.info(
                    "active trading hours - {} {} ({} now): sniper on", city, self.spec, local
                )
            else:
                logger.info(
                    "outside active trading hours - {} {} ({} now): sniper waits",
                    city,
                    self.spec,
                    local,
                )
            self._said = inside
        return inside
