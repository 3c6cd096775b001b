"""Loguru set-up: stdlib loggers routed in, repeats throttled, secrets redacted from every line."""

from __future__ import annotations

import inspect
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from loguru import logger

if TYPE_CHECKING:
    from loguru import Message, Record

REPEAT_WINDOW_SECONDS = 5.0
ROUTED_LOGGERS = ("aiogram", "aiohttp", "httpx", "httpcore", "apscheduler", "asyncio", "alembic")


class InterceptHandler(logging.Handler):
    """Hands stdlib records to loguru, keeping the unformatted template for the repeat throttle."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        # Walk out of the logging module so the line names the real caller (loguru's recipe).
        frame: FrameType | None = inspect.currentframe()
        depth = 0
        while frame is not None and (depth == 0 or frame.f_code.co_filename == logging.__file__):
            frame = frame.f_back
            depth += 1
        logger.opt(depth=depth, exception=record.exc_info).bind(
            template=f"{record.name}:{record.msg}"
        ).log(level, record.getMessage())


class RepeatThrottle:
    """Lets one message (same logger + template) through at most once per window.

    The line that ends a quiet spell carries how many repeats were dropped. Loguru has no
    built-in rate limit for sinks, hence this small filter.
    """

    def __init__(
        self, window: float = REPEAT_WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window = window
        self._clock = clock
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    @staticmethod
    def key(record: Record) -> str:
        template = record["extra"].get("template")
        if template:
            return str(template)
        # A loguru call site is one template: same module, function and line.
        return f"{record['name']}:{record['function']}:{record['line']}"

    def __call__(self, record: Record) -> bool:
        key = self.key(record)
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self._window:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return False
        self._last[key] = now
        record["extra"]["suppressed"] = self._suppressed.pop(key, 0)
        if len(self._last) > 10_000:  # bound memory under a flood of distinct templates
            self._last.clear()
        return True


class Redactor:
    """Masks every secret; applied to the fully formatted line, traceback included."""

    def __init__(self, secrets: Iterable[str]) -> None:
        unique = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(s) for s in unique)) if unique else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub("***", text)


def _format(record: Record) -> str:
    suffix = ""
    suppressed = record["extra"].get("suppressed", 0)
    if suppressed:
        suffix = f" (suppressed {suppressed} repeats in the last {REPEAT_WINDOW_SECONDS:g}s)"
    record["extra"]["_suffix"] = suffix
    return (
        "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <7} | {name}:{function}:{line} - "
        "{message}{extra[_suffix]}\n{exception}"
    )


def _redacting_sink(redact: Redactor, stream: TextIO) -> Callable[[Message], None]:
    def sink(message: Message) -> None:
        stream.write(redact(str(message)))
        stream.flush()

    return sink


def setup_logging(level: str, secrets: Iterable[str], stream: TextIO | None = None) -> None:
    logger.remove()
    redact = Redactor(secrets)
    logger.add(
        _redacting_sink(redact, stream or sys.stderr),
        level=level.upper(),
        format=_format,
        filter=RepeatThrottle(),
        backtrace=False,
        diagnose=False,  # variable values in tracebacks could carry tokens
    )
    # The libraries' loggers get the same level as ours: a record below it is then never made
    # (at level 0 every library DEBUG record was built and bridged to loguru only to be
    # dropped there, a fifth of a cached /ticker's CPU).
    threshold = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    logging.basicConfig(handlers=[InterceptHandler()], level=threshold, force=True)
    for name in ROUTED_LOGGERS:
        std = logging.getLogger(name)
        std.handlers = [InterceptHandler()]
        std.propagate = False
        std.setLevel(threshold)
    # httpx logs every request URL at INFO; that is noise and may carry query secrets.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # Alembic narrates every start at INFO; Database.migrate logs the resulting revision.
    logging.getLogger("alembic").setLevel(logging.WARNING)
