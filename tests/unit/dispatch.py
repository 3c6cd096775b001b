"""In-process dispatch: the real Dispatcher and Bot, fed updates directly, talking to the fake
Bot API over HTTP on 127.0.0.1.

No bot process and no polling: `await harness.feed(update)` runs every middleware, filter,
handler and error handler exactly as production would, and returns once the update is done,
so a test reads `harness.telegram.calls` at once instead of waiting. Anything logged at
WARNING or above (loguru, and aiogram's own stdlib loggers) is kept in `harness.logs`.

Use it through the `dispatch` / `make_dispatch` fixtures in tests/unit/conftest.py:

    async def test_refresh(dispatch: Dispatch) -> None:
        await dispatch.command("/ticker SOL")
        await dispatch.press_button("🔄 Refresh")
        assert len(dispatch.answers()) == 1
        assert not dispatch.logs.errors
"""

from __future__ import annotations

import copy
import itertools
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from loguru import logger

from bot.app import make_bot, make_dispatcher
from bot.handlers.permissions import forget_everyone
from bot.i18n import make_i18n
from services.container import Services
from services.kernel.logging import InterceptHandler
from tests.fakes.telegram import ADMIN_RIGHTS, BOT_ID, ApiCall, FakeTelegram, Injected, utf16_len

USER = 428756321  # a private chat's id is its user's id
GROUP = -1001987654321
GROUP_MEMBER = 935217486
ADMIN = 111222333  # in the bot's ADMIN_IDS (the operators), by default

_update_ids = itertools.count(1)
_query_ids = itertools.count(1)


@dataclass
class LogLine:
    level: str
    message: str
    traceback: bool


@dataclass
class Logs:
    """WARNING and above, from loguru and from stdlib loggers (aiogram logs a handler's
    unhandled exception through its own `aiogram.event` logger)."""

    lines: list[LogLine] = field(default_factory=list)

    @property
    def errors(self) -> list[LogLine]:
        return [line for line in self.lines if line.level in ("ERROR", "CRITICAL")]

    @property
    def warnings(self) -> list[LogLine]:
        return [line for line in self.lines if line.level == "WARNING"]

    @property
    def tracebacks(self) -> list[LogLine]:
        return [line for line in self.lines if line.traceback]

    def clear(self) -> None:
        self.lines.clear()


class _StdlibCapture(logging.Handler):
    def __init__(self, logs: Logs) -> None:
        super().__init__(level=logging.WARNING)
        self._logs = logs

    def emit(self, record: logging.LogRecord) -> None:
        self._logs.lines.append(
            LogLine(record.levelname, record.getMessage(), record.exc_info is not None)
        )


class LogCapture:
    """Adds a loguru sink, and a handler on the stdlib loggers whose records do not already
    reach loguru (setup_logging, run by another test, routes them); `close()` removes them."""

    def __init__(self) -> None:
        self.logs = Logs()
        self._sink = logger.add(self._loguru, level="WARNING", format="{message}")
        self._std = _StdlibCapture(self.logs)
        self._hooked: list[logging.Logger] = []
        root = logging.getLogger()
        aiogram = logging.getLogger("aiogram")
        for std in (root, *([] if aiogram.propagate else [aiogram])):
            if not any(isinstance(h, InterceptHandler) for h in std.handlers):
                std.addHandler(self._std)
                self._hooked.append(std)

    def _loguru(self, message: Any) -> None:
        record = message.record
        self.logs.lines.append(
            LogLine(record["level"].name, record["message"], record["exception"] is not None)
        )

    def close(self) -> None:
        logger.remove(self._sink)
        for std in self._hooked:
            std.removeHandler(self._std)


def user(user_id: int, language_code: str = "en") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Rina", "language_code": language_code}


def chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "first_name": "Rina", "type": "private"}
    return {"id": chat_id, "title": "SOL Traders", "type": "supergroup"}


def message(
    text: str | None = None,
    *,
    chat_id: int = USER,
    user_id: int | None = None,
    language_code: str = "en",
    message_id: int = 1,
    **fields: Any,
) -> dict[str, Any]:
    """A Message dict; `text` starting with / gets its bot_command entity, as Telegram sends."""
    sender = user_id if user_id is not None else (chat_id if chat_id > 0 else GROUP_MEMBER)
    body: dict[str, Any] = {
        "message_id": message_id,
        "from": user(sender, language_code),
        "chat": chat(chat_id),
        "date": int(time.time()),
    }
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            command = text.split(" ")[0]
            body["entities"] = [{"offset": 0, "length": utf16_len(command), "type": "bot_command"}]
    body.update(fields)
    return body


def bot_message(chat_id: int, message_id: int, text: str = "SOL-USDT 150.00") -> dict[str, Any]:
    """A message as the bot sent it (what a button press carries)."""
    return {
        "message_id": message_id,
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Crypto Intel", "username": "SomeBot"},
        "chat": chat(chat_id),
        "date": int(time.time()),
        "text": text,
    }


