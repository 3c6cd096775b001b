"""GET /api/v1/alerts/{chat_id}: the alerts a chat set, as /alerts lists them (read-only)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel

from bot.api.args import Args
from services.container import Services
from services.kernel.errors import ArgumentError
from services.kernel.models import Provenance
from services.kernel.rule_model import Metric, RuleKind, Side, Status
from services.vendors.okx import SOURCE as OKX


class ApiAlert(BaseModel):
    """One alert as /alerts lists it."""

    id: int
    symbol: str  # the OKX instrument it reads: SOL-USDT (spot) or SOL-USDT-SWAP
    kind: RuleKind
    metric: Metric = Metric.PRICE  # what it reads: the price, funding (% per 8 h), OI (coins)
    side: Side  # a level: above/below; a move: up/down/both; a flip: up/down/both
    level: Decimal | None = None
    move_pct: Decimal | None = None
    window: str | None = None
    repeat_seconds: int | None = None  # None: fires once
    note: str
    status: Status
    paused_until: datetime | None = None
    expires_at: datetime
    fires: int
    last_fired_at: datetime | None = None
    created_at: datetime
    price: Decimal | None = None  # the instrument's price now; None when it could not be had
    distance_pct: Decimal | None = None  # how far the price must go to reach a level


class ChatAlerts(Provenance):
    chat_id: int
    count: int
    limit: int
    alerts: list[ApiAlert]


async def chat_alerts(args: Args, services: Services) -> BaseModel:
    text = args["chat_id"]
    try:
        chat_id = int(text)
    except ValueError:
        chat_id = 2**63  # refused below, as any id Telegram could not give
    if not -(2**63) <= chat_id < 2**63:
        raise ArgumentError(text[:40], ["a Telegram chat id, e.g. 428756321 or -1001234567890"])
    overview = await services.rule_review.overview(chat_id, group=chat_id < 0)
    alerts = [
        ApiAlert(
            id=listed.rule.id,
            symbol=listed.rule.spec.symbol,
            kind=listed.rule.spec.kind,
            metric=listed.rule.spec.metric,
            side=listed.rule.spec.side,
            level=listed.rule.spec.level,
            move_pct=listed.rule.spec.move_pct,
            window=listed.rule.spec.window,
            repeat_seconds=listed.rule.spec.repeat_seconds,
            note=listed.rule.note,
            status=listed.rule.status,
            paused_until=listed.rule.paused_until,
            expires_at=listed.rule.expires_at,
            fires=listed.rule.fires,
            last_fired_at=listed.rule.state.last_fired_at,
            created_at=listed.rule.created_at,
            price=group.price,
            distance_pct=listed.distance,
        )
        for group in overview.groups
        for listed in group.alerts
    ]
    return ChatAlerts(
        chat_id=chat_id,
        count=overview.count,
        limit=overview.limit,
        alerts=alerts,
        source=OKX,
        as_of=datetime.now(UTC),
    )
