"""A fake of OKX's public WebSocket (`/ws/v5/public`) over real local WebSockets: it
acknowledges the subscription, answers a text `ping` with `pong`, and serves what a test
scripts: pushes (OKX's own sample body by default), a dropped connection, or silence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.server import serve
from tests.fakes.stores import until

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vendors" / "okx"


def docs_push() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(
        (FIXTURES / "ws_liquidation_orders_push_docs.json").read_text()
    )
    return body


def push(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"arg": {"channel": "liquidation-orders", "instType": "SWAP"}, "data": list(rows)}


class FakeOkxWs:
    def __init__(self) -> None:
        self.port = 0
        self.connections = 0
        self.subscriptions: list[Any] = []
        self.pings = 0
        self.silent = False  # pings go unanswered (a connection OKX stopped serving)
        self._clients: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/v5/public"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ws/v5/public", self._socket)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        for ws in list(self._clients):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def send(self, body: dict[str, Any]) -> None:
        """A push to every open connection."""
        for ws in list(self._clients):
            if not ws.closed:
                await ws.send_str(json.dumps(body))

    async def drop(self) -> None:
        """Close every connection, as a network cut or OKX's restart would."""
        for ws in list(self._clients):
            await ws.close()

    async def wait_connections(self, n: int, timeout: float = 10.0) -> None:
        """Until the `n`th connection is open (and subscribed to)."""
        await until(
            lambda: (
                self.connections >= n
                and bool(self.subscriptions[n - 1 :])
                and any(not c.closed for c in self._clients)
            ),
            timeout,
        )

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        self._clients.append(ws)
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                if message.data == "ping":
                    self.pings += 1
                    if not self.silent:
                        await ws.send_str("pong")
                    continue
                body = json.loads(message.data)
                self.subscriptions.append(body)
                await ws.send_str(json.dumps({"event": "subscribe", "arg": body["args"][0]}))
        finally:
            self._clients.remove(ws)
        return ws
