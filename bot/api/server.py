"""Serves API_ROUTES under /api/v1 with keys, a per-key rate limit (bot/api/gate.py) and
problem answers, and the compatibility routes beside them (bot/api/compat_server.py). Answers
go through the same services, cache and singleflight as the chat, under the chat's deadline
(bot/api/answering.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.api.answering import answer
from bot.api.args import args_of
from bot.api.compat_server import add_compat
from bot.api.gate import ApiGate
from bot.api.openapi import openapi_document
from bot.api.problems import problem
from bot.api.routes import API_ROUTES
from bot.api.spec import ApiRoute
from services.container import Services
from services.kernel.settings import Settings

PREFIX = "/api/v1"


def _handler(
    route: ApiRoute, services: Services, settings: Settings, gate: ApiGate
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        refused = await gate.refusal(request)
        if refused is not None:
            return refused
        return await answer(route, args_of(request), services, settings)

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
    add_compat(app, services, settings, gate)
    document = openapi_document(PREFIX)

    async def openapi(_request: web.Request) -> web.Response:
        return web.json_response(document)

    app.router.add_get("/openapi.json", openapi)
