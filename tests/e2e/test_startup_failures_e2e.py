"""`python -m bot` with something it needs missing or miswritten: one plain line on stderr, a
non-zero exit, no traceback, and no secret (the bot token, API keys, passwords in URLs) in
anything it prints. Run with -s to see the matrix."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fakes.telegram import FakeTelegram

TOKEN = "123456:ABC-secret-token-value"
SECRETS = {
    "BOT_TOKEN": TOKEN,
    "COINAPI_API_KEY": "coinapi-secret-key-value",
    "COINGLASS_API_KEY": "coinglass-secret-key-value",
    "WEBHOOK_SECRET": "webhook-secret-value",  # set without WEBHOOK_URL: polling mode still
}
DB_PASSWORD = "db-secret-password"
MALFORMED_TOKEN = "AAE-only-the-secret-half"  # pasted without its "123456:" part
REDIS_PASSWORD = "redis-secret-password"
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
CONCURRENT = 3  # each case is mostly the interpreter importing the bot: CPU-bound
CASE_SECONDS = 45.0  # a loaded 2-core machine; the point is that nothing waits a full timeout


@dataclass
class Case:
    name: str
    env: dict[str, str]
    expect: tuple[str, ...]  # words the one line must hold
    needs: str | None = None  # a local server this case needs ("postgres")
    exit: int | None = None  # the exit code it must end with, where one is promised
    code: int | None = None
    line: str = ""
    output: str = ""
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def reachable(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    telegram = FakeTelegram(token=TOKEN)
    await telegram.start()
    yield telegram
    await telegram.stop()


@pytest.fixture
async def html_proxy() -> AsyncIterator[FakeTelegram]:
    """A Bot API behind an edge proxy that answers every call with its HTML 502 page."""
    telegram = FakeTelegram(token=TOKEN)
    await telegram.start()
    telegram.fail_raw("getMe", HTML_502, status=502, times=1000)
    yield telegram
    await telegram.stop()


@pytest.fixture
async def other_bot() -> AsyncIterator[FakeTelegram]:
    """A Bot API that knows another token: ours is refused with 401."""
    telegram = FakeTelegram(token="654321:another-bots-token")
    await telegram.start()
    yield telegram
    await telegram.stop()


def cases(fake: str, html_proxy: str, other_bot: str, busy_port: int) -> list[Case]:
    pg = "postgresql+asyncpg://postgres"
    return [
        Case(
            "PostgreSQL down",
            {"DATABASE_URL": f"{pg}:{DB_PASSWORD}@127.0.0.1:1/postgres"},
            ("database", "connection refused", "DATABASE_URL"),
        ),
        Case(
            "DATABASE_URL port 99999",
            {"DATABASE_URL": f"{pg}@127.0.0.1:99999/postgres"},
            ("DATABASE_URL", "99999"),
        ),
        Case(
            "DATABASE_URL port abc",
            {"DATABASE_URL": f"{pg}:{DB_PASSWORD}@127.0.0.1:abc/postgres"},
            ("DATABASE_URL", "port is not a number"),
        ),
        Case(
            "unknown database",
            {"DATABASE_URL": f"{pg}@127.0.0.1:5432/no_such_db"},
            ("no_such_db", "does not exist", "DATABASE_URL"),
            needs="postgres",
        ),
        Case("REDIS_URL malformed", {"REDIS_URL": "redis://[::1"}, ("REDIS_URL",)),
        Case("REDIS_URL without scheme", {"REDIS_URL": "localhost:6379"}, ("REDIS_URL",)),
        Case(
            "BOT_TOKEN malformed",
            {"BOT_TOKEN": MALFORMED_TOKEN},
            ("BOT_TOKEN", "@BotFather"),
            exit=2,
        ),
        Case(
            "Telegram unreachable",
            {"TELEGRAM_API_BASE": "http://127.0.0.1:1"},
            ("Telegram Bot API", "connection refused", "TELEGRAM_API_BASE"),
        ),
        Case(
            "TELEGRAM_API_BASE http://[::1",
            {"TELEGRAM_API_BASE": "http://[::1"},
            ("TELEGRAM_API_BASE", "not a valid URL"),
        ),
        Case(
            "TELEGRAM_API_BASE 'not a url'",
            {"TELEGRAM_API_BASE": "not a url"},
            ("TELEGRAM_API_BASE", "http(s) URL"),
        ),
        Case(
            "Bot API behind an HTML 502",
            {"TELEGRAM_API_BASE": html_proxy},
            ("Telegram Bot API", "Bad Gateway"),
        ),
        Case(
            "token refused (401)",
            {"TELEGRAM_API_BASE": other_bot},
            ("rejected BOT_TOKEN", "401"),
            exit=2,  # a configuration error, as a missing token is
        ),
        Case(
            "HTTP_PORT taken",
            {"HTTP_PORT": str(busy_port)},
            ("HTTP_HOST/HTTP_PORT", "address already in use"),
        ),
    ]


async def run_case(case: Case, base_env: dict[str, str], workdir: Path) -> None:
    env = {**base_env, **case.env}
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), CASE_SECONDS * 2)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
    case.seconds = time.monotonic() - started
    case.code = proc.returncode
    case.output = (out + err).decode(errors="replace")
    lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
    case.line = lines[0] if len(lines) == 1 else f"<{len(lines)} lines>"
    if case.code in (0, None) or case.exit not in (None, case.code):
        case.problems.append(f"exit code {case.code}")
    if len(lines) != 1:
        case.problems.append(f"{len(lines)} stderr lines:\n" + "\n".join(lines[:40]))
    if out.strip():
        case.problems.append(f"stdout: {out.decode(errors='replace')[:500]}")
    if "Traceback" in case.output:
        case.problems.append("a traceback")
    for secret in [*SECRETS.values(), DB_PASSWORD, REDIS_PASSWORD, MALFORMED_TOKEN]:
        if secret in case.output:
            case.problems.append(f"a secret in the output: {secret[:6]}...")
    missing = [word for word in case.expect if word not in case.line]
    if missing:
        case.problems.append(f"the line does not say {missing}")
    if case.seconds > CASE_SECONDS:
        case.problems.append(f"took {case.seconds:.0f}s")


async def test_every_start_up_failure_is_one_plain_line_and_a_non_zero_exit(
    fake: FakeTelegram, html_proxy: FakeTelegram, other_bot: FakeTelegram, tmp_path: Path
) -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    busy_port = busy.getsockname()[1]
    base_env = {
        "PATH": "/usr/bin:/bin",
        # The real HOME: a fresh one has matplotlib build its font cache (tens of seconds).
        "HOME": os.environ.get("HOME", str(tmp_path)),
        **SECRETS,
        "TELEGRAM_API_BASE": fake.base_url,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": "0",
        "TELEGRAM_STARTUP_WAIT_SECONDS": "0",  # the waiting: tests/unit/test_startup_wait.py
        # Nothing here may reach a vendor (or the internet) before it fails.
        **{
            f"{name}_BASE_URL": "http://127.0.0.1:1"
            for name in ("OKX", "COINAPI", "BINANCE", "COINGLASS", "FNG")
        },
    }
    table = cases(fake.base_url, html_proxy.base_url, other_bot.base_url, busy_port)
    table = [c for c in table if c.needs != "postgres" or reachable(5432)]
    slots = asyncio.Semaphore(CONCURRENT)
    for index in range(len(table)):
        (tmp_path / f"case{index}").mkdir()  # each its own SQLite file

    async def one(index: int, case: Case) -> None:
        async with slots:
            await run_case(case, base_env, tmp_path / f"case{index}")

    try:
        await asyncio.gather(*(one(i, c) for i, c in enumerate(table)))
    finally:
        busy.close()
    print("\ncase | exit code | seconds | the one line")
    for case in table:
        print(f"{case.name} | {case.code} | {case.seconds:.1f} | {case.line}")
    failed = [f"{c.name}: {'; '.join(c.problems)}" for c in table if c.problems]
    assert not failed, "\n".join(failed)
