"""Starts the real `python -m bot` process against the fake Bot API and fake vendors."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.ports import free_port

COINAPI_TEST_KEY = "coinapi-test-key-7f3a9c2e5b"
# Settings whose values must never reach a log line; every e2e test's bot is checked on stop.
SECRET_ENV = (
    "BOT_TOKEN",
    "COINAPI_API_KEY",
    "COINGLASS_API_KEY",
    "WEBHOOK_SECRET",
    "API_KEYS",
)


class BotProcess:
    def __init__(
        self, telegram: FakeTelegram, vendors: FakeVendors, workdir: Path, **env: str
    ) -> None:
        self.telegram = telegram
        # A restarted replica keeps its port (and so its name for job leases).
        self.http_port = int(env.get("HTTP_PORT") or free_port())
        self.workdir = workdir
        self.log_path = workdir / f"bot-{self.http_port}.log"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", str(workdir)),
            "PYTHONUNBUFFERED": "1",
            "BOT_TOKEN": telegram.token,
            "TELEGRAM_API_BASE": telegram.base_url,
            "OKX_BASE_URL": vendors.base_url,
            "OKX_WS_URL": "",  # live liquidations off: the e2e runs on the REST poll
            "COINAPI_BASE_URL": vendors.base_url,
            "BINANCE_BASE_URL": vendors.base_url,
            "BINANCE_FUTURES_BASE_URL": vendors.base_url,
            "COINGLASS_BASE_URL": vendors.base_url,
            "FNG_BASE_URL": vendors.base_url,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.http_port),
            "HTTP_TIMEOUT_SECONDS": "1",
            "LOG_LEVEL": "DEBUG",
            "DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bot.db",
            "ADMIN_IDS": "1",
            # Background jobs call vendors on their own clock; tests that count calls need
            # quiet. A test that wants them passes its own interval.
            "PROBE_INTERVAL_SECONDS": "0",
            "LIQUIDATION_POLL_SECONDS": "0",
            "BIAS_INTERVAL_SECONDS": "0",
            "SNIPER_INTERVAL_SECONDS": "0",
            "GRADING_INTERVAL_SECONDS": "0",
        }
        self.env.update(env)
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, ready_method: str = "getUpdates") -> BotProcess:
        # The child keeps its own descriptor; ours is closed as soon as it has started.
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=log,
            )
        polls_before = len(self.telegram.calls_to(ready_method))
        await self.telegram.wait_for(
            lambda: (
                len(self.telegram.calls_to(ready_method)) > polls_before
                or (self.proc is not None and self.proc.returncode is not None)
            ),
            timeout=30,
        )
        if self.proc.returncode is not None:
            raise AssertionError(f"bot exited {self.proc.returncode}:\n{self.log()}")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def secrets(self) -> dict[str, str]:
        """The secret values this bot was given: keys and tokens, passwords inside URLs."""
        found = {name: self.env[name] for name in SECRET_ENV if self.env.get(name)}
        for name in ("DATABASE_URL", "REDIS_URL"):
            try:
                password = urlsplit(self.env.get(name, "")).password
            except ValueError:
                continue
            if password:
                found[f"the password in {name}"] = password
        return found

    def assert_no_secrets(self) -> None:
        """The whole log so far (this port's, across restarts) holds none of them."""
        log = self.log()
        leaked = [name for name, value in self.secrets().items() if value in log]
        assert not leaked, f"the bot logged {', '.join(leaked)} in {self.log_path}"

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            if self.proc is not None:
                self.assert_no_secrets()
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 15)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        self.assert_no_secrets()
        return self.proc.returncode

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
            self.assert_no_secrets()
