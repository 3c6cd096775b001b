"""Ports for servers the tests start in another process, or bind later."""

from __future__ import annotations

import random
import socket


def free_port() -> int:
    """A free port below the kernel's ephemeral range (32768 and up on Linux): one the OS picks
    for us is ephemeral, and by the time the bot binds it (seconds of imports later) any
    outgoing connection on the machine may hold it as its local port."""
    while True:
        port = random.randrange(20_000, 32_000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
