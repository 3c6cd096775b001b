"""A pushed sniper map followed to its end by the real process: edited in place when the fake
OKX price path reaches TP1, one final reply at TP2 after a restart in between, graded once; then
/performance and /replay show it, in English and Indonesian."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.kernel.alerts import AlertType
from tests.e2e.alerts import sniper_call_moved_back, sniper_grades, subscribe
from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors

CHAT = 6001
ENV = {
    "COINGLASS_API_KEY": "cg-test-key-123456",
    "SNIPER_INTERVAL_SECONDS": "3600",  # one map, then only the grader moves
    "GRADING_INTERVAL_SECONDS": "1",
}


def candles(
    now: datetime, rows: list[tuple[int, float, float, float]]
) -> list[tuple[int, float, float, float, float]]:
    """(minutes ago, low, high, close) -> (ts ms, open, high, low, close)."""
    base = now.replace(second=0, microsecond=0)
    return [
        (int((base - timedelta(minutes=ago)).timestamp() * 1000), close, high, low, close)
        for ago, low, high, close in rows
    ]


async def test_a_pushed_map_is_edited_at_tp1_and_answered_once_at_tp2_across_a_restart(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors, tmp_path: Path
) -> None:
    await subscribe(tmp_path, [CHAT], [AlertType.SNIPER])
    bot = await start_bot(**ENV)
    [push] = await telegram.wait_for_messages(1, chat_id=CHAT, timeout=20)
    assert "Entry: <b>141.88</b>" in push and "TP1: <b>142.7</b>" in push
    assert "Track record (Sniper maps, last 30 days): not enough graded calls yet (n=0)" in push
    pushed_id = telegram.calls_to("sendMessage", ok=True)[-1].result["message_id"]
    entry = await sniper_call_moved_back(tmp_path, 10.5)
    assert entry.invalidation is not None and entry.invalidation < 141.85
    now = datetime.now(UTC)
    path = [
        (10, 142.00, 142.30, 142.10),  # above the entry
        (9, 141.85, 142.00, 141.95),  # dips to the entry (141.88): filled
        (8, 141.95, 142.75, 142.60),  # TP1 (142.7)
    ]
    vendors.set_candles("SOL-USDT", candles(now, path))

    def edits(text: str) -> list[str]:
        return [
            c.params["text"]
            for c in telegram.calls_to("editMessageText", ok=True)
            if int(c.params["chat_id"]) == CHAT and text in c.params["text"]
        ]

    await telegram.wait_for(lambda: bool(edits("TP1 hit")), timeout=20)
    [tp1] = edits("TP1 hit")
    parse_html(tp1)
    assert "entry filled" in tp1 and "stop moved to entry" in tp1 and "Entry: <b>141.88</b>" in tp1
    edit = telegram.calls_to("editMessageText", ok=True)[-1]
    assert int(edit.params["message_id"]) == pushed_id  # the pushed message, in place
    assert len(telegram.sent_texts(CHAT)) == 1  # no new message yet

    await bot.stop()
    vendors.set_candles("SOL-USDT", candles(now, [*path, (7, 142.50, 144.60, 144.40)]))  # TP2
    restarted = await start_bot(**ENV, HTTP_PORT=str(bot.http_port))
    await telegram.wait_for(lambda: len(telegram.sent_texts(CHAT)) == 2, timeout=20)
    await asyncio.sleep(2.5)  # two more grading runs: nothing more may come
    [_, reply] = telegram.sent_texts(CHAT)
    parse_html(reply)
    assert "TP2 hit" in reply and "result +" in reply
    replied = [
        c for c in telegram.calls_to("sendMessage", ok=True) if c.params.get("reply_parameters")
    ]
    assert len(replied) == 1
    assert json.loads(replied[0].params["reply_parameters"])["message_id"] == pushed_id
    assert [t for t in edits("TP2 hit")]  # the map itself shows the outcome too
    # Graded once; the baseline (buying at market, 142.35, with the same stop distance) was
    # stopped by the dip that filled the map's entry.
    assert sorted(await sniper_grades(tmp_path)) == [("miss", True), ("tp2", False)]

    telegram.push_command("/performance sniper <b>x</b>", chat_id=6105)
    telegram.push_command("/replay 3y", chat_id=6106)
    telegram.push_command("/performance sniper", chat_id=6101)
    telegram.push_command("/performance sniper", chat_id=6102, language_code="id")
    telegram.push_command("/replay", chat_id=6103)
    telegram.push_command("/replay 7d", chat_id=6104, language_code="id")
    chats = (6101, 6102, 6103, 6104, 6105, 6106)
    await telegram.wait_for(lambda: all(telegram.sent_texts(c) for c in chats), timeout=20)
    [unknown] = telegram.sent_texts(6105)
    assert "I don't know the symbol <code>&lt;b&gt;x&lt;/b&gt;</code>" in unknown
    [bad] = telegram.sent_texts(6106)
    assert "24h" in bad and "7d" in bad and "Traceback" not in bad
    photos = {int(c.params["chat_id"]): c for c in telegram.calls_to("sendPhoto", ok=True)}
    assert {6101, 6102} <= set(photos)  # the cumulative-R chart, in both languages
    for chat in chats:
        for text in telegram.sent_texts(chat):
            parse_html(text)
            assert "{" not in text
    en = "\n".join(telegram.sent_texts(6101))
    assert "not enough calls yet (n=1)" in en
    assert "TP2 hit" in "\n".join(telegram.sent_texts(6103))
    id_ = "\n".join(telegram.sent_texts(6102) + telegram.sent_texts(6104))
    assert "belum" in id_  # Indonesian words, not English ones
    await restarted.stop()
