"""The data footer under every market answer: source, age, and stale/fallback when so."""

from __future__ import annotations

from datetime import datetime

from aiogram.utils.i18n import gettext as _

from bot.render.errors import reason_text
from bot.render.text import esc, i
from bot.render.view import View
from services.kernel.errors import Reason


def footer(
    view: View,
    source: str,
    as_of: datetime,
    *,
    stale: bool = False,
    fallback_reason: str | None = None,
) -> str:
    parts = [
        _("Source: {source}").format(source=esc(source)),
        _("as of {time} ({age})").format(time=view.time(as_of), age=view.age(as_of)),
    ]
    if stale:
        parts.append(_("⚠️ stale: live source failed"))
    if fallback_reason:
        parts.append(_("fallback: {reason}").format(reason=plain_fallback(fallback_reason)))
    return i(" · ".join(parts))


def plain_fallback(why: str) -> str:
    """Services note why a fallback answered as "OKX timeout": the reason's code becomes words
    about its source ("OKX is not answering")."""
    source, _sep, word = why.rpartition(" ")
    if source and word in Reason._value2member_map_:
        return reason_text(Reason(word), source)
    return esc(why)


def chart_context(view: View, source: str, as_of: datetime, *, stale: bool = False) -> str:
    """The footer's facts as a chart's plain-text context line (no HTML, no emoji: the
    chart's font has no glyphs for them)."""
    parts = [
        _("Source: {source}").format(source=source),
        _("as of {time}").format(time=view.time(as_of)),
    ]
    if stale:
        parts.append(_("stale: live source failed"))
    return " · ".join(parts)
