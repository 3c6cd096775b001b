"""The vendor call pipeline (breaker -> retry -> budget -> HTTP -> body classification),
over real HTTP against the fake vendor server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.container import Services, build_services
from services.kernel.breaker import BreakerState
from services.kernel.errors import (
    BadResponseError,
    BreakerOpenError,
    PlanRequiredError,
    RateLimitedError,
    Reason,
    RouteMissingError,
    TransientError,
    UnknownInstrumentError,
)
from services.kernel.retry import RetryPolicy
from services.kernel.symbols import parse_symbol
from tests.conftest import make_settings
from tests.fakes.vendors import FakeVendors, Fault

pytestmark = pytest.mark.usefixtures("fast_backoff")

TICKER = "/api/v5/market/ticker"
SOL = parse_symbol("SOL")


@pytest.fixture
async def services(vendors: FakeVendors, fast_backoff: RetryPolicy) -> AsyncIterator[Services]:
    built = build_services(
        make_settings(okx_base_url=vendors.base_url, coinapi_base_url=vendors.base_url),
        retry=fast_backoff,
    )
    yield built
    await built.aclose()


async def okx_ticker(services: Services):  # type: ignore[no-untyped-def]
    from services.vendors.okx import OkxClient

    return await OkxClient(services.clients[0]).ticker(SOL)


async def test_okx_ticker_parses_the_fixture(services: Services) -> None:
    ticker = await okx_ticker(services)
    assert str(ticker.last) == "142.35"
    assert str(ticker.high_24h) == "144.2" and str(ticker.volume_quote) == "213456789.321407"
    assert ticker.source == "OKX" and ticker.as_of.year == 2026
    assert round(float(ticker.change_24h_pct or 0), 2) == 2.48


async def test_error_inside_http_200_is_read_from_the_body(
    services: Services, vendors: FakeVendors
) -> None:
    vendors.fail(TICKER, Fault(fixture=("okx", "error_instrument_not_found.json")))
    with pytest.raises(UnknownInstrumentError):
        await okx_ticker(services)
    assert vendors.count(TICKER) == 1  # not retried
    assert services.breakers.get("okx", "ticker").state is BreakerState.CLOSED


async def test_rate_limit_code_in_a_200_body_is_retried(
    services: Services, vendors: FakeVendors
) -> None:
    vendors.fail(TICKER, Fault(body={"code": "50011", "msg": "Rate limit reached."}))
    with pytest.raises(RateLimitedError):
        await okx_ticker(services)
    assert vendors.count(TICKER) == 3


async def test_429_retry_after_is_honoured_then_succeeds(
    services: Services, vendors: FakeVendors
) -> None:
    vendors.fail(
        TICKER,
        Fault(
            status=429,
            fixture=("okx", "error_rate_limited.json"),
            headers={"Retry-After": "0.3"},
            times=1,
        ),
    )
    ticker = await okx_ticker(services)
    assert ticker.last > 0
    first, second = [c.at for c in vendors.calls if c.path == TICKER]
    assert second - first >= 0.3


async def test_5xx_is_retried_three_times_then_reported(
    services: Services, vendors: FakeVendors
) -> None:
    vendors.fail(TICKER, Fault(status=500, body={"code": "50026", "msg": "System error."}))
    with pytest.raises(TransientError):
        await okx_ticker(services)
    assert vendors.count(TICKER) == 3


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
async def test_timeout_is_transient(services: Services, vendors: FakeVendors) -> None:
    vendors.fail(TICKER, Fault(hang=True, times=1))
    ticker = await okx_ticker(services)  # first attempt times out, the retry answers
    assert ticker.last > 0
    assert vendors.count(TICKER) == 2


@pytest.mark.parametrize("status", [401, 402, 403])
async def test_plan_statuses_open_the_breaker_for_an_hour(
    services: Services, vendors: FakeVendors, status: int
) -> None:
    vendors.fail(TICKER, Fault(status=status, body={"code": str(status), "msg": "Upgrade plan"}))
    with pytest.raises(PlanRequiredError):
        await okx_ticker(services)
    snap = services.breakers.get("okx", "ticker").snapshot()
    assert snap.state is BreakerState.OPEN and snap.reason is Reason.PLAN
    assert snap.retry_in_seconds > 3500
    with pytest.raises(BreakerOpenError):
        await okx_ticker(services)
    assert vendors.count(TICKER) == 1  # nothing sent while open


async def test_404_route_is_missing_and_not_retried(
    services: Services, vendors: FakeVendors
) -> None:
    vendors.fail(TICKER, Fault(status=404, fixture=("okx", "error_404_unknown_path.json")))
    with pytest.raises(RouteMissingError):
        await okx_ticker(services)
    assert vendors.count(TICKER) == 1


async def test_malformed_json_is_a_bad_response(services: Services, vendors: FakeVendors) -> None:
    vendors.fail(TICKER, Fault(malformed=True))
    with pytest.raises(BadResponseError):
        await okx_ticker(services)


async def test_wrong_types_are_a_bad_response(services: Services, vendors: FakeVendors) -> None:
    vendors.fail(
        TICKER,
        Fault(
            body={
                "code": "0",
                "msg": "",
                "data": [{"instId": "SOL-USDT", "last": "n/a", "ts": "x"}],
            }
        ),
    )
    with pytest.raises(BadResponseError):
        await okx_ticker(services)


async def test_breaker_opens_after_five_failed_calls_and_stops_sending(
    services: Services, vendors: FakeVendors
) -> None:
    vendors.fail(TICKER, Fault(status=500))
    for _ in range(5):
        with pytest.raises(TransientError):
            await okx_ticker(services)
    sent = vendors.count(TICKER)
    assert sent == 15  # 5 calls x 3 attempts
    with pytest.raises(BreakerOpenError):
        await okx_ticker(services)
    assert vendors.count(TICKER) == sent
    assert (
        services.metrics.registry.get_sample_value("breaker_state", {"breaker": "okx:ticker"}) == 2
    )


async def test_every_attempt_is_counted_by_status(services: Services, vendors: FakeVendors) -> None:
    await okx_ticker(services)
    assert (
        services.metrics.registry.get_sample_value(
            "upstream_requests_total", {"vendor": "okx", "endpoint": "ticker", "status": "200"}
        )
        == 1
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", 2.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("soon", None),
        ("", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_header_forms(header: str, expected: float | None) -> None:
    import httpx

    from services.kernel.http import retry_after

    response = httpx.Response(429, headers={"Retry-After": header} if header else {})
    assert retry_after(response) == expected


def test_retry_after_http_date_in_the_future() -> None:
    import email.utils
    import time

    import httpx

    from services.kernel.http import retry_after

    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    value = retry_after(httpx.Response(429, headers={"Retry-After": future}))
    assert value is not None and 25 <= value <= 31
