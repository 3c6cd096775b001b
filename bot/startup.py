"""Start-up checks: what the bot cannot run without is tried once, before anything starts, and a
failure becomes one plain line (StartupError) naming the setting to look at.

An operator reads that line on a console or in `docker logs`; a traceback there buries the one
fact that matters and may carry a secret (aiogram puts the Bot API URL, token included, into
its network errors). So no exception text is shown as it is: URLs appear without passwords and
the Bot API never with its token, and `main` masks every known secret once more.

The settings are checked, and the Bot API, the database, Redis and the HTTP port tried
(`preflight`), before the bot's modules are imported: aiogram's types alone take seconds, and
a misconfigured bot should say so at once. What fails between the pre-flight and the start
(the database before its migration, the port before it is bound) gets its own line there.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from yarl import URL

from services.kernel.settings import Settings

if TYPE_CHECKING:
    from services.storage.db import Database

CONNECT_SECONDS = 5.0  # each dependency's answer; a refused connection fails at once anyway
CONFIG = 2  # exit codes: fix a setting
UNAVAILABLE = 1  # something the bot needs is down or unreachable: a restart may do


TOKEN_REFUSED = "Telegram rejected BOT_TOKEN (401 Unauthorized): check the token."


class StartupError(Exception):
    def __init__(self, line: str, exit_code: int = UNAVAILABLE, *, passing: bool = False) -> None:
        super().__init__(line)
        self.line = line
        self.exit_code = exit_code
        self.passing = passing  # a network fault or a 5xx: waiting may cure it


def secrets(settings: Settings) -> list[str]:
    """Settings.secrets() and the passwords inside DATABASE_URL and REDIS_URL."""
    found = list(settings.secrets())
    for url in (settings.database_url, settings.redis_url):
        try:
            password = urlsplit(url).password
        except ValueError:
            continue
        if password:
            found.append(password)
    return found


# --- settings that are there but cannot work -------------------------------------------------


def check_settings(settings: Settings) -> None:
    _check_token(settings.bot_token.get_secret_value())
    _check_api_base(settings.telegram_api_base)
    _check_database_url(settings.database_url)
    if settings.redis_url:
        _check_redis_url(settings.redis_url)


def _check_token(token: str) -> None:
    """The shape @BotFather gives (digits, a colon, the secret), checked here so a pasted
    fragment is one line, not aiogram's TokenValidationError; the value is never shown."""
    bot_id, colon, secret = token.partition(":")
    if not colon or not bot_id.isdigit() or not secret or any(c.isspace() for c in token):
        raise StartupError(
            "BOT_TOKEN does not look like a token from @BotFather (digits, a colon, then the "
            "secret, e.g. 123456789:AA...): check that it was pasted whole, without quotes or "
            "spaces.",
            CONFIG,
        )


def _check_api_base(base: str) -> None:
    example = "e.g. https://api.telegram.org or http://127.0.0.1:8081 for a local Bot API server"
    try:
        url = URL(base)
        port = url.port
    except ValueError as exc:
        raise StartupError(
            f"TELEGRAM_API_BASE is not a valid URL ({exc}), {example}.", CONFIG
        ) from None
    if url.scheme not in ("http", "https") or not url.host or port is None:
        raise StartupError(f"TELEGRAM_API_BASE must be an http(s) URL, {example}.", CONFIG)


def database_shown(database_url: str) -> str:
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unreadable URL)"


def _check_database_url(database_url: str) -> None:
    example = "e.g. sqlite+aiosqlite:///data/bot.db or postgresql+asyncpg://user:pw@host:5432/db"
    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError) as exc:
        why = "its port is not a number" if "int()" in str(exc) else "it cannot be read"
        raise StartupError(f"DATABASE_URL is not a valid URL ({why}), {example}.", CONFIG) from None
    if url.port is not None and not 0 < url.port <= 65535:
        raise StartupError(
            f"DATABASE_URL has port {url.port}; a port is 1-65535 ({example}).", CONFIG
        )


def redis_shown(redis_url: str) -> str:
    try:
        parts = urlsplit(redis_url)
        return f"{parts.hostname}:{parts.port or 6379}"
    except ValueError:
        return "(unreadable URL)"


def _check_redis_url(redis_url: str) -> None:
    example = "e.g. redis://127.0.0.1:6379/0, or empty for in-process cache and limits"
    try:
        parts = urlsplit(redis_url)
        parts.port  # noqa: B018 - reading it validates it
    except ValueError as exc:
        raise StartupError(f"REDIS_URL is not a valid URL ({exc}), {example}.", CONFIG) from None
    database = parts.path.lstrip("/") or "0"
    if parts.scheme not in ("redis", "rediss") or not parts.hostname or not database.isdigit():
        raise StartupError(f"REDIS_URL must look like redis://host:port/db, {example}.", CONFIG)


# --- dependencies that must answer ------------------------------------------------------------


async def preflight(settings: Settings, say: Callable[[str], None]) -> None:
    """What the bot cannot run without (the Bot API with its token, the database, its HTTP
    address) tried with light clients, before the slow imports. Redis is not: the bot starts
    without it on in-process fallbacks (`bot/app.py` warns)."""
    from services.storage.db import Database

    await wait_for_bot_api(
        settings.telegram_api_base,
        settings.bot_token.get_secret_value(),
        settings.telegram_startup_wait_seconds,
        say,
    )
    db = Database(settings.database_url, timeout=CONNECT_SECONDS)
    try:
        await check_database(db, settings.database_url)
    finally:
        await db.close()
    check_port(settings.http_host, settings.http_port)


