"""/status answer."""

from __future__ import annotations

from datetime import datetime

from aiogram.utils.i18n import gettext as _

from bot.render.errors import job_name, module_name, reason_text
from bot.render.text import b, code, esc
from bot.render.view import View
from services.kernel.breaker import BreakerSnapshot, BreakerState
from services.kernel.modules import Module
from services.kernel.status import SET_UP, Health, ModuleStatus, Overall
from services.signals.health import JobHealth

ICONS = {Health.OK: "🟢", Health.DEGRADED: "🟡", Health.UNAVAILABLE: "🔴"}


def _health(health: Health) -> str:
    return {
        Health.OK: _("ok"),
        Health.DEGRADED: _("degraded"),
        Health.UNAVAILABLE: _("unavailable"),
    }[health]


def _overall(overall: Overall) -> str:
    return {
        Overall.OK: _("all systems ok"),
        Overall.DEGRADED: _("degraded"),
        Overall.UNHEALTHY: _("unhealthy"),
    }[overall]


def _module_line(m: ModuleStatus, view: View, details: bool) -> str:
    name = b(module_name(m.name))
    if not m.checked:
        return f"⚪ {name}: " + _("not used yet")
    if m.reason in SET_UP:
        # How the install is set up (no key, a plan, a switch) is not a fault: served from a
        # free source it reads ok; with nothing to answer from, neutral, saying what it needs.
        if m.health is Health.UNAVAILABLE:
            text = f"⚪ {name}: {reason_text(m.reason, m.reason_by)}"
        else:
            text = f"🟢 {name}: " + _("ok (free source)")
    else:
        text = f"{ICONS[m.health]} {name}: {_health(m.health)}"
        if m.reason is not None:
            text += f" ({reason_text(m.reason, m.reason_by)})"
    # A backing store's engine (sqlite, postgresql) is the operator's business.
    if m.source and (details or m.name in Module.__members__.values()):
        text += " · " + esc(m.source)
    if m.last_success is not None:
        text += " · " + _("last success {age}").format(age=view.age(m.last_success))
    if details and m.detail:
        text += f" · {code(esc(m.detail))}"
    return text


def _breaker_line(s: BreakerSnapshot) -> str:
    text = (
        f"{code(esc(s.name))}: "
        + {
            BreakerState.CLOSED: _("closed"),
            BreakerState.OPEN: _("open"),
            BreakerState.HALF_OPEN: _("half-open"),
        }[s.state]
    )
    if s.state is not BreakerState.CLOSED and s.reason is not None:
        text += f" ({reason_text(s.reason)})"
    if s.state is BreakerState.OPEN:
        text += " · " + _("retry in {n}s").format(n=int(s.retry_in_seconds))
    return text


def _job_line(job: JobHealth, view: View) -> str:
    state = _("healthy") if job.healthy else _("unhealthy")
    line = f"{b(job_name(job.job))}: {state}"
    if job.resume_at is not None and job.failures:
        line += " · " + _("{n} failed runs, next after {time}").format(
            n=job.failures, time=view.time(job.resume_at)
        )
    return line


def render_status(
    overall: Overall,
    modules: list[ModuleStatus],
    breakers: list[BreakerSnapshot],
    view: View,
    *,
    details: bool = False,
    known_chats: int | None = None,
    jobs: list[JobHealth] | None = None,
    polling_conflict_since: datetime | None = None,
) -> str:
    """`details` (breakers and each module's internal detail), jobs and chats served are for a
    bot admin in a private chat: a group's members read the modules' health and nothing else.
    A second poller on the token is everyone's to read: it is why some messages go unanswered."""
    lines = [b(_("Status: {overall}").format(overall=_overall(overall))), ""]
    if polling_conflict_since is not None:
        lines += [
            "🔴 "
            + _(
                "Another copy of this bot has been fetching its messages since {time}, so some "
                "of them are not answered here."
            ).format(time=view.time(polling_conflict_since)),
            "",
        ]
    lines += [_module_line(m, view, details) for m in modules]
    if details and breakers:
        lines += ["", b(_("Circuit breakers"))]
        lines += [_breaker_line(s) for s in breakers]
    if jobs:
        lines += ["", b(_("Alert jobs"))]
        lines += [_job_line(job, view) for job in jobs]
    if known_chats is not None:
        lines += ["", _("Chats served: {n}").format(n=known_chats)]
    return "\n".join(lines)
