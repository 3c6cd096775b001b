"""Degrade, never fail: no key at all, and a renamed route, in process.
(Was tests/e2e/test_degrade_e2e.py.)"""

from __future__ import annotations

from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import Dispatch

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
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    answers = {}
    for n, command in enumerate(COMMANDS):
        await dispatch.command(command, chat_id=1300 + n)
        [answers[command]] = telegram.sent_texts(1300 + n)
    for answer in answers.values():
        parse_html(answer)
        assert "Something went wrong" not in answer
    assert "142.35" in answers["/ticker SOL"]
    assert "141.88" in answers["/ob SOL"]
    assert "estimate from OKX open interest" in answers["/heatmap SOL"]
    assert "$1.05M" in answers["/whale SOL"]
    assert "73/100" in answers["/sentiment"]
    assert "needs a CoinGlass key (ask the bot's operator)" in answers["/etf"]
    assert "BTC options open interest (OKX)" in answers["/options"]
    assert "27 Nov 26" in answers["/options"] and "25 Dec 26" in answers["/options"]
    assert "OKX lists no options on SOL" in answers["/options SOL"]
    assert not dispatch.logs.errors


async def test_a_renamed_route_is_healed_by_an_alias(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.fail(
        "/api/etf/bitcoin/flow-history",
        Fault(status=404, fixture=("coinglass", "error_404_endpoint_not_found.json")),
    )
    vendors.fail(
        "/api/bitcoin/etf/flow-history",
        Fault(fixture=("coinglass", "etf_bitcoin_flow_history.json")),
    )
    dispatch = await make_dispatch(coinglass_api_key="cg-test-key-123456")
    await dispatch.command("/etf", chat_id=1401)
    [answer] = telegram.sent_texts(1401)
    assert "+$122M" in answer and "Source: CoinGlass" in answer
    moved = "coinglass:etf_bitcoin: route /api/etf/bitcoin/flow-history moved"
    assert any(moved in line.message for line in dispatch.logs.warnings)