async def wait_for_bot_api(
    base: str,
    token: str,
    patience: float,
    say: Callable[[str], None],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """A Bot API that cannot be reached yet (a machine booting before its network, a proxy
    restarting) is tried again with backoff for up to `patience` seconds, one line each time;
    a refused token or a wrong URL fails at once."""
    delay, waited = 1.0, 0.0
    while True:
        try:
            await check_bot_api(base, token)
            return
        except StartupError as exc:
            if not exc.passing or waited + delay > patience:
                raise
            say(f"{exc.line} Trying again in {delay:g} s.")
        await sleep(delay)
        waited += delay
        delay = min(delay * 2, 30.0)


async def check_bot_api(base: str, token: str) -> None:
    """getMe over plain HTTP: a refused token is a configuration error (exit 2)."""
    import httpx

    where = f"the Telegram Bot API at {URL(base).origin()}"
    try:
        async with httpx.AsyncClient(timeout=CONNECT_SECONDS) as client:
            answer = await client.post(f"{base.rstrip('/')}/bot{token}/getMe")
    except httpx.TimeoutException:
        raise StartupError(
            f"Cannot reach {where}: no answer within {CONNECT_SECONDS:g}s; check "
            "TELEGRAM_API_BASE.",
            passing=True,
        ) from None
    except httpx.HTTPError as exc:  # its text may hold the request URL, token and all
        raise StartupError(
            f"Cannot reach {where}: {why(exc)}; check TELEGRAM_API_BASE.", passing=True
        ) from None
    if answer.status_code == 401:
        raise StartupError(TOKEN_REFUSED, CONFIG)
    try:
        body = answer.json()
        description = str(body.get("description", "")) if isinstance(body, dict) else ""
        ok = isinstance(body, dict) and body.get("ok") is True
    except ValueError:  # an edge proxy's HTML page
        ok, description = False, f"HTTP {answer.status_code} {answer.reason_phrase}"
    if not ok:
        raise StartupError(
            f"Telegram's getMe failed at {where}: {description or answer.status_code}; check "
            "TELEGRAM_API_BASE.",
            passing=answer.status_code >= 500,
        )


def check_port(host: str, port: int) -> None:
    """The address /healthz (and a webhook) will be served on is free; 0 picks any."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp's server does
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise port_taken(host, port, exc) from None


async def check_database(db: Database, database_url: str) -> None:
    from sqlalchemy import text

    shown = database_shown(database_url)
    try:
        async with asyncio.timeout(CONNECT_SECONDS), db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        raise StartupError(
            f"Cannot use the database {shown}: {why(exc)}; check DATABASE_URL and that the "
            "database server is running."
        ) from None


async def check_redis(redis_url: str) -> None:
    from redis.asyncio import from_url

    shown = redis_shown(redis_url)
    client = from_url(
        redis_url, socket_connect_timeout=CONNECT_SECONDS, socket_timeout=CONNECT_SECONDS
    )
    try:
        async with asyncio.timeout(CONNECT_SECONDS * 2):
            await client.ping()
    except Exception as exc:
        raise StartupError(
            f"Cannot use Redis at {shown}: {why(exc)}; check REDIS_URL (or leave it empty "
            "for in-process cache and limits)."
        ) from None
    finally:
        await client.aclose()


def port_taken(host: str, port: int, exc: OSError) -> StartupError:
    return StartupError(
        f"Cannot serve /healthz on {host}:{port}: {why(exc)}; set HTTP_HOST/HTTP_PORT to a "
        "free address.",
        CONFIG,
    )


# --- plain reasons ----------------------------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # SQLAlchemy's wrapped driver error
        os_error = getattr(current, "os_error", None)  # aiohttp's connector error
        todo += [
            orig if isinstance(orig, BaseException) else None,
            os_error if isinstance(os_error, BaseException) else None,
            current.__cause__,
            current.__context__,
        ]


def why(exc: BaseException) -> str:
    """What went wrong, in a few words, from the exception and what it wraps; never a URL."""
    from sqlalchemy.exc import DBAPIError

    wrappers: tuple[type[BaseException], ...] = (DBAPIError,)
    if "aiogram" in sys.modules:  # not imported for it: a pre-flight failure comes before aiogram
        from aiogram.exceptions import TelegramAPIError

        wrappers += (TelegramAPIError,)

    chain = list(_chain(exc))
    for error in chain:
        if isinstance(error, ConnectionRefusedError):
            return "connection refused"
        if isinstance(error, socket.gaierror):
            return "unknown host"
        if isinstance(error, TimeoutError):
            return f"no answer within {CONNECT_SECONDS:g}s"
        if isinstance(error, OSError) and error.errno == 98:  # EADDRINUSE
            return "address already in use"
    for error in chain:
        if isinstance(error, wrappers):
            continue  # its wrapped error (next in the chain) says it more plainly
        line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        if line and "://" not in line:
            return line[:200]
    return type(exc).__name__
