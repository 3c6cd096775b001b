"""Wires the bot: session, dispatcher, middlewares, routers, HTTP server; polling or webhook."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.utils.i18n import I18n
from aiohttp import web
from loguru import logger

from bot.api.server import add_api
from bot.delivery.pacer import Pacer, pacer_for
from bot.delivery.sender import Sender
from bot.delivery.shared_pacer import shared_pacer_for
from bot.handlers.errors import errors_router
from bot.http_server import make_app, start_http
from bot.i18n import make_i18n
from bot.middlewares.chat_settings import ChatSettingsMiddleware
from bot.middlewares.chats import ChatSeenMiddleware
from bot.middlewares.deadline import DeadlineMiddleware
from bot.middlewares.locale import UserLocaleMiddleware
from bot.middlewares.lock import LockMiddleware
from bot.middlewares.metrics import CommandMetricsMiddleware
from bot.middlewares.same_question import SameQuestionMiddleware
from bot.middlewares.throttle import ThrottleMiddleware
from bot.middlewares.typing import TypingMiddleware
from bot.middlewares.view import ViewMiddleware
from bot.registry import COMMANDS, canonical, commands_router, publish_commands
from bot.response_types import KeepResponseTypes
from bot.scheduler import make_scheduler
from bot.startup import (
    StartupError,
    check_redis,
    database_shown,
    port_taken,
    why,
)
from bot.telegram_auth import TelegramAuth
from bot.telegram_conflict import CONFLICT_NOTICE, PollingConflict, tell_admins
from bot.telegram_pacing import PacedSends
from bot.telegram_retry import RetryAfterMiddleware
from bot.webhook import WebhookHandler
from services.container import Services, build_services
from services.kernel.settings import Settings


def make_bot(
    settings: Settings,
    services: Services,
    auth: TelegramAuth | None = None,
    *,
    retries: bool = True,
    pacer: Pacer | None = None,
    conflict: PollingConflict | None = None,
) -> Bot:
    """`retries=False` for the alert sender's own session: it retries per delivery itself, and
    paces itself. Replies are paced through `pacer` (the sender's, so both share one budget)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    session.middleware(KeepResponseTypes())
    if conflict is not None:  # outside the retries: a 409 is waited out here, quietly
        session.middleware(conflict)
    session.middleware(
        RetryAfterMiddleware(
            services.metrics,
            settings.telegram_retry_max,
            auth,
            retries=retries,
            outage_seconds=settings.telegram_outage_seconds,
        )
    )
    if retries:  # inside the retries: each try waits its turn
        session.middleware(PacedSends(pacer or pacer_for(settings)))
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def make_dispatcher(settings: Settings, services: Services, i18n: I18n) -> Dispatcher:
    dp = Dispatcher(services=services, settings=settings, commands=COMMANDS)
    dp.workflow_data.update(services.by_name())  # handlers declare the services they use
    # Once per update, before the language and the view read them.
    dp.update.outer_middleware(ChatSettingsMiddleware(services.chat_settings))
    UserLocaleMiddleware(i18n=i18n).setup(dp)
    deadline = DeadlineMiddleware(settings.chat_deadline_seconds, settings.hedge_after_seconds)
    dp.message.outer_middleware(deadline)
    dp.callback_query.outer_middleware(deadline)
    view = ViewMiddleware(i18n, services.chat_settings.defaults, set(settings.admin_ids))
    dp.message.outer_middleware(view)
    dp.callback_query.outer_middleware(view)
    throttle = ThrottleMiddleware(services.limits, settings.user_commands_per_minute)
    dp.message.outer_middleware(throttle)
    dp.callback_query.outer_middleware(throttle)
    dp.message.middleware(ChatSeenMiddleware(services.seen_chats))
    dp.message.middleware(LockMiddleware())
    dp.message.middleware(SameQuestionMiddleware(canonical))
    dp.message.middleware(TypingMiddleware())
    dp.message.middleware(CommandMetricsMiddleware(services.metrics, canonical))
    dp.include_router(commands_router())
    dp.include_router(errors_router())
    return dp


async def _until_signalled() -> None:
    """Webhook mode has no polling loop to catch SIGTERM; stop cleanly on it ourselves."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def run(settings: Settings) -> None:
    services: Services | None = None
    bot: Bot | None = None
    try:
        services = build_services(settings)
        i18n = make_i18n(settings.default_locale)
        # A 401 before getMe has passed is the start-up's to report (and exit on).
        auth = TelegramAuth(armed=False)
        pacer = shared_pacer_for(settings)  # replies and pushes: one token, one budget
        conflict = PollingConflict(on_conflict=lambda: _tell_conflict(bot, settings, i18n))
        bot = make_bot(settings, services, auth, pacer=pacer, conflict=conflict)
        dp = make_dispatcher(settings, services, i18n)
        dp["polling"] = conflict  # /status says when another copy takes the updates
        app = make_app(services, auth, conflict)
        add_api(app, services, settings)
        webhook = bool(settings.webhook_url and settings.webhook_secret.get_secret_value())
        if webhook:
            WebhookHandler(
                dp,
                bot,
                secret_token=settings.webhook_secret.get_secret_value(),
                in_flight=settings.updates_in_flight,
            ).register(app, path=urlparse(settings.webhook_url).path or "/webhook")
        runner = await _start_up(settings, services, app)
    except BaseException as exc:
        await _close_quietly(services, bot)
        if isinstance(exc, StartupError | TelegramUnauthorizedError) or not isinstance(
            exc, Exception
        ):
            raise
        raise StartupError(f"The bot could not start: {why(exc)}.") from None
    auth.arm()
    # Everything built so far lives as long as the process: out of the collector's sight, a
    # full collection no longer walks the whole import-time heap in the middle of a burst
    # (it cost a 1,000-request cached burst ~90 ms).
    gc.freeze()
    # A burst keeps thousands of updates in flight: at the default thresholds their objects
    # are promoted within a few hundred allocations and every tenth young pass walks the whole
    # heap again (5,000 cached answers to known users cost 2.6 ms of CPU each; 1.7 ms with
    # these, bench/throughput.py). Garbage cycles wait a little longer; nothing else changes.
    gc.set_threshold(20_000, 20, 20)
    sender_bot = make_bot(settings, services, auth, retries=False)
    sender = Sender.for_services(sender_bot, services, i18n, auth, pacer)
    sending = asyncio.create_task(sender.run(), name="alert-sender")  # resumes what is pending
    scheduler = make_scheduler(services)
    scheduler.start()
    stream = services.liquidation_stream
    streaming = asyncio.create_task(stream.run(), name="liquidation-stream") if stream else None
    logger.info("http: /healthz and /metrics on {}:{}", settings.http_host, settings.http_port)
    # The menu is published beside polling, not before it: the first answer does not wait
    # on a round trip per language, and a Bot API that refuses it costs only the menu.
    menu = asyncio.create_task(_publish_menu(bot, i18n), name="menu")
    try:
        if webhook:
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                # chat_member is only sent when asked for: a demoted admin's cached rights
                # are dropped on it (polling asks for the same list by itself).
                allowed_updates=dp.resolve_used_update_types(),
            )
            logger.info("webhook mode: {}", settings.webhook_url)  # a token in it is masked
            await _until_signalled()
        else:
            # A webhook left over from another deployment would make getUpdates fail with 409.
            await bot.delete_webhook(drop_pending_updates=False)
            await dp.start_polling(
                bot, handle_signals=True, tasks_concurrency_limit=settings.updates_in_flight
            )
    finally:
        menu.cancel()
        if streaming is not None:
            streaming.cancel()
        scheduler.shutdown(wait=False)
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending
        await sender.finish()
        await sender_bot.session.close()
        await auth.aclose()
        await runner.cleanup()
        await services.aclose()
        await bot.session.close()
        await pacer.aclose()


async def _tell_conflict(bot: Bot | None, settings: Settings, i18n: I18n) -> None:
    if bot is not None:
        text = i18n.gettext(CONFLICT_NOTICE, locale=settings.default_locale)
        await tell_admins(bot, settings.admin_ids, text)


async def _publish_menu(bot: Bot, i18n: I18n) -> None:
    try:
        await publish_commands(bot, i18n)
    except Exception as exc:  # the menu is a convenience; commands work without it
        logger.warning("the command menu was not published: {}", why(exc))


async def _start_up(settings: Settings, services: Services, app: web.Application) -> web.AppRunner:
    """Redis, the HTTP address and the database's schema, before any job or send (the Bot API
    and the database were tried by the pre-flight, bot/startup.py); the first that fails is the
    one line the operator reads."""
    if settings.redis_url:
        try:
            await check_redis(settings.redis_url)
        except StartupError as exc:
            # Redis shares a cache and limits; it keeps nothing the bot cannot rebuild. A bot
            # restarted during its outage runs on the in-process fallback (as it would had
            # Redis gone down later) and takes Redis back when the probe finds it.
            logger.warning("{} Starting with in-process cache and limits meanwhile.", exc.line)
    try:
        runner = await start_http(app, settings.http_host, settings.http_port)
    except OSError as exc:
        raise port_taken(settings.http_host, settings.http_port, exc) from None
    try:
        await services.start()
    except BaseException as exc:
        await runner.cleanup()
        if not isinstance(exc, Exception):
            raise
        shown = database_shown(settings.database_url)
        raise StartupError(f"Cannot migrate the database {shown}: {why(exc)}.") from None
    return runner


async def _close_quietly(services: Services | None, bot: Bot | None) -> None:
    """After a failed start its one line says why; what closing the half-built graph may log
    (no lease table yet to release from, say) would only bury it."""
    logger.disable("")
    try:
        if services is not None:
            with contextlib.suppress(Exception):
                await services.aclose()
        if bot is not None:
            with contextlib.suppress(Exception):
                await bot.session.close()
    finally:
        logger.enable("")
