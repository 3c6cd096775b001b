"""The data footer under every market answer: source, age, and stale/fallback when so."""

from __future__ import annotations

from datetime import datetime

from aiogram.utils.i18n import gettext as _

from bot.render.errors import reason_text
from bot.render.text import esc, html_to_plain, i
from bot.render.view import View
from services.kernel.errors import Reason
from services.kernel.models import Provenance


def footer(
    view: View,
    source: str,
    as_of: datetime,
    *,
    stale: bool = False,
    fallback_reason: str | None = None,
    stale_reason: Reason | None = None,
    stale_by: str | None = None,
) -> str:
    parts = [
        _("Source: {source}").format(source=esc(source)),
        _("as of {time} ({age})").format(time=view.time(as_of), age=view.age(as_of)),
    ]
    if stale:
        parts.append("⚠️ " + stale_words(stale_reason, stale_by))
    if fallback_reason:
        parts.append(_("fallback: {reason}").format(reason=plain_fallback(fallback_reason)))
    return i(" · ".join(parts))


def data_footer(view: View, data: Provenance) -> str:
    """The footer of one answer's data: where from, how old, and what kind of old."""
    return footer(
        view,
        data.source,
        data.as_of,
        stale=data.stale,
        fallback_reason=data.fallback_reason,
        stale_reason=data.stale_reason,
        stale_by=data.stale_by,
    )


def stale_words(reason: Reason | None, by: str | None) -> str:
    """ "last good copy: OKX is not answering": an old copy says why it is what was shown."""
    if reason is None:
        return _("last good copy: the live source failed")
    return _("last good copy: {why}").format(why=reason_text(reason, by))


def plain_fallback(why: str) -> str:
    """Services note why a fallback answered as "OKX timeout": the reason's code becomes words
    about its source ("OKX is not answering")."""
    source, _sep, word = why.rpartition(" ")
    if source and word in Reason._value2member_map_:
        return reason_text(Reason(word), source)
    return esc(why)


def chart_context(view: View, data: Provenance) -> str:
    """The footer's facts as a chart's plain-text context line (no HTML, no emoji: the
    chart's font has no glyphs for them)."""
    parts = [
        _("Source: {source}").format(source=data.source),
        _("as of {time}").format(time=view.time(data.as_of)),
    ]
    if data.stale:
        parts.append(html_to_plain(stale_words(data.stale_reason, data.stale_by)))
    return " · ".join(parts)
