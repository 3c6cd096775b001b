"""`python -m bot`: check the configuration, then run."""

from __future__ import annotations

import asyncio
import contextlib
import sys

from loguru import logger
from pydantic import ValidationError

from services.kernel.logging import Redactor, setup_logging
from services.kernel.settings import Settings


def main() -> int:
    # Until LOG_LEVEL is known: warnings only (reading settings parses symbols, which logs).
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]).upper()
        print(f"Configuration error: {field}: {first['msg']} (see .env.example).", file=sys.stderr)
        return 2
    if sys.argv[1:2] == ["backtest"]:  # needs no token: it only reads the database
        setup_logging("WARNING", settings.secrets())
        from bot.backtest import main as backtest

        return backtest(sys.argv[2:], settings)
    console = sys.argv[1:2] == ["console"]
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if console or (not settings.bot_token.get_secret_value() and interactive):
        return _console(settings, asked=console)
    if not settings.bot_token.get_secret_value():
        print(
            "BOT_TOKEN is not set: get a token from @BotFather and put BOT_TOKEN=<token> in .env "
            "(copy .env.example) or the environment.",
            file=sys.stderr,
        )
        return 2
    from bot.startup import TOKEN_REFUSED, StartupError, check_settings, preflight, secrets

    hidden = secrets(settings)
    try:
        # A miswritten URL or a dependency that does not answer is told at once, before the
        # slow imports.
        check_settings(settings)
        asyncio.run(preflight(settings, say=lambda line: print(line, file=sys.stderr)))
    except StartupError as exc:
        print(Redactor(hidden)(exc.line), file=sys.stderr)
        return exc.exit_code
    setup_logging(settings.log_level, hidden)
    from aiogram.exceptions import TelegramUnauthorizedError

    from bot.app import run  # after logging, so import-time messages are routed too

    try:
        asyncio.run(run(settings))
    except TelegramUnauthorizedError:
        print(TOKEN_REFUSED, file=sys.stderr)
        return 2
    except StartupError as exc:
        print(Redactor(hidden)(exc.line), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # after start-up: the log (which masks secrets) keeps the details
        logger.opt(exception=exc).critical("the bot stopped: {}", type(exc).__name__)
        return 1
    return 0


def _console(settings: Settings, *, asked: bool) -> int:
    """The bot in this terminal (bot/console.py): `python -m bot console`, or `make run` with
    no BOT_TOKEN at an interactive terminal."""
    if not asked:
        print(
            "BOT_TOKEN is not set, so here is the bot in this terminal. To run it on Telegram, "
            "get a token from @BotFather and put BOT_TOKEN=<token> in .env.",
            file=sys.stderr,
        )
    # The terminal is for answers: the reasons a vendor failed are in them already.
    setup_logging("ERROR", settings.secrets())
    from bot.console import run_console

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C ends a session, quietly
        asyncio.run(run_console(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
