"""An old copy served in place of a live answer says how old it is and why: its age is the
copy's (not the moment its source stamped on it), and its mark names what failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiocache import SimpleMemoryCache
from aiocache.serializers import JsonSerializer

from services.kernel.cache import ResilientCache
from services.kernel.errors import Reason, VendorTimeoutError
from services.kernel.metrics import Metrics
from services.kernel.models import Provenance
from services.kernel.sources import read_through
from services.kernel.status import StatusRegistry


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


async def test_a_copy_stamped_on_arrival_is_shown_as_old_as_it_is_with_why() -> None:
    """Binance's book has no time of its own: it is stamped when it arrives. Served two minutes
    later as the last good copy, it must not read "(1s ago)"."""
    clock = Clock()
    cache = ResilientCache(
        SimpleMemoryCache(serializer=JsonSerializer()), Metrics(), max_stale=600.0, clock=clock
    )
    status = StatusRegistry()
    failing = False

    async def fetch() -> Provenance:
        if failing:
            raise VendorTimeoutError("binance", "depth", "no answer in 8.0s")
        return Provenance(source="Binance", as_of=datetime.now(UTC))  # stamped on arrival

    await read_through(cache, status, "spot_ob", "k", Provenance, 1.0, fetch)
    clock.now += 120  # two minutes on, the source hangs
    failing = True
    copy = await read_through(cache, status, "spot_ob", "k", Provenance, 1.0, fetch)
    assert copy.stale and copy.stale_reason is Reason.TIMEOUT and copy.stale_by == "Binance"
    assert copy.as_of <= datetime.now(UTC) - timedelta(seconds=119)
    state = status.get("spot_ob")
    assert state is not None and state.reason is Reason.TIMEOUT and state.reason_by == "Binance"
    await cache.close()


async def test_a_free_install_reports_the_free_sources_failure_not_the_missing_key() -> None:
    """No CoinGlass key (a set-up) and OKX failing (a fault): /status and an old copy's mark
    speak of OKX, and the bot reads degraded, not "all ok" during an outage."""
    from services.kernel.errors import DataUnavailableError
    from services.kernel.sources import report_unavailable, stale_cause
    from services.kernel.status import Overall

    failed = DataUnavailableError("whale", [("CoinGlass", Reason.NO_KEY), ("OKX", Reason.ERROR)])
    status = StatusRegistry()
    status.register("whale")
    report_unavailable(status, failed)
    state = status.get("whale")
    assert state is not None and (state.reason, state.reason_by) == (Reason.ERROR, "OKX")
    assert status.overall() is not Overall.OK
    assert stale_cause(failed, "OKX") == (Reason.ERROR, "OKX")
    only_setup = DataUnavailableError("etf", [("CoinGlass", Reason.NO_KEY)])
    assert stale_cause(only_setup, "CoinGlass") == (Reason.NO_KEY, "CoinGlass")
