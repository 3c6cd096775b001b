"""Every call the jobs make goes into the performance database, pushed or not."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.market.whale.analysis import Flow, WhaleEvent
from services.signals.bias.rule import BiasCall, Direction
from services.signals.grading import SniperLevels, SniperStatus
from services.signals.sniper.rule import EntryMap
from services.storage.calls import CallStore, NewCall, StoredCall
from services.storage.db import Record
from services.storage.errors import StorageUnavailableError


class Kind:
    BIAS = "bias"
    SNIPER = "sniper"
    WHALE = "whale"


def bias_call(call: BiasCall, pushed: bool) -> NewCall:
    return NewCall(
        kind=Kind.BIAS,
        symbol=call.symbol,
        direction=call.direction.value,
        made_at=call.at,
        key=call.at.isoformat(),
        price=call.price,
        pushed=pushed,
        detail=call.model_dump_json(),
    )


def sniper_call(entry: EntryMap) -> NewCall:
    return NewCall(
        kind=Kind.SNIPER,
        symbol=entry.symbol,
        direction=Direction.LONG.value,
        made_at=entry.at,
        key=entry.at.isoformat(),
        price=entry.price,
        detail=entry.model_dump_json(),
    )


def whale_call(event: WhaleEvent) -> NewCall | None:
    """A whale event read as a call in its flow's direction; None when its flow is unknown."""
    if event.flow is None:
        return None
    return NewCall(
        kind=Kind.WHALE,
        symbol=event.coin,
        direction=(Direction.LONG if event.flow is Flow.BUY else Direction.SHORT).value,
        made_at=event.at,
        # The same event comes back on every run while the vendor lists it: one call.
        key=f"{event.venue}|{event.at.isoformat()}|{event.usd}"[:128],
        price=event.price,
        detail=event.model_dump_json(),
    )


def levels(call: StoredCall, lifetime: timedelta) -> SniperLevels | None:
    entry = EntryMap.model_validate_json(call.detail)
    if entry.entry is None or entry.invalidation is None or len(entry.targets) < 2:
        return None
    return SniperLevels(
        entry=entry.entry,
        stop=entry.invalidation,
        tp1=entry.targets[0].price,
        tp2=entry.targets[1].price,
        pushed_at=call.made_at,
        lifetime=lifetime,
    )


class CallLevels(BaseModel):
    """A stored call as a chart draws it."""

    kind: str
    at: datetime
    map: EntryMap | None = None  # a sniper map: entry, stop, targets
    direction: str | None = None  # a bias call: LONG / SHORT at `price`
    price: Decimal | None = None


class CallLog:
    def __init__(self, store: CallStore) -> None:
        self.store = store

    async def live_map(self, symbol: str) -> EntryMap | None:
        """The newest pushed sniper map on `symbol` still being tracked, for /chart to mark;
        None when there is none or the database cannot say (a chart is worth drawing
        without it)."""
        try:
            found = await self.live_sniper(symbol)
        except StorageUnavailableError:
            return None
        if found is None or not found[0].pushed or not found[1].setup:
            return None
        return found[1]

    async def levels_of(self, kind: str, symbol: str, second: datetime) -> CallLevels | None:
        """What a chart opened from a pushed call draws: a sniper map's levels, or a bias
        call's direction and price; None when the call is not found or the database cannot
        say (the chart is drawn without them)."""
        try:
            call = await self.store.made_in_second(kind, symbol, second)
        except StorageUnavailableError:
            return None
        if call is None:
            return None
        if kind == Kind.SNIPER:
            return CallLevels(
                kind=kind, at=call.made_at, map=EntryMap.model_validate_json(call.detail)
            )
        return CallLevels(kind=kind, at=call.made_at, direction=call.direction, price=call.price)

    def bias(self, calls: list[BiasCall]) -> Record:
        """Records the LONG/SHORT calls with the alert that pushes them, each marked pushed
        when it reached a chat."""

        async def record(session: AsyncSession, pushed: set[str]) -> None:
            await self.store.add(
                session,
                [
                    bias_call(c, c.symbol in pushed)
                    for c in calls
                    if c.direction is not Direction.NEUTRAL
                ],
            )

        return record

    def pushed(self, call_id: int) -> Record:
        """Marks the call pushed with the alert that reached a chat."""

        async def mark(session: AsyncSession, symbols: set[str]) -> None:
            if symbols:
                await self.store.mark_pushed(session, call_id)

        return mark

    async def whales(self, events: list[WhaleEvent], threshold: Decimal) -> int:
        """Records the events at or above the threshold; returns how many were new."""
        new = 0
        for event in events:
            call = whale_call(event) if event.usd >= threshold else None
            if call is not None:
                _, created = await self.store.record(call)
                new += created
        return new

    async def sniper(self, entry: EntryMap) -> int:
        call_id, _ = await self.store.record(sniper_call(entry), status=SniperStatus.WAITING)
        return call_id

    async def live_sniper(self, symbol: str) -> tuple[StoredCall, EntryMap] | None:
        """The newest sniper map on `symbol` still being tracked: the same setup seen again is
        this call, not a new one (and while it waits for its entry, late subscribers get it)."""
        live = [c for c in await self.store.open_calls(Kind.SNIPER) if c.symbol == symbol]
        if not live:
            return None
        newest = live[-1]
        return newest, EntryMap.model_validate_json(newest.detail)
