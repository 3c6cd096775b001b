"""/heatmap end to end: the free map from polled liquidations, and a plan wall falling back."""

from __future__ import annotations

from tests.e2e.conftest import StartBot
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault


async def test_free_heatmap_answers_with_an_image_and_labels_its_source(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await start_bot()
    telegram.push_command("/heatmap SOL 24h", chat_id=1201)
    [answer] = await telegram.wait_for_messages(1, chat_id=1201)
    parse_html(answer)
    assert "Relative estimate: realized liquidations on OKX only." in answer
    assert "(30 liquidations in range)" in answer
    assert "140–140.5" in answer and "144.5–145" in answer
    [photo] = telegram.calls_to("sendPhoto", ok=True)
    assert photo.params["chat_id"] == "1201"


async def test_coinglass_plan_wall_gives_the_free_map_labelled_and_status_plan(
    start_bot: StartBot, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.fail(
        "/api/futures/liquidation/heatmap/model1",
        Fault(status=402, body={"code": "402", "msg": "Upgrade plan"}),
    )
    await start_bot(COINGLASS_API_KEY="cg-test-key-123456")
    telegram.push_command("/heatmap SOL 4h", chat_id=1202)
    [answer] = await telegram.wait_for_messages(1, chat_id=1202)
    assert "realized liquidations on OKX only" in answer
    assert "fallback: CoinGlass needs a paid plan" in answer
    telegram.push_command("/status", chat_id=1202)
    [_, status] = await telegram.wait_for_messages(2, chat_id=1202)
    assert "heatmap</b>: degraded (needs a paid plan)" in status
    assert "coinglass:liquidation_heatmap</code>: open (needs a paid plan)" in status
