"""Serves API_ROUTES under /api/v1 with keys, a per-key rate limit and problem answers.

A request without a valid key is refused before anything else runs, so it costs no vendor
call; the limit is counted in the same `limits` storage as the per-user throttle (shared
through Redis by every replica). Answers go through the same services, cache and singleflight
as the chat, under the chat's deadline.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from limits import RateLimitItemPerMinute
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from loguru import logger

from bot.api.openapi import openapi_document
from bot.api.problems import from_error, problem
from bot.api.routes import API_ROUTES, ApiRoute
from services.container import Services
from services.kernel.deadline import answer_within
from services.kernel.settings import Settings

PREFIX = "/api/v1"
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

    async def allowed(self, key: bytes) -> int | None:
        """None when within the limit, else the seconds until it may ask again."""
        who = hashlib.sha256(key).hexdigest()[:16]  # the key itself is never stored
        if await self._limiter.hit(self._item, "api", who):
            return None
        stats = await self._limiter.get_window_stats(self._item, "api", who)
        return max(1, int(stats.reset_time - time.time()) + 1)


def _bad_query(route: ApiRoute, request: web.Request) -> web.Response | None:
    """The documented query parameters, held to what the document says of them (a value given
    is not blank; one with listed values is one of them, exactly), so a client built from the
    document is never answered for something other than what it asked."""
    for param in route.params:
        if param.where != "query" or param.name not in request.query:
            continue
        value = request.query[param.name]
        if not value.strip():
            return problem(400, "empty parameter", detail=f"{param.name}: a value, or leave it out")
        if param.values and value not in param.values:
            allowed = ", ".join(param.values)
            return problem(400, "argument not allowed", detail=f"{value!r}: one of {allowed}")
    return None


def _handler(
    route: ApiRoute, services: Services, settings: Settings, gate: ApiGate
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        key = gate.key_of(request)
        if key is None:
            return problem(401, "a valid API key is required", detail=f"send it as {KEY_HEADER}")
        wait = await gate.allowed(key)
        if wait is not None:
            return problem(429, "too many requests for this key", retry_after=wait)
        bad = _bad_query(route, request)
        if bad is not None:
            return bad
        try:
            with answer_within(settings.chat_deadline_seconds, settings.hedge_after_seconds):
                answer = await route.handler(request, services)
        except Exception as exc:
            refused = from_error(exc)
            if refused is not None:
                return refused
            logger.exception("api {} failed", route.operation_id)
            return problem(500, "internal error")
        return web.Response(text=answer.model_dump_json(), content_type="application/json")

    return handle


async def method_not_allowed(request: web.Request) -> web.Response:
    response = problem(405, "method not allowed", detail=f"{request.method}: the API only reads")
    response.headers["Allow"] = "GET, HEAD"
    return response


def add_api(app: web.Application, services: Services, settings: Settings) -> None:
    """Nothing is served without API_KEYS: the API is off by default."""
    if not settings.api_keys:
        return
    gate = ApiGate(services, settings)
    for route in API_ROUTES:
        # Any text but a slash is a symbol to answer for (aiohttp's default refuses braces):
        # what is not one gets the symbol problem, not the router's plain-text 404.
        path = PREFIX + route.path.replace("{symbol}", "{symbol:[^/]+}")
        app.router.add_get(path, _handler(route, services, settings, gate))
        app.router.add_route("*", path, method_not_allowed)  # the same resource: after GET

    async def no_such_endpoint(_request: web.Request) -> web.Response:
        return problem(404, "no such endpoint", detail="see /openapi.json")

    app.router.add_route("*", PREFIX + "/{tail:.*}", no_such_endpoint)
    document = openapi_document(PREFIX)

    async def openapi(_request: web.Request) -> web.Response:
        return web.json_response(document)

    app.router.add_get("/openapi.json", openapi)
