"""FakeTelegram: the aiohttp server composing updates, methods and flood control, with the calls
it recorded and the failures a test injects (fail, fail_raw, revoke_token)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.server import serve
from tests.fakes.telegram.calls import ApiCall, Injected, error_response
from tests.fakes.telegram.fixtures import fixture
from tests.fakes.telegram.flood import FloodControl
from tests.fakes.telegram.methods import Methods
from tests.fakes.telegram.updates import Updates


@dataclass
class FakeTelegram(Updates, Methods, FloodControl):
    token: str = "7012345678:AAFakeTokenForTestsOnly-abcdefghijk"
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
        self._init_updates()
        self._next_message_id = 5000
        self._runner: web.AppRunner | None = None
        self._init_methods()
        self._init_flood()
        self.revoked = False

    # --- control ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner, self.port = await serve(app, self.port)  # a port set before: that one

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

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
        for_seconds: float | None = None,
    ) -> None:
        """The next `times` calls of `method` get `text` as the whole answer, not Bot API JSON
        (with `for_seconds`: every call from now for that long, an edge outage)."""
        body = {"ok": False, "error_code": status}  # what the call is recorded with
        until = None if for_seconds is None else time.monotonic() + for_seconds
        self.errors.setdefault(method, []).append(
            Injected(
                body,
                times,
                chat_id,
                raw=text,
                status=status,
                content_type=content_type,
                until=until,
            )
        )

    def revoke_token(self) -> None:
        """As if the token were revoked at @BotFather: every call answers 401 until restored."""
        self.revoked = True

    def restore_token(self) -> None:
        self.revoked = False

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

    def sent_per_chat(self) -> collections.Counter[int]:
        """How many messages each chat got, in one pass over the calls: a wait over hundreds of
        chats must not ask `sent_texts` per chat (that walk stalls this loop, and a stalled
        fake counts the sends queued meanwhile as one burst)."""
        return collections.Counter(
            int(c.params["chat_id"])
            for c in self.calls
            if c.method in ("sendMessage", "sendPhoto") and c.ok
        )

    def all_sent(self, chats: list[int]) -> bool:
        got = self.sent_per_chat()
        return all(got[c] for c in chats)

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

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = value
                else:
                    params[key] = "<file>"
                    files[key] = value.file.read()
        for key in ("reply_markup", "commands", "scope", "allowed_updates", "entities", "reaction"):
            if isinstance(params.get(key), str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        return params, files

    def _injected(self, method: str, params: dict[str, Any]) -> Injected | None:
        queue = self.errors.get(method, [])
        for item in list(queue):
            if item.chat_id is not None and str(params.get("chat_id")) != str(item.chat_id):
                continue
            if item.until is not None:
                if time.monotonic() < item.until:
                    return item
                queue.remove(item)  # the outage is over
                continue
            item.times -= 1
            if item.times <= 0:
                queue.remove(item)
            return item
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params, files = await self._params(request)
        call = ApiCall(method, params, time.monotonic(), files=files)
        self.calls.append(call)
        if request.match_info["token"] != self.token or self.revoked:
            return error_response(call, fixture("error_401_unauthorized.json"))
        injected = self._injected(method, params)
        if injected is not None and injected.raw is not None:
            call.ok = False
            call.error_code = injected.status
            return web.Response(
                text=injected.raw, status=injected.status, content_type=injected.content_type
            )
        if injected is not None:
            return error_response(call, injected.body)
        if method == "sendMessage":
            refused = await self._flood_control(call)
            if refused is not None:
                return refused
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return error_response(
                call, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            )
        result = await handler(params)
        if isinstance(result, web.Response):
            call.ok = False
            call.error_code = result.status
            return result
        call.result = result
        return web.json_response({"ok": True, "result": result})
