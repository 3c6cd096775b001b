from __future__ import annotations

import io
import logging

from loguru import logger

from services.kernel.logging import Redactor, RepeatThrottle, setup_logging

TOKEN = "7012345678:AAFakeTokenForTestsOnly-abcdefghijk"
KEY = "coinapi-secret-key-42"


def test_secrets_are_redacted_from_every_line_including_tracebacks() -> None:
    out = io.StringIO()
    setup_logging("DEBUG", [TOKEN, KEY], stream=out)
    logger.info("calling https://api.telegram.org/bot{}/getMe", TOKEN)
    logging.getLogger("aiogram.session").warning("header X-CoinAPI-Key: %s", KEY)
    try:
        raise RuntimeError(f"boom with {TOKEN}")
    except RuntimeError:
        logger.exception("failed")
    text = out.getvalue()
    assert TOKEN not in text and KEY not in text
    assert text.count("***") == 3  # URL, header, exception message
    assert "getMe" in text and "X-CoinAPI-Key" in text  # the rest of each line survives


def test_stdlib_loggers_are_routed_into_loguru() -> None:
    out = io.StringIO()
    setup_logging("INFO", [], stream=out)
    logging.getLogger("aiogram.dispatcher").info("Start polling")
    logging.getLogger("apscheduler.scheduler").warning("job missed")
    assert "Start polling" in out.getvalue() and "job missed" in out.getvalue()
    # Each line names where it was logged from, not the logging module's internals.
    assert "callHandlers" not in out.getvalue()
    assert "test_logging:test_stdlib_loggers_are_routed_into_loguru" in out.getvalue()


def test_repeated_message_is_emitted_once_per_window_with_a_count() -> None:
    out = io.StringIO()
    setup_logging("INFO", [], stream=out)
    for _ in range(50):
        logging.getLogger("aiogram.event").error("Failed to fetch updates - %s", "timeout")
    lines = [line for line in out.getvalue().splitlines() if "Failed to fetch" in line]
    assert len(lines) == 1


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(template: str) -> dict:  # type: ignore[type-arg]
    return {"extra": {"template": template}, "name": "x", "function": "f", "line": 1}


def test_throttle_reports_suppressed_repeats_when_the_window_passes() -> None:
    clock = Clock()
    throttle = RepeatThrottle(window=5.0, clock=clock)
    assert throttle(_record("a"))  # type: ignore[arg-type]
    for _ in range(9):
        assert not throttle(_record("a"))  # type: ignore[arg-type]
    assert throttle(_record("b"))  # type: ignore[arg-type]  # another template is not held back
    clock.now = 5.1
    record = _record("a")
    assert throttle(record)  # type: ignore[arg-type]
    assert record["extra"]["suppressed"] == 9


def test_distinct_loguru_call_sites_are_distinct_templates() -> None:
    out = io.StringIO()
    setup_logging("INFO", [], stream=out)
    logger.info("first site {}", 1)
    logger.info("second site {}", 2)
    assert "first site" in out.getvalue() and "second site" in out.getvalue()


def test_redactor_without_secrets_is_identity() -> None:
    assert Redactor([]).__call__("plain") == "plain"
    assert Redactor(["abc"]).__call__("abc") == "abc"  # too short to be a real secret


def test_library_records_below_the_level_are_never_made() -> None:
    out = io.StringIO()
    setup_logging("INFO", [], stream=out)
    library = logging.getLogger("aiogram.event")
    assert not library.isEnabledFor(logging.DEBUG)  # no record built, nothing bridged
    assert not logging.getLogger("some.other.library").isEnabledFor(logging.DEBUG)
    library.warning("a warning still arrives")
    assert "a warning still arrives" in out.getvalue()
    setup_logging("DEBUG", [], stream=io.StringIO())
    assert library.isEnabledFor(logging.DEBUG)  # LOG_LEVEL=DEBUG still shows everything
    setup_logging("INFO", [], stream=io.StringIO())  # as the other tests leave it
