"""The bot against Bot API errors, its start-up calls, its HTTP endpoints, and no token."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx

from bot.registry import COMMANDS
from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors


async def test_startup_deletes_webhook_then_publishes_commands_in_both_languages(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    methods = [c.method for c in telegram.calls]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    published = {
        c.params.get("language_code"): c.params["commands"]
        for c in telegram.calls_to("setMyCommands")
    }
    assert set(published) == {None, "id"}
    names = [c.name for c in COMMANDS if not c.admin_only]
    assert [c["command"] for c in published[None]] == names
    assert [c["command"] for c in published["id"]] == names
    assert published["id"][0]["description"] != published[None][0]["description"]


async def test_help_is_generated_from_the_registry(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    telegram.push_command("/help", chat_id=11)
    telegram.push_command("/help", chat_id=1, user_id=1)  # user 1 is in ADMIN_IDS
    [public] = await telegram.wait_for_messages(1, chat_id=11)
    [admin] = await telegram.wait_for_messages(1, chat_id=1)
    for spec in COMMANDS:
        assert f"/{spec.name}" in admin
        assert (f"/{spec.name}" in public) is not spec.admin_only


async def test_telegram_429_is_waited_out_and_the_answer_still_arrives(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    telegram.fail("sendMessage", "error_429.json", retry_after=1, chat_id=21)
    telegram.push_command("/ticker SOL", chat_id=21)
    [text] = await telegram.wait_for_messages(1, chat_id=21)
    assert "142.35" in text
    attempts = [c for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == "21"]
    assert [c.ok for c in attempts] == [False, True]
    assert attempts[1].at - attempts[0].at >= 1.0  # it waited retry_after before retrying


async def test_blocked_chat_403_does_not_stop_the_bot(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    bot = await start_bot()
    telegram.fail("sendMessage", "error_403_blocked.json", chat_id=31, times=5)
    telegram.push_command("/ticker SOL", chat_id=31)
    await telegram.wait_for(
        lambda: any(
            c.params.get("chat_id") == "31" and not c.ok for c in telegram.calls_to("sendMessage")
        )
    )
    telegram.push_command("/ticker SOL", chat_id=32)
    [text] = await telegram.wait_for_messages(1, chat_id=32)
    assert "142.35" in text
    assert bot.proc is not None and bot.proc.returncode is None
    assert "bot was blocked" in bot.log()


async def test_healthz_and_metrics_are_served(start_bot: StartBot, telegram: FakeTelegram) -> None:
    bot = await start_bot()
    telegram.push_command("/ticker SOL", chat_id=41)
    await telegram.wait_for_messages(1, chat_id=41)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{bot.http_port}") as client:
        health = (await client.get("/healthz")).json()
        metrics = (await client.get("/metrics")).text
    assert health["status"] == "ok" and health["modules"]["ticker"]["status"] == "ok"
    assert 'upstream_requests_total{endpoint="ticker",status="200",vendor="okx"} 1.0' in metrics
    assert 'command_seconds_count{command="ticker"} 1.0' in metrics
    assert "cache_events_total" in metrics and "telegram_api_errors_total" in metrics


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


async def test_a_rejected_token_exits_with_one_clear_line(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "BOT_TOKEN": "1:wrong",
            "HTTP_PORT": "0",
            "TELEGRAM_API_BASE": telegram.base_url,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert "Telegram rejected BOT_TOKEN" in err.decode()
    assert "Traceback" not in err.decode() and "1:wrong" not in (out + err).decode()


async def test_typing_is_shown_only_while_a_slow_answer_is_built(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await start_bot()
    telegram.push_command("/help", chat_id=61)  # instant: no typing
    await telegram.wait_for_messages(1, chat_id=61)
    vendors.latency = 1.2  # every vendor answer now takes over a second
    telegram.push_command("/sentiment", chat_id=62)
    await telegram.wait_for_messages(1, chat_id=62)
    actions = {
        (c.params["chat_id"], c.params["action"]) for c in telegram.calls_to("sendChatAction")
    }
    assert ("62", "typing") in actions
    assert not [a for a in actions if a[0] == "61"]
