"""/heatmap in process: the free map estimated from OKX open interest (realized liquidations a
layer of their own), and a plan wall falling back. (Was tests/e2e/test_heatmap_e2e.py.)"""

from __future__ import annotations

from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import Dispatch


async def test_free_heatmap_answers_with_an_image_and_labels_its_source(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/heatmap SOL 24h", chat_id=1201)
    [answer] = telegram.sent_texts(1201)
    parse_html(answer)
    assert "Pending liquidation levels: estimate from OKX open interest." in answer
    assert "Liquidated in the last 24h on OKX (gone, not levels)" in answer and "(30)" in answer
    assert "Above price" in answer and "Below price" in answer
    [photo] = telegram.calls_to("sendPhoto", ok=True)
    assert photo.params["chat_id"] == "1201"


async def test_coinglass_plan_wall_gives_the_free_map_labelled_and_status_plan(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.fail(
        "/api/futures/liquidation/heatmap/model1",
        Fault(status=402, body={"code": "402", "msg": "Upgrade plan"}),
    )
    dispatch = await make_dispatch(coinglass_api_key="cg-test-key-123456")
    await dispatch.command("/heatmap SOL 4h", chat_id=1202)
    [answer] = telegram.sent_texts(1202)
    assert "estimate from OKX open interest" in answer
    assert "fallback: not in your CoinGlass plan" in answer
    await dispatch.command("/status", chat_id=1202)
    [_, status] = telegram.sent_texts(1202)
    assert "Liquidation data</b>: ok (free source) · OKX" in status  # the plan is a choice
    assert "Status: all systems ok" in status


async def test_the_free_map_says_what_it_is_in_indonesian(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/heatmap SOL 4h", chat_id=1203, language_code="id")
    [answer] = telegram.sent_texts(1203)
    assert "Level likuidasi tertunda: perkiraan dari open interest OKX." in answer
    assert "Terlikuidasi dalam 4h terakhir di OKX (sudah hilang, bukan level)" in answer
