"""Telegram's flood control for sendMessage, scaled: a per-second send limit answered with 429,
and holding sends unanswered (a bot killed mid-delivery) until `release_sends()`."""

from __future__ import annotations

import asyncio
import collections
import time

from aiohttp import web

from tests.fakes.telegram.calls import ApiCall, error_response
from tests.fakes.telegram.fixtures import fixture


class FloodControl:
    # Fields of FakeTelegram: more sendMessage calls than this in any second -> 429; after
    # this many accepted sendMessage calls, further ones hang until `release_sends()`.
    send_limit_per_second: float | None
    hold_sends_after: int | None

    def _init_flood(self) -> None:
        self._accepted_sends: collections.deque[float] = collections.deque()
        self._release = asyncio.Event()
        self.held = 0
        self.passed = 0  # sendMessage calls past flood control and hold
        self.rate_limited = 0

    def release_sends(self) -> None:
        self.hold_sends_after = None
        self._release.set()

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
                return error_response(call, body)
            window.append(now)
        self.passed += 1
        return None
