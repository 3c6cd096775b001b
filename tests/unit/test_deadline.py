"""A chat command answers within its deadline when vendors hang, rate-limit or send garbage:
the hedged fallback, else the last value marked stale, else a plain "unavailable". Jobs keep
their long retry budget. Every test gives a hanging vendor far longer (20 s client timeout,
30 s hang) than the guard it awaits the answer with, so only the deadline can make it answer."""

from __future__ import annotations

import asyncio
import time

import pytest

from services.kernel.deadline import answer_within
from services.kernel.errors import RateLimitedError, Reason, TransientError
from services.kernel.retry import RetryPolicy, with_retry
from services.kernel.status import Health
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import MakeDispatch

TICKER = "/api/v5/market/tickers"
INSTRUMENTS = "/api/v5/public/instruments"
GUARD = 8.0  # a hang guard, far below the 20 s the vendor's own timeout would take
SLOW = {"http_timeout_seconds": 20.0, "chat_deadline_seconds": 2.0, "hedge_after_seconds": 0.3}


async def _ask(dispatch, command: str, chat_id: int) -> str:  # type: ignore[no-untyped-def]
    await asyncio.wait_for(dispatch.command(command, chat_id=chat_id), GUARD)
    texts = dispatch.telegram.sent_texts(chat_id)
    assert texts, f"{command} got no answer"
    return str(texts[-1])


async def test_a_hanging_source_is_hedged_by_its_fallback(
    make_dispatch: MakeDispatch, vendors: FakeVendors
) -> None:
    dispatch = await make_dispatch(coinapi_api_key="ca-key-123456", **SLOW)
    vendors.fail(TICKER, Fault(hang=True))
    text = await _ask(dispatch, "/ticker SOL", 71)
    assert "142.36" in text and "Source: CoinAPI" in text  # CoinAPI's price, not OKX's
    assert "fallback: OKX is not answering" in text
    status = dispatch.services.status.get("ticker")
    assert status is not None and status.health is Health.DEGRADED
    assert status.reason is Reason.TIMEOUT and status.source == "CoinAPI"


async def test_a_hanging_source_without_fallback_serves_the_last_price_marked_stale(
    make_dispatch: MakeDispatch, vendors: FakeVendors
) -> None:
    dispatch = await make_dispatch(ticker_cache_ttl_ms=1, **SLOW)
    assert "142.35" in await _ask(dispatch, "/ticker SOL", 72)
    await asyncio.sleep(0.01)  # the cached price is now past its TTL
    vendors.fail(TICKER, Fault(hang=True))
    text = await _ask(dispatch, "/ticker SOL", 73)
    # The copy's age, and what kind of old it is: the source it came from is not answering.
    assert "142.35" in text and "⚠️ last good copy: OKX is not answering" in text
    status = dispatch.services.status.get("ticker")
    assert status is not None and status.health is Health.DEGRADED


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_with_nothing_to_fall_back_on_the_answer_is_a_plain_unavailable(
    make_dispatch: MakeDispatch, vendors: FakeVendors
) -> None:
    dispatch = await make_dispatch(**SLOW)
    vendors.fail(TICKER, Fault(hang=True))
    text = await _ask(dispatch, "/ticker SOL", 74)
    assert "Price data is unavailable right now: OKX is not answering" in text
    status = dispatch.services.status.get("ticker")
    assert status is not None and status.health is Health.UNAVAILABLE
    assert status.reason is Reason.TIMEOUT


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_hanging_catalogue_does_not_hold_back_symbol_commands(
    make_dispatch: MakeDispatch, vendors: FakeVendors
) -> None:
    dispatch = await make_dispatch(instruments_cache_ttl_seconds=1, **SLOW)
    assert "142.35" in await _ask(dispatch, "/ticker SOL", 75)  # a good catalogue is kept
    await asyncio.sleep(1.05)
    vendors.fail(INSTRUMENTS, Fault(hang=True))
    before = vendors.count(INSTRUMENTS)
    for chat in (76, 77, 78):
        assert "142.35" in await _ask(dispatch, "/ticker SOL", chat)
    # One background refresh per list, shared by every command meanwhile.
    assert vendors.count(INSTRUMENTS) - before == 2
    # The old copy still judges symbols while the refresh hangs.
    assert "I don't know the symbol" in await _ask(dispatch, "/ticker NOPECOIN", 79)


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_retry_after_pauses_the_vendor_for_every_command(
    make_dispatch: MakeDispatch, vendors: FakeVendors
) -> None:
    dispatch = await make_dispatch(**SLOW)
    vendors.fail(
        TICKER,
        Fault(
            status=429,
            body={"code": "50011", "msg": "Too Many Requests"},
            headers={"Retry-After": "2"},
        ),
    )
    for chat in range(80, 85):
        text = await _ask(dispatch, "/ticker SOL", chat)
        assert "Price data is unavailable right now: OKX is rate-limiting us, back in ~" in text
    # Before: 5 commands made 11 calls through a 2 s Retry-After. Now the first call's answer
    # holds every later command back until the pause is over.
    assert vendors.count(TICKER) == 1
    vendors.clear(TICKER)
    await asyncio.sleep(2.05)
    assert "142.35" in await _ask(dispatch, "/ticker SOL", 85)


