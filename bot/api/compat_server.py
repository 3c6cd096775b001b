"""Serves the compatibility routes (bot/api/compat.py) through the same key, per-key limit,
deadline and problem answers as /api/v1.

`POST /gpts/advanced` answers identical bodies from a 500 ms cache: a GPT action retrying a
call, or several asking the same at once, costs one run of it."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable

from aiocache import SimpleMemoryCache
from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.api.answering import answered
from bot.api.args import Args, args_of
from bot.api.compat import (
    ALIASES,
    OPERATIONS,
    Alias,
    GptsBatch,
    GptsBatchResult,
    GptsOperation,
    GptsResult,
    Operation,
    translated,
)
from bot.api.gate import ApiGate
from bot.api.problems import Problem, problem, respond
from bot.api.spec import ApiRoute
from services.container import Services
from services.kernel.settings import Settings

GPTS_PATH = "/gpts/advanced"
BODY_MAX = 16_384  # ten operations and their parameters fit many times over
SAME_BODY_SECONDS = 0.5


def _only(given: Args, only: dict[str, tuple[str, ...]]) -> str | None:
    """What is wrong with a parameter that takes only some values; None when nothing is."""
    for name, allowed in only.items():
        value = given.get(name)
        if value is not None and value.upper() not in allowed:
            return f"{name}={value!r}: only {', '.join(allowed)}"
    return None


async def run(
    entry: Alias | Operation, given: Args, services: Services, settings: Settings
) -> tuple[BaseModel | None, Problem | None, dict[str, str]]:
    """(the model, or the problem) and the earlier version's parameters as used."""
    wrong = _only(given, entry.only)
    route: ApiRoute = entry.route
    ours, used = translated(dict(given), route, entry.renames)
    if wrong is not None:
        return None, Problem(status=400, title="argument not allowed", detail=wrong), used
    got = await answered(route, ours, services, settings)
    if isinstance(got, Problem):
        return None, got, used
    return got, None, used


def _alias_handler(
    alias: Alias, services: Services, settings: Settings, gate: ApiGate
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        refused = await gate.refusal(request)
        if refused is not None:
            return refused
        model, failed, _used = await run(alias, args_of(request), services, settings)
        if failed is not None:
            return respond(failed)
        assert model is not None
        return web.Response(text=model.model_dump_json(), content_type="application/json")

    return handle


async def _operation(asked: GptsOperation, services: Services, settings: Settings) -> GptsResult:
    entry = OPERATIONS.get(asked.op)
    given = {k: str(v) for k, v in asked.params.items() if isinstance(v, str | int | float)}
    if entry is None:
        known = ", ".join(sorted(OPERATIONS))
        error = f"unknown operation {asked.op!r}: one of {known}"
        return GptsResult(ok=False, op=asked.op, args=given, error=error, status=400)
    model, failed, used = await run(entry, {**entry.defaults, **given}, services, settings)
    if failed is not None:
        detail = failed.detail or ", ".join(f"{f.source} {f.reason}" for f in failed.failures)
        error = f"{failed.title}: {detail}" if detail else failed.title
        return GptsResult(ok=False, op=asked.op, args=used, error=error, status=failed.status)
    assert model is not None
    return GptsResult(ok=True, op=asked.op, args=used, data=model.model_dump(mode="json"))


def _gpts_handler(
    services: Services, settings: Settings, gate: ApiGate
) -> Callable[[web.Request], Awaitable[web.Response]]:
    same = SimpleMemoryCache(namespace="gpts")  # a library TTL cache, in this process

    async def handle(request: web.Request) -> web.Response:
        refused = await gate.refusal(request)
        if refused is not None:
            return refused
        if (request.content_length or 0) > BODY_MAX:
            return problem(413, "body too large", detail=f"at most {BODY_MAX} bytes")
        raw = await request.content.read(BODY_MAX + 1)
        if len(raw) > BODY_MAX:
            return problem(413, "body too large", detail=f"at most {BODY_MAX} bytes")
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return problem(400, "the body is not JSON", detail='{"op": "ticker", "params": {...}}')
        key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        kept = await same.get(key)
        if kept is not None:
            return web.Response(text=kept, content_type="application/json")
        try:
            if isinstance(body, dict) and "ops" in body:
                batch = GptsBatch.model_validate(body)
                results = await asyncio.gather(
                    *(_operation(op, services, settings) for op in batch.ops)
                )
                text = GptsBatchResult(
                    ok=all(r.ok for r in results), results=list(results)
                ).model_dump_json()
            else:
                text = (
                    await _operation(GptsOperation.model_validate(body), services, settings)
                ).model_dump_json()
        except ValidationError as invalid:
            first = invalid.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            return problem(400, "not an operation", detail=f"{where}: {first['msg']}"[:200])
        await same.set(key, text, ttl=SAME_BODY_SECONDS)
        return web.Response(text=text, content_type="application/json")

    return handle


def add_compat(app: web.Application, services: Services, settings: Settings, gate: ApiGate) -> None:
    for alias in ALIASES:
        path = alias.path.replace("{symbol}", "{symbol:[^/]+}")
        app.router.add_get(path, _alias_handler(alias, services, settings, gate))
    app.router.add_post(GPTS_PATH, _gpts_handler(services, settings, gate))
