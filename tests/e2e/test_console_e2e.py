"""`python -m bot console`: the bot without a token, in a terminal (here a piped session)
against the fake vendors: plain-text answers, charts saved to files, buttons numbered."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.e2e.harness import BotProcess
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors

SESSION = "/ticker SOL\n1\n/ob SOL\n/frobnicate\n$SOL\n"


async def test_a_piped_console_session_answers_like_the_bot(
    telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path
) -> None:
    env = BotProcess(telegram, vendors, tmp_path).env
    env["BOT_TOKEN"] = ""  # the point: no token at all
    env["TELEGRAM_API_BASE"] = "http://127.0.0.1:1"  # and nothing reaches Telegram
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "console",
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(SESSION.encode()), 60)
    text = out.decode()
    assert proc.returncode == 0, err.decode()[-2000:]
    assert "SOL/USDT  142.35\n24h change" in text and "Source: OKX" in text
    assert "<b>" not in text and "&amp;" not in text  # plain text, not Telegram's HTML
    assert "[1] 🔄 Refresh" in text and "(Updated)" in text  # a button, numbered, pressed
    [saved] = [line for line in text.splitlines() if line.startswith("[image saved: ")]
    image = tmp_path / saved.removeprefix("[image saved: ").rstrip("]")
    assert image.read_bytes().startswith(b"\x89PNG")  # the order book's depth chart
    assert "I don't know /frobnicate" in text
    assert text.count("SOL/USDT  142.35\n") == 3  # /ticker, the refresh, and `$SOL` alone
    assert not telegram.calls  # no Bot API was ever asked
    assert "Traceback" not in err.decode()
