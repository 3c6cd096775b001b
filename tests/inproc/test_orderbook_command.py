"""/ob in process: walls by exchange, the depth chart, and the fallback when OKX fails.
(Was tests/e2e/test_orderbook_e2e.py.)"""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.dispatch import Dispatch


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_ob_answers_walls_by_exchange_and_falls_back_when_okx_fails(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await asyncio.gather(
        dispatch.command("/ob SOL", chat_id=801),
        dispatch.command("/ob sol binance", chat_id=802, language_code="id"),
        dispatch.command("/ob SOL <b>kraken</b>", chat_id=803),
    )
    [okx] = telegram.sent_texts(801)
    [binance] = telegram.sent_texts(802)
    [bad] = telegram.sent_texts(803)
    assert "141.88" in okx and "7.9× median" in okx and "142.7" in okx and "11.7× median" in okx
    assert "Source: OKX" in okx
    assert "14,9× median" in binance and "Sumber: Binance" in binance
    assert "&lt;b&gt;kraken&lt;/b&gt;" in bad and "okx" in bad and "binance" in bad
    for text in (okx, binance, bad):
        parse_html(text)
    photos = [c for c in telegram.calls_to("sendPhoto", ok=True)]
    assert {c.params["chat_id"] for c in photos} == {"801", "802"}  # a depth chart each
    assert all(c.params["photo"].startswith("attach://") for c in photos)
    assert telegram.calls_to("sendChatAction")  # "sending a photo…" while it is drawn

    await asyncio.sleep(1.1)  # past the order-book TTL
    vendors.fail("/api/v5/market/books", Fault(status=503))
    await dispatch.command("/ob SOL", chat_id=804)
    [fallback] = telegram.sent_texts(804)
    assert (
        "Source: Binance" in fallback and "fallback: OKX is having trouble on its side" in fallback
    )


async def test_status_says_what_the_answer_just_said_when_the_book_is_rate_limited(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """The user was told OKX is rate-limiting us: /status must not read "not used yet"."""
    vendors.fail(
        "/api/v5/market/books",
        Fault(
            status=429,
            body={"code": "50011", "msg": "Too Many Requests"},
            headers={"Retry-After": "30"},
        ),
    )
    await dispatch.command("/ob SOL okx", chat_id=1851)
    [answer] = telegram.sent_texts(1851)
    assert "OKX is rate-limiting us" in answer
    await dispatch.command("/status", chat_id=1851)
    status = telegram.sent_texts(1851)[-1]
    assert "Order book data</b>: unavailable (OKX is rate-limiting us" in status