def callback(
    data: str | None,
    *,
    chat_id: int = USER,
    user_id: int | None = None,
    message: dict[str, Any] | None = None,
    message_id: int = 1,
    inline_message_id: str | None = None,
    language_code: str = "en",
) -> dict[str, Any]:
    """A button press. By default under a message of the bot's (`message_id` in `chat_id`);
    `inline_message_id` makes it a press with no message, as for an inline-mode message."""
    sender = user_id if user_id is not None else (chat_id if chat_id > 0 else GROUP_MEMBER)
    query: dict[str, Any] = {
        "id": str(next(_query_ids) * 7919),
        "from": user(sender, language_code),
        "chat_instance": "-3758196224071526340",
    }
    if data is not None:
        query["data"] = data
    if inline_message_id is not None:
        query["inline_message_id"] = inline_message_id
    else:
        query["message"] = (
            copy.deepcopy(message) if message is not None else bot_message(chat_id, message_id)
        )
    return {"callback_query": query}


def member_update(
    chat_id: int, user_id: int, old: str, new: str, *, kind: str = "chat_member"
) -> dict[str, Any]:
    """`chat_member` (someone's status changed) or `my_chat_member` (the bot's own)."""
    who = user(user_id)
    return {
        kind: {
            "chat": chat(chat_id),
            "from": user(ADMIN),
            "date": int(time.time()),
            "old_chat_member": _member(who, old),
            "new_chat_member": _member(who, new),
        }
    }


def _member(who: dict[str, Any], status: str) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "user": who}
    if status == "administrator":
        body.update(ADMIN_RIGHTS)
    elif status == "restricted":
        body.update(is_member=True, until_date=0)
    elif status == "kicked":
        body.update(until_date=0)
    return body


@dataclass
class Dispatch:
    """The real dispatcher and bot, wired to `services` and the fake Bot API."""

    telegram: FakeTelegram
    services: Services
    bot: Bot
    dp: Dispatcher
    capture: LogCapture
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(9000))

    @classmethod
    async def create(cls, telegram: FakeTelegram, services: Services) -> Dispatch:
        # Group admins are cached per process: a test starts knowing none.
        await forget_everyone()
        i18n = make_i18n(services.settings.default_locale)
        bot = make_bot(services.settings, services)
        dp = make_dispatcher(services.settings, services, i18n)
        return cls(telegram, services, bot, dp, LogCapture())

    @property
    def logs(self) -> Logs:
        return self.capture.logs

    async def close(self) -> None:
        self.capture.close()
        await self.bot.session.close()

    async def feed(self, update: dict[str, Any]) -> Any:
        """Runs one update through the dispatcher, as the webhook would. An exception that
        escapes the error handlers is logged by aiogram at ERROR and raised here, failing the
        test where it happened."""
        update = {"update_id": next(_update_ids), **update}
        return await self.dp.feed_raw_update(self.bot, update)

    async def command(self, text: str, *, chat_id: int = USER, **fields: Any) -> Any:
        """A text message (a command when it starts with /) from a user in `chat_id`."""
        body = message(text, chat_id=chat_id, message_id=next(self._message_ids), **fields)
        return await self.feed({"message": body})

    async def press(self, data: str | None, *, chat_id: int = USER, **fields: Any) -> Any:
        """A press on a button carrying `data`; see `callback` for the keywords."""
        return await self.feed(callback(data, chat_id=chat_id, **fields))

    def sent(self) -> list[ApiCall]:
        """Messages and photos the bot sent, in order (failed ones too)."""
        return [c for c in self.telegram.calls if c.method in ("sendMessage", "sendPhoto")]

    def texts(self) -> list[str]:
        return self.telegram.sent_texts()

    def answers(self) -> list[ApiCall]:
        """answerCallbackQuery calls: a press whose spinner stopped has one."""
        return self.telegram.calls_to("answerCallbackQuery")

    def buttons(self, call: ApiCall | None = None) -> dict[str, str]:
        """{label: callback_data} of the last message sent (or of `call`)."""
        if call is None:
            call = [c for c in self.sent() if c.ok][-1]
        markup = call.params.get("reply_markup") or {"inline_keyboard": []}
        return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}

    async def press_button(
        self, label: str, call: ApiCall | None = None, *, user_id: int | None = None
    ) -> Any:
        """Presses the button `label` under a message the bot really sent (so edits succeed)."""
        if call is None:
            call = [c for c in self.sent() if c.ok][-1]
        shown = call.result
        return await self.press(
            self.buttons(call)[label],
            chat_id=int(shown["chat"]["id"]),
            user_id=user_id,
            message=shown,
        )

    def refuse(self, method: str, description: str, *, code: int = 400, times: int = 1) -> None:
        """The next `times` calls of `method` fail with Telegram's error `description`."""
        body = {"ok": False, "error_code": code, "description": description}
        self.telegram.errors.setdefault(method, []).append(Injected(body, times))
