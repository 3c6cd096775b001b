"""A job's change of health, queued for the bot admins' private chats through the outbox."""

from __future__ import annotations

from datetime import datetime

from loguru import logger

from services.delivery.models import Alert, HealthNotice, HealthPush
from services.delivery.outbox import Outbox
from services.signals.health import JobHealth, RunOutcome


async def notify_admins(
    outbox: Outbox,
    admins: list[int],
    health: JobHealth,
    healthy: bool,
    outcome: RunOutcome,
    started: datetime,
) -> None:
    failing = health.failing(outcome)
    if healthy:
        logger.info("{} job recovered", health.job)
    else:
        logger.error(
            "{} job unhealthy: {}",
            health.job,
            ", ".join(f"{m.name}: {m.reason.value}" for m in failing),
        )
    if not admins:
        return
    notice = HealthNotice(job=health.job, healthy=healthy, failing=failing, at=started)
    alert = Alert(started_at=started, payload=HealthPush(notice=notice))
    await outbox.publish(alert, [], admins)  # a user id is its private chat with the bot
