"""A TCP proxy the test controls, standing between the bot and Redis or PostgreSQL.

Modes:
- `pass`: forwards both ways.
- `refuse`: stops listening and closes every connection (new ones are refused by the kernel).
- `hang`: accepts new connections and keeps the live ones, but forwards nothing either way
  (a server that stopped answering, or a network path that silently drops packets).
- `cut`: drops every live connection once and goes on forwarding new ones (a restarted server
  or a reset network path).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Literal

Mode = Literal["pass", "refuse", "hang"]
CHUNK = 65536


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "pass"
        self.port = 0
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(self, template: str) -> str:
        """`template` with {host} and {port} filled with this proxy's address."""
        return template.format(host=self.host, port=self.port)

    async def start(self) -> TcpProxy:
        if not self.port:  # the first start picks the port; later ones keep it
            with socket.socket() as probe:
                probe.bind((self.host, 0))
                self.port = int(probe.getsockname()[1])
        self._server = await asyncio.start_server(
            self._accept, self.host, self.port, reuse_address=True
        )
        return self

    async def stop(self) -> None:
        await self._close_listener()
        self._drop_all()
        self._flowing.set()  # let parked pipes see their sockets gone
        for task in list(self._pipes):
            task.cancel()
        for task in list(self._pipes):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def set_mode(self, mode: Literal["pass", "refuse", "hang", "cut"]) -> None:
        if mode == "cut":
            self._drop_all()
            return
        if mode == "refuse":
            await self._close_listener()
            self._drop_all()
        elif self._server is None:
            await self.start()
        if mode == "hang":
            self._flowing.clear()
        else:
            self._flowing.set()
        self.mode = mode

    async def _close_listener(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            transport = writer.transport
            with contextlib.suppress(Exception):
                # RST, not FIN: the peer sees "connection reset" as after a crash.
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
            transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.add(writer)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._writers.discard(writer)
            writer.transport.abort()
            return
        self._writers.add(upstream_writer)
        pair = [
            asyncio.create_task(self._pipe(reader, upstream_writer)),
            asyncio.create_task(self._pipe(upstream_reader, writer)),
        ]
        for task in pair:
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)
        await asyncio.gather(*pair, return_exceptions=True)
        for w in (writer, upstream_writer):
            self._writers.discard(w)
            w.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                await self._flowing.wait()  # hung: bytes are held, never delivered
                if writer.transport.is_closing():
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()