async def test_a_job_still_waits_out_a_short_pause_and_retries() -> None:
    calls: list[int] = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise TransientError("okx", "ticker", "HTTP 500")
        return "ok"

    assert await with_retry(flaky, RetryPolicy(base_delay=0.01, max_delay=0.02)) == "ok"
    assert len(calls) == 3


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_under_a_deadline_a_retry_that_cannot_finish_in_time_is_not_made() -> None:
    calls: list[int] = []

    async def limited() -> str:
        calls.append(1)
        raise RateLimitedError("okx", "ticker", "HTTP 429", retry_after=1.0)

    with pytest.raises(RateLimitedError):
        await with_retry(
            limited, RetryPolicy(attempts=2)
        )  # a job waits the 1 s out and tries again
    assert len(calls) == 2
    calls.clear()
    with answer_within(0.3, hedge_after=0.1), pytest.raises(RateLimitedError):
        await with_retry(
            limited, RetryPolicy(attempts=2)
        )  # 1 s does not fit in what is left of 0.3 s
    assert len(calls) == 1


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_a_slow_source_is_answered_from_the_old_copy_and_its_answer_kept_for_the_next(
    make_dispatch: MakeDispatch, vendors: FakeVendors
) -> None:
    """Slower than two hedge delays but inside the deadline: the chat gets the old price (marked
    stale) without waiting the source out, and the refresh goes on to fill the cache."""
    dispatch = await make_dispatch(ticker_cache_ttl_ms=1500, **SLOW)
    minute = int(time.time() // 60 * 60_000)
    vendors.set_candles("SOL-USDT", [(minute, 100, 100, 100, 100)])
    assert "100" in await _ask(dispatch, "/ticker SOL", 90)
    await asyncio.sleep(1.6)  # past the TTL
    vendors.set_candles("SOL-USDT", [(minute, 101, 101, 101, 101)])
    vendors.latency = 1.0  # over 2 x 0.3 s of hedging, under the 1.5 s left for data
    text = await _ask(dispatch, "/ticker SOL", 91)
    assert "<b>100</b>" in text and "last good copy: OKX is not answering" in text
    calls = vendors.count(TICKER)
    await asyncio.sleep(1.0)  # the refresh the first answer left running comes back
    vendors.latency = 0.0
    text = await _ask(dispatch, "/ticker SOL", 92)
    assert "<b>101</b>" in text and "last good copy" not in text
    assert vendors.count(TICKER) == calls  # served from what that refresh stored
