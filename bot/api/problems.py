"""Errors as RFC 9457 problem details (`application/problem+json`), with the reasons the chat
gives in words as machine values (`rate_limited`, `no_key`, ...)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from services.kernel.errors import ArgumentError, DataUnavailableError, SymbolError
from services.market.flags import ModuleDisabledError
from services.market.options.service import NoOptionsError
from services.storage.errors import StorageUnavailableError

PROBLEM = "application/problem+json"


class Failure(BaseModel):
    source: str
    reason: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    failures: list[Failure] = []  # which source failed and why, for "unavailable"
    suggestion: str | None = None  # a close symbol that exists


def problem(
    status: int, title: str, *, retry_after: int | None = None, **fields: Any
) -> web.Response:
    return respond(Problem(title=title, status=status, **fields), retry_after)


def respond(refused: Problem, retry_after: int | None = None) -> web.Response:
    """A problem as the HTTP answer that carries it."""
    body = refused.model_dump_json(exclude_none=True)
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return web.Response(status=refused.status, text=body, content_type=PROBLEM, headers=headers)


def from_error(exc: Exception) -> Problem | None:
    """The problem a service error stands for; None for anything unexpected."""
    if isinstance(exc, SymbolError):
        status = 404 if exc.kind == "unknown" else 400
        return Problem(
            status=status, title=f"{exc.kind} symbol", detail=exc.text, suggestion=exc.suggestion
        )
    if isinstance(exc, ArgumentError):
        allowed = ", ".join(exc.allowed)
        return Problem(
            status=400, title="argument not allowed", detail=f"{exc.value!r}: one of {allowed}"
        )
    if isinstance(exc, DataUnavailableError):
        failures = [Failure(source=s, reason=r.value) for s, r in exc.failures]
        return Problem(status=503, title=f"{exc.module} unavailable", failures=failures)
    if isinstance(exc, NoOptionsError):
        return Problem(status=404, title="no options listed", detail=str(exc))
    if isinstance(exc, StorageUnavailableError):
        return Problem(status=503, title="the database is not answering")
    if isinstance(exc, ModuleDisabledError):
        return Problem(status=503, title=f"{exc.flag.value} is switched off by the operator")
    return None
