"""What the fake records of each call, what a test can inject into one, and the error answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    error_code: int | None = None
    result: Any = None
    files: dict[str, bytes] = field(default_factory=dict)  # uploads (a photo), by form field


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
    # An outage: every call until this time.monotonic() (then `times` is not counted down).
    until: float | None = None


def error_response(call: ApiCall, body: dict[str, Any]) -> web.Response:
    """Record `call` as failed and answer with the Bot API error `body` (429s carry Retry-After)."""
    call.ok = False
    call.error_code = int(body["error_code"])
    headers = {}
    retry_after = body.get("parameters", {}).get("retry_after")
    if call.error_code == 429 and retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return web.json_response(body, status=call.error_code, headers=headers)


def bad_request(description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"},
        status=400,
    )
