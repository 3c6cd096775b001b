"""The single sender: drains due deliveries from the outbox under the pacer's limits.

Each try comes to one typed outcome (services/delivery/outcome.py, read from Telegram's answer
by bot/delivery/outcomes.py), written back before the next try by `Sender.apply`: accepted
(sent), 429 (the whole sender pauses for retry_after; the delivery waits), network trouble
(bounded retries with backoff), blocked/removed/unknown chat (subscriptions off, its deliveries
closed), migrated group (moved to the new id and sent there), a refused token (401: the delivery
waits, no try spent, and nothing is sent until the token works again), any other refusal
(closed as failed, logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, ReplyParameters
from aiogram.utils.i18n import I18n
from loguru import logger

from bot.delivery.outcomes import ANSWERS, outcome_of
from bot.delivery.pacer import Pacer, pacer_for
from bot.delivery.texts import PushTexts
from bot.render.text import split_message
from bot.telegram_auth import TelegramAuth
from services.chats.desk import ChatSettings
from services.chats.settings import ChatSettingsService
from services.chats.subscriptions import SubscriptionService
from services.container import Services
from services.delivery.deliveries import Deliveries, DeliveryStatus, Pending
from services.delivery.gate import Action, Verdict, decide
from services.delivery.models import Delivery
from services.delivery.outbox import Outbox
from services.delivery.outcome import (
    Gone,
    Moved,
    Outcome,
    Paused,
    Refused,
    Sent,
    TokenRefused,
    Unsure,
)
from services.kernel.metrics import Metrics
from services.kernel.settings import Settings
from services.storage.errors import StorageUnavailableError

BATCH = 200
# A sender claims what the token's pace lets it send in about this long, not a whole batch: the
# other replicas take the next chunk (the pace is shared), and a replica killed mid-push strands
# a second of sends until its claims lapse, not the whole push.
CLAIM_AHEAD_SECONDS = 1.0
IN_FLIGHT = 16  # concurrent sends; Telegram answers in ~100 ms, so 25/s needs a few at once
POLL_SECONDS = 2.0  # other replicas' alerts are seen this soon without a wake-up
RETRY_MAX_SECONDS = 300.0
FINISH_SECONDS = 5.0


class Sender:
    def __init__(
        self,
        bot: Bot,
        outbox: Outbox,
        subscriptions: SubscriptionService,
        chat_settings: ChatSettingsService,
        i18n: I18n,
        metrics: Metrics,
        settings: Settings,
        auth: TelegramAuth | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._bot = bot
        self._auth = auth if auth is not None else TelegramAuth()
        self._deliveries: Deliveries = outbox.deliveries
        self._subscriptions = subscriptions
        self._settings = chat_settings
        self._i18n = i18n
        self._metrics = metrics
        self._max_attempts = settings.delivery_max_attempts
        self._claim_seconds = settings.delivery_claim_seconds
        self._claim_at_once = max(
            1, math.ceil(settings.telegram_global_per_second * CLAIM_AHEAD_SECONDS)
        )
        # Shared with the replies' session when the app passes one: one token, one budget.
        self._pacer = pacer or pacer_for(settings)
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(IN_FLIGHT)
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # Each text rendered once per language and zone (per drain).
        self._texts = PushTexts(i18n, chat_settings.defaults)
        # At start (a previous run of this instance may have died mid-send) and after a
        # storage failure (claims made just before it were never sent): this instance's own
        # claims are due again at once, not when they lapse.
        self._take_back = True
        self._troubled_since: float | None = None  # storage failing: told once, not per poll
        self._deliveries.outage.listen(lambda up, _why: self._wake.set() if up else None)
        outbox.subscribe(self._wake.set)

    @property
    def bot(self) -> Bot:
        """Its own Bot session (bot/app.py makes it without per-call retries)."""
        return self._bot

    @classmethod
    def for_services(
        cls,
        bot: Bot,
        services: Services,
        i18n: I18n,
        auth: TelegramAuth | None = None,
        pacer: Pacer | None = None,
    ) -> Sender:
        return cls(
            bot,
            services.outbox,
            services.subscriptions,
            services.chat_settings,
            i18n,
            services.metrics,
            services.settings,
            auth,
            pacer,
        )

    async def run(self) -> None:
        """Forever: drain what is due, then sleep until woken, the next retry, or a poll. No
        database error (refused, hung, cut, disk full) ends it: it waits and resumes."""
        logger.info("alert sender started; resuming whatever is pending")
        while True:
            self._wake.clear()  # before draining: a publish during the drain must wake us again
            try:
                idle = await self._round()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._trouble(exc)
                idle = POLL_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), idle)

    async def _round(self) -> float:
        if self._take_back:
            taken = await self._deliveries.take_back(keep=set(self._in_flight))
            self._take_back = False
            if self._troubled_since is not None:  # that was a write: storage takes them again
                logger.info(
                    "alert sender: storage answers again after {:.0f}s; pending alerts resume",
                    time.monotonic() - self._troubled_since,
                )
                self._troubled_since = None
            if taken:
                logger.info("alert sender: {} deliveries it had claimed are due again", taken)
        await self._deliveries.settle()  # "sent" marks a failure kept from being written
        await self.drain()
        return await self._idle_seconds()

    def _trouble(self, exc: Exception) -> None:
        self._take_back = True
        if not isinstance(exc, StorageUnavailableError):
            logger.opt(exception=exc).error("alert sender: drain failed")
            return
        if self._troubled_since is None:
            self._troubled_since = time.monotonic()
            logger.warning(
                "alert sender: storage unavailable ({}); pending alerts wait for it", exc.detail
            )

    async def _idle_seconds(self) -> float:
        at = await self._deliveries.next_due()
        if at is None:
            return POLL_SECONDS
        return min(POLL_SECONDS, max(0.05, (at - datetime.now(UTC)).total_seconds()))

    async def drain(self) -> None:
        while True:
            await self._auth.wait()  # a refused token: nothing is claimed until it works again
            batch = [
                d for d in await self._deliveries.due(BATCH) if d.delivery_id not in self._in_flight
            ]
            if not batch:
                await self._settle()
                if not await self._deliveries.due(1):
                    self._pacer.forget_idle()
                    self._texts.clear()
                    return
                continue
            ready: dict[int, Pending] = {}
            for delivery in batch:  # one per chat: the chat's own gap decides the next
                if len(ready) >= self._claim_at_once:
                    break
                if self._pacer.ready(delivery.chat_id):
                    ready.setdefault(delivery.chat_id, delivery)
            claimed = await self._deliveries.claim(list(ready.values()), self._claim_seconds)
            waiting = [d for d in ready.values() if d.delivery_id in claimed]
            desks: dict[int, ChatSettings] = {}
            if waiting:  # once per batch (its chats' settings may change between batches)
                try:
                    desks = await self._settings.many({d.chat_id for d in waiting}, strict=True)
                except StorageUnavailableError:
                    # Not the defaults: a push must not ignore a chat's quiet hours or mutes
                    # because the database hiccuped. The batch waits, unspent.
                    await self._deliveries.unclaim([d.delivery_id for d in waiting])
                    raise
            try:
                # Nothing more is sent while outcomes cannot be written (a send that cannot be
                # recorded is one a crash would repeat): the rest waits for storage.
                while waiting and self._auth.authorized and self._troubled_since is None:
                    await self._slots.acquire()
                    await self._pacer.slot(waiting[0].chat_id)
                    delivery = waiting.pop(0)
                    self._in_flight.add(delivery.delivery_id)
                    task = asyncio.create_task(self._deliver(delivery, desks[delivery.chat_id]))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            except asyncio.CancelledError:
                # Stopping: what was claimed but not yet sent is due again at once after a
                # restart, not after the claim lapses.
                await asyncio.shield(self._deliveries.unclaim([d.delivery_id for d in waiting]))
                raise
            if waiting:  # the token was refused mid-batch: the rest waits for it, unspent
                await self._deliveries.unclaim([d.delivery_id for d in waiting])
            if self._troubled_since is not None:
                return  # the next round takes back this instance's claims once writes work
            if not claimed:
                await asyncio.sleep(max(0.05, self._pacer.soonest([d.chat_id for d in batch])))

    async def _settle(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def finish(self) -> None:
        """On a clean stop: let the sends already at Telegram record their outcome (for a few
        seconds at most), so none is left claimed and sent again after the restart."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settle(), FINISH_SECONDS)
        try:
            await asyncio.wait_for(self._deliveries.settle(), FINISH_SECONDS)
        except Exception as exc:  # still down: these few are sent again after the restart
            logger.warning(
                "alert sender: {} sends Telegram accepted could not be marked ({})",
                self._deliveries.unsettled,
                type(exc).__name__,
            )

    async def _deliver(self, delivery: Pending, desk: ChatSettings) -> None:
        """One send, from its request to its outcome on record: the slot it holds bounds the
        sends a SIGKILL could repeat (asked, or answered and not yet marked) to IN_FLIGHT."""
        try:
            await self._send(delivery, desk)
        except asyncio.CancelledError:
            raise
        except StorageUnavailableError as exc:
            # Its outcome is not written: it stays claimed by this instance and is taken back
            # once storage answers (a send Telegram accepted is remembered by Deliveries).
            self._trouble(exc)
        except Exception as exc:
            logger.opt(exception=exc).error("delivery {} failed unexpectedly", delivery.delivery_id)
        finally:
            self._in_flight.discard(delivery.delivery_id)
            self._slots.release()

    async def _call_telegram(self, d: Pending, desk: ChatSettings, silent: bool) -> int | None:
        """Returns the id of the (first) message made, which follow-ups edit or answer."""
        text, markup = self._texts.of(d, desk)
        if d.alert.payload.delivery is Delivery.EDIT and d.reply_to is not None:
            await self._edit(d.chat_id, d.reply_to, text, markup)
            return d.reply_to
        first: int | None = None
        parts = split_message(text)
        for n, part in enumerate(parts):
            message = await self._bot.send_message(
                d.chat_id,
                part,
                reply_parameters=(
                    ReplyParameters(message_id=d.reply_to, allow_sending_without_reply=True)
                    if d.reply_to is not None and first is None
                    else None
                ),
                reply_markup=markup if n == len(parts) - 1 else None,  # where it ends
                disable_notification=silent or None,
            )
            first = first if first is not None else message.message_id
        return first

    async def _edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        """A pushed map is one message; an edit that would change nothing is not an error.
        Its buttons go with every edit (an edit without them would take them away)."""
        try:
            await self._bot.edit_message_text(
                text=split_message(text)[0],
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=markup,
            )
        except TelegramBadRequest as exc:
            message = exc.message.lower()
            if "not modified" in message:
                return
            if "message to edit not found" in message or "can't be edited" in message:
                # Deleted by someone in the chat: nothing left to keep current; not an error.
                logger.info("sniper map in chat {} is gone; its edit is dropped", chat_id)
                return
            raise

    async def _send(self, d: Pending, desk: ChatSettings) -> None:
        payload = d.content().payload
        verdict = decide(
            desk,
            self._settings.defaults,
            d.alert.type,
            payload.coins(),
            datetime.now(UTC),
            urgent=payload.urgent(),
        )
        if not verdict.sends:
            await self._set_aside(d, verdict)
            return
        try:
            outcome: Outcome = Sent(
                await self._call_telegram(d, desk, silent=verdict.action is Action.SILENT)
            )
        except ANSWERS as exc:
            outcome = outcome_of(exc)
        await self.apply(d, outcome)

    async def _set_aside(self, d: Pending, verdict: Verdict) -> None:
        """Held, muted or dropped by the chat's settings: written in the outbox, not sent."""
        status = {
            Action.HOLD: DeliveryStatus.HELD,
            Action.MUTE: DeliveryStatus.MUTED,
            Action.DROP: DeliveryStatus.DROPPED,
        }[verdict.action]
        await self._deliveries.set_aside(d, status, verdict.until or datetime.now(UTC))
        self._metrics.deliveries.labels(status).inc()

    async def apply(self, d: Pending, outcome: Outcome) -> None:
        """What one try came to, written back to the outbox (and the chat's subscriptions) with
        its metrics and log line: the one place each outcome is handled."""
        now = datetime.now(UTC)
        match outcome:
            case Sent(message_id):
                self._metrics.deliveries.labels("sent").inc()
                lag = await self._deliveries.sent(d, message_id)
                if lag is not None:
                    self._metrics.alert_lag.labels(d.alert.type.value).observe(lag)
            case Paused(seconds):
                self._metrics.telegram_errors.labels("SendMessage", "429").inc()
                self._pacer.pause(seconds)
                logger.warning("telegram 429: alert sender pauses {}s", seconds)
                await self._deliveries.postpone(d, "429", now + timedelta(seconds=seconds))
            case TokenRefused(detail):
                self._auth.revoked(self._bot, detail)
                await self._deliveries.postpone(d, "401 Unauthorized", now)
            case Moved(chat_id):
                await self._subscriptions.chat_migrated(d.chat_id, chat_id)
                if await self._deliveries.redirect(d, chat_id):
                    logger.info("chat {} migrated to {}: alert re-sent there", d.chat_id, chat_id)
                self._wake.set()
            case Gone(why):
                self._metrics.deliveries.labels("gone").inc()
                await self._subscriptions.chat_gone(d.chat_id, why)
                # This delivery and any other still queued there.
                await self._deliveries.close_chat(d.chat_id, why)
            case Refused(why):
                self._metrics.deliveries.labels("failed").inc()
                logger.error("delivery {} refused by Telegram: {}", d.delivery_id, why)
                await self._deliveries.close(d, DeliveryStatus.FAILED, why)
            case Unsure(error):
                await self._later(d, error, now)

    async def _later(self, d: Pending, error: str, now: datetime) -> None:
        delay = min(RETRY_MAX_SECONDS, 2.0 ** (d.attempts + 1))
        again = await self._deliveries.retry(
            d, error, now + timedelta(seconds=delay), self._max_attempts
        )
        if again:
            logger.warning(
                "delivery {} to chat {}: {}; retry in {}s", d.delivery_id, d.chat_id, error, delay
            )
        else:
            self._metrics.deliveries.labels("failed").inc()
            logger.error(
                "delivery {} to chat {}: {}; retries spent", d.delivery_id, d.chat_id, error
            )
