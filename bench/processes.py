"""The two processes the throughput and latency benches compare, and how they are measured.

The real bot (`python -m bot`) and the bare echo bot (bench/echo_bot.py) each poll their own
fake Bot API (same code, one per process so their updates never mix) in this process, next to
the fake vendors. CPU and memory are read from /proc (Linux): the process's own user + system
time across all its threads, and its resident set.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process (all threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bot_env(telegram: FakeTelegram, vendors: FakeVendors, workdir: str) -> dict[str, str]:
    """The real bot, quiet and unpaced: the benches measure its own cost, not Telegram's limits
    (bench/flood.py measures pacing). Prices stay cached for the whole run."""
    urls = {
        f"{name}_BASE_URL": vendors.base_url
        for name in ("OKX", "COINAPI", "BINANCE", "BINANCE_FUTURES", "COINGLASS", "FNG")
    }
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", workdir),
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE": telegram.base_url,
        **urls,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(free_port()),
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bot.db",
        "TICKER_CACHE_TTL_MS": "600000",
        "USER_COMMANDS_PER_MINUTE": "1000",
        "TELEGRAM_GLOBAL_PER_SECOND": "100000",
        "TELEGRAM_CHAT_PER_SECOND": "100000",  # a bench user asks again at once
        "PROBE_INTERVAL_SECONDS": "0",
        "LIQUIDATION_POLL_SECONDS": "0",
        "OKX_WS_URL": "",  # no live liquidations: nothing leaves this machine
        "BIAS_INTERVAL_SECONDS": "0",
        "SNIPER_INTERVAL_SECONDS": "0",
        "GRADING_INTERVAL_SECONDS": "0",
    }


@dataclass
class Polled:
    """One bot process and its own fake Bot API."""

    name: str
    args: list[str]
    telegram: FakeTelegram = field(default_factory=FakeTelegram)
    proc: asyncio.subprocess.Process | None = None
    startup_seconds: float = 0.0  # from exec to its first getUpdates
    _seen: int = 0  # index into telegram.calls already scanned

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, env: dict[str, str], log: Path) -> None:
        started = clock()
        with log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, *self.args, env=env, cwd=ROOT, stdout=out, stderr=out
            )
        await self.telegram.wait_for(
            lambda: self.telegram.calls_to("getUpdates") or self.proc.returncode is not None,
            timeout=60,
        )
        if self.proc.returncode is not None:
            raise SystemExit(f"{self.name} exited at start; see {log}")
        self.startup_seconds = self.telegram.calls_to("getUpdates")[0].at - started

    def replies(self) -> list[tuple[int, float, str]]:
        """sendMessage calls since the last look: (chat id, when, text)."""
        calls = self.telegram.calls
        new = calls[self._seen :]
        self._seen = len(calls)
        return [
            (int(c.params["chat_id"]), c.at, str(c.params.get("text", "")))
            for c in new
            if c.method == "sendMessage"
        ]

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


class Pair:
    """The real bot and the echo bot, started side by side against the same fakes."""

    def __init__(self) -> None:
        self.vendors = FakeVendors()
        self.bot = Polled("bot", ["-m", "bot"])
        self.echo = Polled("echo", ["bench/echo_bot.py"])
        self._tmp = tempfile.TemporaryDirectory()

    async def __aenter__(self) -> Pair:
        await self.vendors.start()
        await self.bot.telegram.start()
        await self.echo.telegram.start()
        workdir = self._tmp.name
        env = bot_env(self.bot.telegram, self.vendors, workdir)
        await self.bot.start(env, Path(workdir) / "bot.log")
        echo_env = {**env, "BOT_TOKEN": self.echo.telegram.token}
        echo_env["TELEGRAM_API_BASE"] = self.echo.telegram.base_url
        await self.echo.start(echo_env, Path(workdir) / "echo.log")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.bot.stop()
        await self.echo.stop()
        await self.bot.telegram.stop()
        await self.echo.telegram.stop()
        await self.vendors.stop()
        self._tmp.cleanup()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def clock() -> float:
    return time.monotonic()  # the fake Bot API stamps calls with the same clock
