"""A local fake of the Telegram Bot API (aiohttp), for running the real bot process against.

It serves getUpdates long polling with offsets, records every call, checks HTML the way
Telegram does (allowed tags, balanced, escaped `<`/`&`, 4096 characters after parsing) and can
answer any method with the real error bodies in tests/fixtures/telegram/.

One concern per module: html (Telegram's HTML and length checks), flood (the sendMessage limit,
429s and held sends), methods (the Bot API method handlers), updates (pushed updates and
getUpdates), calls (recorded calls, injected failures, error answers), fixtures (the canned
bodies) and server (FakeTelegram, composing them).
"""

from tests.fakes.telegram.calls import ApiCall, Injected
from tests.fakes.telegram.fixtures import ADMIN_RIGHTS, BOT_ID, FIXTURES, fixture
from tests.fakes.telegram.html import ALLOWED_TAGS, TEXT_LIMIT, HtmlError, parse_html, utf16_len
from tests.fakes.telegram.server import FakeTelegram

__all__ = [
    "ADMIN_RIGHTS",
    "ALLOWED_TAGS",
    "BOT_ID",
    "FIXTURES",
    "TEXT_LIMIT",
    "ApiCall",
    "FakeTelegram",
    "HtmlError",
    "Injected",
    "fixture",
    "parse_html",
    "utf16_len",
]
