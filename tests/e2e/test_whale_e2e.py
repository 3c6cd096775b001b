"""/whale end to end, with no key at all (the free set-up)."""

from __future__ import annotations

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram, parse_html


async def test_whale_answers_from_okx_trades_without_any_key(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    telegram.push_command("/whale SOL", chat_id=901)
    telegram.push_command("/whale", chat_id=902, language_code="id")
    [sol] = await telegram.wait_for_messages(1, chat_id=901)
    [watch] = await telegram.wait_for_messages(1, chat_id=902)
    parse_html(sol)
    assert "Whales ≥ $1M: SOL" in sol
    assert "BUY</b> $1.05M SOL @ 142.41 · OKX SOL-USDT-SWAP" in sol
    assert "SELL</b> $1.15M SOL @ 142.3" in sol
    assert "982" not in sol  # just under the threshold
    assert "Source: OKX" in sol
    assert "Whale ≥ $1\xa0jt: BTC, ETH, SOL" in watch and "BELI" in watch  # Babel: no-break space
