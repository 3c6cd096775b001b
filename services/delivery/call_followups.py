"""What chats are told after a push: a sniper map's live state (edited in place, then one
reply on its final outcome) and a bias call the bot no longer makes."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.chats.subscriptions import SubscriptionService
from services.delivery.followups import FollowUpQueue
from services.delivery.models import (
    Alert,
    EditPush,
    OutcomePush,
    Tracking,
    Withdrawal,
    WithdrawnPush,
)
from services.kernel.alerts import AlertType
from services.signals.grading import FINAL, SniperPath
from services.signals.sniper.rule import EntryMap


class FollowUps:
    def __init__(self, queue: FollowUpQueue, subscriptions: SubscriptionService) -> None:
        self._queue = queue
        self._subscriptions = subscriptions

    async def sniper(
        self,
        session: AsyncSession,
        call_id: int,
        entry: EntryMap,
        path: SniperPath,
        expires_at: datetime | None = None,
    ) -> int:
        """Every message the map went out as is edited to its new state; on a final state the
        chats that did not mute follow-ups also get one short reply. Written in `session`, the
        transaction that records the state change, so neither is kept without the other."""
        targets = await self._queue.messages_of(call_id, session)
        if not targets:
            return 0
        now = datetime.now(UTC)
        track = Tracking(
            call_id=call_id,
            map=entry,
            status=path.status.value,
            final=path.status in FINAL,
            entered_at=path.entered_at,
            tp1_at=path.tp1_at,
            closed_at=path.closed_at,
            r=path.r,
            r_open=path.r_open,
            expires_at=expires_at,
        )
        queued = await self._queue.queue(
            Alert(started_at=now, payload=EditPush(track=track)),
            [(chat, message) for chat, message in targets],
            session=session,
        )
        if track.final:
            # A reply makes a sound: only chats still subscribed, and not muting follow-ups.
            subscribed = set(await self._subscriptions.subscribers(AlertType.SNIPER))
            muted = await self._subscriptions.muted([chat for chat, _ in targets])
            queued += await self._queue.queue(
                Alert(started_at=now, payload=OutcomePush(track=track)),
                [(c, m) for c, m in targets if c in subscribed and c not in muted],
                session=session,
            )
        return queued

    async def bias_withdrawn(
        self, symbol: str, was: str, now_direction: str, withdrawal: Withdrawal | None = None
    ) -> int:
        """Subscribers still holding a pushed call that faded to NEUTRAL hear it once;
        `withdrawal` carries the call's time and price and the price now, when known."""
        holding = await self._queue.holding(symbol, was)
        if not holding:
            return 0
        subscribed = set(await self._subscriptions.subscribers(AlertType.BIAS))
        muted = await self._subscriptions.muted(holding)
        chats = [c for c in holding if c in subscribed and c not in muted]
        alert = Alert(
            started_at=datetime.now(UTC),
            payload=WithdrawnPush(
                withdrawn=[withdrawal or Withdrawal(symbol=symbol, was=was, now=now_direction)]
            ),
        )
        async with self._queue.transaction() as session:  # told and marked told, or neither
            await self._queue.mark_withdrawn(session, symbol, holding)
            return await self._queue.queue(
                alert,
                [(chat, None) for chat in chats],
                {chat: [symbol] for chat in chats},
                session=session,
            )

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        return self._queue.transaction()
