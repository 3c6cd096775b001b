"""A local fake of the Telegram Bot API (aiohttp), for running the real bot process against.

It serves getUpdates long polling with offsets, records every call, checks HTML the way
Telegram does (allowed tags, balanced, escaped `<`/`&`, 4096 characters after parsing) and can
answer any method with the real error bodies in tests/fixtures/telegram/.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import html
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.server import serve

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "telegram"
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_TAG_NAME = re.compile(r"/?\s*([a-zA-Z][a-zA-Z0-9-]*)")
TEXT_LIMIT = 4096
BOT_ID = 7012345678


# What getChatMember and chat_member updates carry for an administrator.
ADMIN_RIGHTS: dict[str, bool] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class HtmlError(ValueError):
    pass


def parse_html(text: str) -> str:
    """The visible text of a Telegram HTML message, or HtmlError with Telegram's wording."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            end = text.find(">", i)
            match = _TAG_NAME.match(text, i + 1)
            if end == -1 or match is None:
                offset = len(text[:i].encode())
                raise HtmlError(f'Unsupported start tag "" at byte offset {offset}')
            name = match.group(1).lower()
            if text[i + 1 : end].lstrip().startswith("/"):
                if not stack or stack[-1] != name:
                    raise HtmlError(
                        f"Unmatched end tag at byte offset {len(text[:i].encode())}, "
                        f'expected "</{stack[-1] if stack else ""}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                if name not in ALLOWED_TAGS:
                    offset = len(text[:i].encode())
                    raise HtmlError(f'Unsupported start tag "{name}" at byte offset {offset}')
                stack.append(name)
            i = end + 1
        elif char == "&":
            match = _ENTITY.match(text, i)
            if match:
                out.append(html.unescape(match.group(0)))
                i = match.end()
            else:
                out.append("&")
                i += 1
        else:
            out.append(char)
            i += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    error_code: int | None = None
    result: Any = None


@dataclass
class Injected:
    body: dict[str, Any]
    times: int = 1
    chat_id: int | None = None  # only calls to this chat
    # Not the Bot API answering but something in front of it (an edge proxy's error page):
    # this text is the whole body, with `status` and `content_type`.
    raw: str | None = None
    status: int = 502
    content_type: str = "text/html"


@dataclass
class FakeTelegram:
    token: str = "123456789:AAFakeTokenForTestsOnly-abcdefghijk"
    calls: list[ApiCall] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, list[Injected]] = field(default_factory=dict)
    admins: set[tuple[int, int]] = field(default_factory=set)  # (chat_id, user_id)
    port: int = 0
    # Telegram's flood control, scaled: more sendMessage calls than this in any second -> 429.
    send_limit_per_second: float | None = None
    # After this many accepted sendMessage calls, further ones hang unanswered (and are not
    # delivered) until `release_sends()`: the moment a test kills the bot mid-delivery.
    hold_sends_after: int | None = None

    def __post_init__(self) -> None:
        self._next_update_id = 1000
        self._next_message_id = 5000
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._contents: dict[tuple[str, str], tuple[str, str]] = {}
        self._accepted_sends: collections.deque[float] = collections.deque()
        self._release = asyncio.Event()
        self.held = 0
        self.passed = 0  # sendMessage calls past flood control and hold
        self.rate_limited = 0
        self.revoked = False

    # --- control ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def push(self, update: dict[str, Any]) -> int:
        update = copy.deepcopy(update)
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        self.updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def push_command(
        self,
        text: str,
        *,
        chat_id: int = 428756321,
        user_id: int | None = None,
        language_code: str = "en",
        chat_type: str = "private",
    ) -> int:
        base = fixture("update_command_private.json")
        message = base["message"]
        uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 935217486)
        message["from"].update(id=uid, language_code=language_code)
        if chat_type == "private":
            message["chat"] = {"id": chat_id, "first_name": "Rina", "type": "private"}
        else:
            message["chat"] = {"id": chat_id, "title": "SOL Traders", "type": chat_type}
        message["text"] = text
        command_length = len(text.split(" ")[0]) if text.startswith("/") else 0
        message["entities"] = (
            [{"offset": 0, "length": utf16_len(text[:command_length]), "type": "bot_command"}]
            if command_length
            else []
        )
        message["message_id"] = self._next_message_id
        self._next_message_id += 1
        return self.push(base)

    def push_callback(
        self,
        data: str,
        *,
        chat_id: int,
        user_id: int,
        message_id: int,
        language_code: str = "en",
        message: dict[str, Any] | None = None,
    ) -> int:
        """A press on an inline button under the bot's message `message_id`; pass the message
        as the bot sent it (a photo, say) when the handler looks at it."""
        base = fixture("update_callback_query.json")
        query = base["callback_query"]
        query["id"] = str(self._next_update_id * 7919)
        query["from"].update(id=user_id, language_code=language_code)
        if message is not None:
            query["message"] = copy.deepcopy(message)
        query["message"].update(message_id=message_id)
        query["message"]["chat"] = {"id": chat_id, "first_name": "Rina", "type": "private"}
        query["data"] = data
        return self.push(base)

    def fail(
        self,
        method: str,
        fixture_name: str,
        *,
        times: int = 1,
        chat_id: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        body = fixture(fixture_name)
        if retry_after is not None:
            body["parameters"]["retry_after"] = retry_after
            body["description"] = f"Too Many Requests: retry after {retry_after}"
        self.errors.setdefault(method, []).append(Injected(body, times, chat_id))

    def fail_raw(
        self,
        method: str,
        text: str,
        *,
        status: int = 502,
        content_type: str = "text/html",
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """The next `times` calls of `method` get `text` as the whole answer, not Bot API JSON."""
        body = {"ok": False, "error_code": status}  # what the call is recorded with
        self.errors.setdefault(method, []).append(
            Injected(body, times, chat_id, raw=text, status=status, content_type=content_type)
        )

    def revoke_token(self) -> None:
        """As if the token were revoked at @BotFather: every call answers 401 until restored."""
        self.revoked = True

    def restore_token(self) -> None:
        self.revoked = False

    def release_sends(self) -> None:
        self.hold_sends_after = None
        self._release.set()

    def calls_to(self, method: str, ok: bool | None = None) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """What the user reads, in order: message texts and photo captions."""
        return [
            str(c.params.get("text") if c.method == "sendMessage" else c.params.get("caption", ""))
            for c in self.calls
            if c.method in ("sendMessage", "sendPhoto")
            and c.ok
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    async def wait_for(self, predicate: Any, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls: {[c.method for c in self.calls][-20:]}")
            await asyncio.sleep(0.02)

    async def wait_for_messages(
        self, count: int, chat_id: int | None = None, timeout: float = 15.0
    ) -> list[str]:
        await self.wait_for(lambda: len(self.sent_texts(chat_id)) >= count, timeout)
        return self.sent_texts(chat_id)

    # --- server -----------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else "<file>"
        for key in ("reply_markup", "commands", "scope", "allowed_updates", "entities"):
            if isinstance(params.get(key), str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        return params

    def _error(self, call: ApiCall, body: dict[str, Any]) -> web.Response:
        call.ok = False
        call.error_code = int(body["error_code"])
        headers = {}
        retry_after = body.get("parameters", {}).get("retry_after")
        if call.error_code == 429 and retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return web.json_response(body, status=call.error_code, headers=headers)

    def _injected(self, method: str, params: dict[str, Any]) -> Injected | None:
        queue = self.errors.get(method, [])
        for item in queue:
            if item.chat_id is not None and str(params.get("chat_id")) != str(item.chat_id):
                continue
            item.times -= 1
            if item.times <= 0:
                queue.remove(item)
            return item
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await self._params(request)
        call = ApiCall(method, params, time.monotonic())
        self.calls.append(call)
        if request.match_info["token"] != self.token or self.revoked:
            return self._error(call, fixture("error_401_unauthorized.json"))
        injected = self._injected(method, params)
        if injected is not None and injected.raw is not None:
            call.ok = False
            call.error_code = injected.status
            return web.Response(
                text=injected.raw, status=injected.status, content_type=injected.content_type
            )
        if injected is not None:
            return self._error(call, injected.body)
        if method == "sendMessage":
            refused = await self._flood_control(call)
            if refused is not None:
                return refused
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(
                call, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            )
        result = await handler(params)
        if isinstance(result, web.Response):
            call.ok = False
            call.error_code = result.status
            return result
        call.result = result
        return web.json_response({"ok": True, "result": result})

    async def _flood_control(self, call: ApiCall) -> web.Response | None:
        if self.hold_sends_after is not None and self.passed >= self.hold_sends_after:
            call.ok = False  # never answered, never delivered
            self.held += 1
            await self._release.wait()
            return web.json_response({"ok": False, "error_code": 500}, status=500)
        if self.send_limit_per_second is not None:
            now = time.monotonic()
            window = self._accepted_sends
            while window and window[0] <= now - 1:
                window.popleft()
            if len(window) >= self.send_limit_per_second:
                self.rate_limited += 1
                body = fixture("error_429.json")
                body["parameters"]["retry_after"] = 1
                body["description"] = "Too Many Requests: retry after 1"
                return self._error(call, body)
            window.append(now)
        self.passed += 1
        return None

    def _bad_request(self, description: str) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"},
            status=400,
        )

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return fixture("response_getMe_ok.json")["result"]

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return self.updates[:100]

    async def _m_getChatMember(self, params: dict[str, Any]) -> Any:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = "administrator" if (chat_id, user_id) in self.admins else "member"
        member: dict[str, Any] = {
            "status": status,
            "user": {"id": user_id, "is_bot": False, "first_name": "Marco"},
        }
        if status == "administrator":
            member.update(ADMIN_RIGHTS)
        return member

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    def _check_text(self, text: str, parse_mode: str | None, limit: int) -> str | web.Response:
        visible = text
        if parse_mode and parse_mode.upper() == "HTML":
            try:
                visible = parse_html(text)
            except HtmlError as exc:
                return self._bad_request(f"can't parse entities: {exc}")
        if not visible.strip():
            return self._bad_request("message text is empty")
        if utf16_len(visible) > limit:
            return self._bad_request("message is too long")
        return visible

    def _message(self, chat_id: Any, text: str) -> dict[str, Any]:
        self._next_message_id += 1
        chat_id = int(chat_id)
        chat = (
            {"id": chat_id, "first_name": "Rina", "type": "private"}
            if chat_id > 0
            else {"id": chat_id, "title": "SOL Traders", "type": "supergroup"}
        )
        return {
            "message_id": self._next_message_id,
            "from": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Crypto Intel",
                "username": "SomeBot",
            },
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        checked = self._check_text(
            str(params.get("text", "")), params.get("parse_mode"), TEXT_LIMIT
        )
        if isinstance(checked, web.Response):
            return checked
        message = self._message(params["chat_id"], checked)
        key = (str(params["chat_id"]), str(message["message_id"]))
        self._contents[key] = (
            str(params.get("text")),
            json.dumps(params.get("reply_markup"), sort_keys=True),
        )
        return message

    def _edit(self, params: dict[str, Any], content: str) -> Any:
        """Telegram refuses an edit that changes nothing: text and keyboard as they were."""
        key = (str(params.get("chat_id")), str(params.get("message_id")))
        state = (content, json.dumps(params.get("reply_markup"), sort_keys=True))
        if key not in self._contents:
            return self._bad_request("message to edit not found")
        if self._contents.get(key) == state:
            return web.json_response(fixture("error_400_not_modified.json"), status=400)
        self._contents[key] = state
        return None

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        checked = self._check_text(
            str(params.get("text", "")), params.get("parse_mode"), TEXT_LIMIT
        )
        if isinstance(checked, web.Response):
            return checked
        refused = self._edit(params, str(params.get("text")))
        if refused is not None:
            return refused
        return self._message(params["chat_id"], checked)

    async def _m_editMessageCaption(self, params: dict[str, Any]) -> Any:
        refused = self._edit(params, str(params.get("caption")))
        if refused is not None:
            return refused
        result = fixture("response_sendPhoto_ok.json")["result"]
        result["chat"]["id"] = int(params["chat_id"])
        return result

    async def _m_editMessageMedia(self, params: dict[str, Any]) -> Any:
        media = params.get("media")
        media = json.loads(media) if isinstance(media, str) else media or {}
        caption = str(media.get("caption", ""))
        if caption:
            checked = self._check_text(caption, media.get("parse_mode"), 1024)
            if isinstance(checked, web.Response):
                return checked
        params["caption"] = caption  # recorded like sendPhoto's, for the tests
        self._edit(params, f"{caption}#{self._next_message_id}")  # a new image always differs
        result = fixture("response_sendPhoto_ok.json")["result"]
        result["chat"]["id"] = int(params["chat_id"])
        return result

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        caption = str(params.get("caption", ""))
        if caption:
            checked = self._check_text(caption, params.get("parse_mode"), 1024)
            if isinstance(checked, web.Response):
                return checked
        result = fixture("response_sendPhoto_ok.json")["result"]
        result["chat"]["id"] = int(params["chat_id"])
        return result
