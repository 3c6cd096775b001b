"""Degrade, never fail: no key at all, and a renamed route, end to end."""

from __future__ import annotations

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault

COMMANDS = [
    "/ticker SOL",
    "/ob SOL",
    "/heatmap SOL",
    "/whale SOL",
    "/sentiment",
    "/etf",
    "/options",
    "/options SOL",
    "/status",
    "/help",
]


async def test_with_no_key_at_all_every_command_still_answers(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    await start_bot()
    for n, command in enumerate(COMMANDS):
        telegram.push_command(command, chat_id=1300 + n)
    answers = {
        c: (await telegram.wait_for_messages(1, chat_id=1300 + n))[0]
        for n, c in enumerate(COMMANDS)
    }
    for answer in answers.values():
        parse_html(answer)
        assert "Something went wrong" not in answer
    assert "142.35" in answers["/ticker SOL"]
    assert "141.88" in answers["/ob SOL"]
    assert "realized liquidations on OKX only" in answers["/heatmap SOL"]
    assert "$1.05M" in answers["/whale SOL"]
    assert "73/100" in answers["/sentiment"]
    assert "CoinGlass: no API key set" in answers["/etf"]
    assert "BTC options open interest (OKX)" in answers["/options"]
    assert "27 Nov 26" in answers["/options"] and "25 Dec 26" in answers["/options"]
    assert "OKX lists no SOL options" in answers["/options SOL"]


async def test_a_renamed_route_is_healed_by_an_alias(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.fail(
        "/api/etf/bitcoin/flow-history",
        Fault(status=404, fixture=("coinglass", "error_404_endpoint_not_found.json")),
    )
    vendors.fail(
        "/api/bitcoin/etf/flow-history",
        Fault(fixture=("coinglass", "etf_bitcoin_flow_history.json")),
    )
    bot = await start_bot(COINGLASS_API_KEY="cg-test-key-123456")
    telegram.push_command("/etf", chat_id=1401)
    [answer] = await telegram.wait_for_messages(1, chat_id=1401)
    assert "+$122M" in answer and "Source: CoinGlass" in answer
    assert "coinglass:etf_bitcoin: route /api/etf/bitcoin/flow-history moved" in bot.log()
