"""/whale in process, with no key at all (the free set-up). (Was tests/e2e/test_whale_e2e.py.)"""

from __future__ import annotations

from tests.fakes.telegram import FakeTelegram, parse_html
from tests.unit.dispatch import Dispatch


async def test_whale_answers_from_okx_trades_without_any_key(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/whale SOL", chat_id=901)
    await dispatch.command("/whale", chat_id=902, language_code="id")
    [sol] = telegram.sent_texts(901)
    [watch] = telegram.sent_texts(902)
    parse_html(sol)
    assert "Whales ≥ $1M: SOL" in sol
    assert "BUY</b> $1.05M SOL @ 142.41 · OKX SOL-USDT-SWAP" in sol
    assert "SELL</b> $1.15M SOL @ 142.3" in sol
    assert "982" not in sol  # just under the threshold
    assert "Source: OKX" in sol
    assert "Whale ≥ $1\xa0jt: BTC, ETH, SOL" in watch and "BELI" in watch  # Babel: no-break space
