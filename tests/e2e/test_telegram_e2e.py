"""The bot process with no token: one clear line, exit 2. (A token Telegram rejects is a case of
tests/e2e/test_startup_failures_e2e.py; the rest of what this file covered runs in process:
tests/inproc/test_running_bot.py and tests/inproc/test_bot_api.py.)"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


async def test_without_a_token_it_exits_with_one_clear_line(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    lines = (out + err).decode().strip().splitlines()
    assert proc.returncode == 2
    assert len(lines) == 1 and "BOT_TOKEN" in lines[0] and "Traceback" not in lines[0]
