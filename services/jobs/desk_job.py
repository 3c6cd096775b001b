"""Each minute, one job for every chat's own clock: the pushes its quiet hours held, released as
one message once they end; and the briefs that are due.

One scan a minute, not a scheduler job per chat: who is due is decided from the brief columns
alone (each zone's local time computed once), and only the due chats' settings and data are
read. A brief is claimed (its day written) in the transaction that queues it, so across
replicas, restarts and lease handovers it goes once; one missed while the bot was down goes
when it is back, the same local day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from loguru import logger

from services.chats.desk import Defaults, Quote
from services.chats.settings import ChatSettingsService
from services.delivery.held import HeldDelivery, HeldPushes
from services.delivery.models import Alert, AwayPush, BriefPush
from services.delivery.outbox import Outbox
from services.jobs.brief_reader import BriefReader
from services.jobs.parts import JobParts
from services.kernel.symbols import Instrument
from services.market.parts import ModuleServices
from services.market.rupiah import RupiahService
from services.market.ticker.service import TickerService
from services.signals.track_record import TrackRecordService
from services.storage.chat_settings import BriefSlot, ChatSettingsStore


@dataclass(frozen=True)
class DeskRun:
    released: int  # chats sent their held pushes
    briefed: int  # briefs queued


def due(slots: list[BriefSlot], defaults: Defaults, now: datetime) -> dict[int, str]:
    """The chats whose brief time has come today (their local day) and who have not had it:
    chat -> that day. Each zone's local time is computed once, not once per chat."""
    local_by_zone: dict[str, tuple[str, int]] = {}
    found: dict[int, str] = {}
    for slot in slots:
        zone = slot.tz or defaults.timezone
        local = local_by_zone.get(zone)
        if local is None:
            moment = now.astimezone(ZoneInfo(zone))
            local = local_by_zone[zone] = (
                moment.date().isoformat(),
                moment.hour * 60 + moment.minute,
            )
        day, minute = local
        if minute >= slot.minute and slot.last_on != day:
            found[slot.chat_id] = day
    return found


class DeskJob:
    def __init__(
        self,
        outbox: Outbox,
        settings: ChatSettingsService,
        store: ChatSettingsStore,
        held: HeldPushes,
        modules: ModuleServices,
        track_record: TrackRecordService,
        rupiah: RupiahService,
    ) -> None:
        self._outbox = outbox
        self._settings = settings
        self._store = store
        self._held = held
        self._modules = modules
        self._track_record = track_record
        self._rupiah = rupiah

    async def run(self) -> DeskRun:
        now = datetime.now(UTC)
        released = await self._release(now)
        briefed = await self._briefs(now)
        return DeskRun(released, briefed)

    async def _release(self, now: datetime) -> int:
        holding = await self._held.holding(now)
        if not holding:
            return 0
        desks = await self._settings.fresh(list(holding))
        released = 0
        for chat_id, held in holding.items():
            still_quiet = desks[chat_id].quiet_until(self._settings.defaults, now) is not None
            # Released when its hours end, or at once when the chat turned them off.
            if still_quiet and min(h.until for h in held) > now:
                continue
            summary = Alert(started_at=now, payload=await self._away(held))
            if await self._held.release(chat_id, held, summary):
                released += 1
        if released:
            logger.info("desk: released the held pushes of {} chats", released)
        return released

    async def _away(self, held: list[HeldDelivery]) -> AwayPush:
        coins = sorted({c for h in held for c in h.held.payload.coins()})
        prices: dict[str, Decimal] = {}
        tickers = self._modules.get(TickerService)
        for coin in coins:
            try:
                prices[coin] = (await tickers.ticker(Instrument(base=coin))).last
            except Exception as exc:  # the summary still goes, without "now" for that coin
                logger.debug("desk: no price now for {} ({})", coin, type(exc).__name__)
        return AwayPush(held=[h.held for h in held], prices=prices)

    async def _briefs(self, now: datetime) -> int:
        chats = due(await self._store.brief_slots(), self._settings.defaults, now)
        if not chats:
            return 0
        desks = await self._settings.fresh(list(chats))
        reader = BriefReader(self._modules, self._track_record, self._rupiah)
        queued = 0
        for chat_id, day in chats.items():
            desk = desks[chat_id]
            brief = await reader.brief(
                desk.watch(self._settings.defaults), day, now, desk.currency() is Quote.IDR
            )
            held, muted = await self._held.counts(chat_id, now - timedelta(hours=24))
            brief = brief.model_copy(update={"held": held, "muted": muted})
            alert = Alert(started_at=now, payload=BriefPush(brief=brief))
            async with self._outbox.transaction() as session:
                taken = await session.execute(ChatSettingsStore.take_brief(chat_id, day))
                if not taken.rowcount:  # type: ignore[attr-defined]
                    continue  # another replica, or this one before a restart, sent it
                await self._outbox.queue_for(session, alert, chat_id)
            queued += 1
        if queued:
            self._outbox.published()
            logger.info("desk: {} briefs queued", queued)
        return queued


def build(parts: JobParts) -> DeskJob:
    return DeskJob(
        parts.outbox,
        parts.chat_settings,
        parts.chat_settings.store,
        parts.held,
        parts.modules,
        parts.track_record,
        parts.rupiah,
    )
