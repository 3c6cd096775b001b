"""Who may ask the API: a valid key (X-API-Key, or Authorization: Bearer), within its requests
per minute. A request without one is refused before anything else runs, so it costs no vendor
call; the limit is counted in the same `limits` storage as the per-user throttle (shared
through Redis by every replica)."""

from __future__ import annotations

import hashlib
import hmac
import time

from aiohttp import web
from limits import RateLimitItemPerMinute
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from bot.api.problems import problem
from services.container import Services
from services.kernel.settings import Settings

KEY_HEADER = "X-API-Key"


class ApiGate:
    def __init__(self, services: Services, settings: Settings) -> None:
        self._keys = [k.get_secret_value().encode() for k in settings.api_keys]
        self._limiter = SlidingWindowCounterRateLimiter(services.limits)
        self._item = RateLimitItemPerMinute(settings.api_rate_per_minute)

    def key_of(self, request: web.Request) -> bytes | None:
        given = request.headers.get(KEY_HEADER, "")
        auth = request.headers.get("Authorization", "")
        if not given and auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        for key in self._keys:  # compared in constant time, every key
            if given and hmac.compare_digest(given.encode(), key):
                return key
        return None

    async def refusal(self, request: web.Request) -> web.Response | None:
        """401 without a valid key, 429 over its requests per minute; None: go on."""
        key = self.key_of(request)
        if key is None:
            return problem(401, "a valid API key is required", detail=f"send it as {KEY_HEADER}")
        wait = await self.allowed(key)
        if wait is not None:
            return problem(429, "too many requests for this key", retry_after=wait)
        return None

    async def allowed(self, key: bytes) -> int | None:
        """None when within the limit, else the seconds until it may ask again."""
        who = hashlib.sha256(key).hexdigest()[:16]  # the key itself is never stored
        if await self._limiter.hit(self._item, "api", who):
            return None
        stats = await self._limiter.get_window_stats(self._item, "api", who)
        return max(1, int(stats.reset_time - time.time()) + 1)
