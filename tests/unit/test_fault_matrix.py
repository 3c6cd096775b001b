"""The fault matrix: every vendor route the bot reads x every way a vendor fails x the commands
that read that route, through the real dispatcher (tests/unit/dispatch.py).

Each cell must be answered (the vendor hangs for 30 s and the client's own timeout is 20 s, so
only the chat deadline can make it answer), in plain words (no apology for an internal error,
no reason codes, no traceback in the log), and /status must tell the truth: a module whose
vendor failed is not "ok". The matrix is printed (`pytest -s`) and shown on any failure.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.registry import COMMANDS as REGISTRY
from services.kernel.modules import MODULES
from services.kernel.status import Health
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import Dispatch

DEADLINE = 1.5
GUARD = DEADLINE + 4.0  # far below the 20 s a vendor timeout would take: a hang guard only
RAW_CODES = ("bad_data", "rate_limited", "breaker_open", "no_key", "Traceback", "Error:")
INTERNAL = "Something went wrong"
# Every market command of the registry as a trader sends it, and the other ways some are
# asked (an exchange named, no symbol): a new market command is in the matrix with no list here.
COMMANDS = [spec.sample for spec in REGISTRY if spec.sample] + [
    "/ob SOL binance",
    "/funding",
    "/ticker SOL-PERP",
]
# The module whose status a failing route must change, when that route is its first source.
MODULE = {
    "/api/v5/market/tickers": "ticker",
    "/api/v5/market/books": "spot_ob",
    "/api/v5/market/trades": "whale",
    "/api/v5/rubik/stat/contracts/open-interest-history": "heatmap",
    "/api/v5/public/open-interest": "options",
    "/fng/": "sentiment",
    "/api/hyperliquid/whale-alert": "whale",
    "/api/futures/liquidation/heatmap/model1": "heatmap",
    "/api/index/fear-greed-history": "sentiment",
    "/api/etf/bitcoin/flow-history": "etf",
    "/api/etf/solana/flow-history": "etf",
    "/api/v5/public/funding-rate": "funding",
    "/api/v5/public/funding-rate-history": "funding",
}
INSTRUMENTS = "/api/v5/public/instruments"
# Sources whose fallback is only read when they fail (CoinAPI for the ticker, Binance's book,
# Binance futures for funding, open interest and the statistics). The first two's fallbacks
# need a key or stand apart: with it, each is also a path of its own (the hedge).
KEYED = ("/api/v5/market/tickers", "/api/v5/market/books")
PRIMARIES = (
    *KEYED,
    "/api/v5/public/funding-rate",
    "/api/v5/public/open-interest",
    "/api/v5/rubik/stat/contracts/long-short-account-ratio-contract",
)
WITH_FALLBACK = " +fallback"
# Commands that read one module only, whose healthy answer is stable from one cell to the next.
SINGLE = {"/ticker SOL", "/ob SOL", "/heatmap SOL", "/whale", "/sentiment", "/etf", "/funding SOL"}


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str) and value:
        try:
            return math.isfinite(float(value))
        except ValueError:
            return False
    return False


def _leaves(body: Any, change: Callable[[Any], Any]) -> Any:
    """Every numeric leaf of the body's data part passed through `change`."""
    if isinstance(body, dict):
        return {k: _leaves(v, change) for k, v in body.items() if k not in ("code", "msg")} | {
            k: body[k] for k in ("code", "msg") if k in body
        }
    if isinstance(body, list):
        return [_leaves(v, change) for v in body]
    return change(body) if _numeric(body) else body


def _like(value: Any, new: Any) -> Any:
    return str(new) if isinstance(value, str) else new


def _timestamp(value: Any) -> bool:
    number = float(value)
    return 1e9 <= number < 1e10 or 1e12 <= number < 1e13  # epoch seconds or milliseconds


def empty(body: Any) -> Any:
    if isinstance(body, dict) and "data" in body:
        return {**body, "data": []}
    if isinstance(body, dict) and "bids" in body:
        return {**body, "bids": [], "asks": []}
    return {}


FAULTS: dict[str, Fault] = {
    "402": Fault(status=402, body={"code": "402", "msg": "Payment Required"}),
    "403": Fault(status=403, body={"code": "403", "msg": "Forbidden"}),
    "404": Fault(status=404, body={"code": "404", "msg": "Not Found"}),
    "500": Fault(status=500, body={"code": "500", "msg": "Internal Server Error"}),
    "timeout": Fault(hang=True),
    "conn drop": Fault(drop=True),
    "malformed": Fault(malformed=True),
    "empty": Fault(transform=empty),
    "wrong types": Fault(
        transform=lambda b: _leaves(b, lambda v: [v] if isinstance(v, str) else "x")
    ),
    "NaN": Fault(transform=lambda b: _leaves(b, lambda v: _like(v, "NaN"))),
    "1e300": Fault(transform=lambda b: _leaves(b, lambda v: _like(v, "1e300"))),
    "ts 1e20": Fault(
        transform=lambda b: _leaves(b, lambda v: _like(v, 10**20) if _timestamp(v) else v)
    ),
    # Last in each row: the pause it asks for must not reach into the next row's cells.
    "429 RA=1": Fault(
        status=429, body={"code": "50011", "msg": "Too Many Requests"}, headers={"Retry-After": "1"}
    ),
}
HARD = set(FAULTS) - {"404"}  # a 404 may be healed by a route's known alias
# Lists of events, where an empty list is news ("no whale in the window"), not a fault.
EMPTY_IS_NEWS = {
    "/api/hyperliquid/whale-alert",
    "/api/v5/market/trades",
    "/api/v5/public/liquidation-orders",
}
SHARDS = 3  # the matrix is the suite's longest test: split, test workers run it side by side


@dataclass
class Cell:
    route: str
    fault: str
    command: str
    answered: bool
    status: str
    ms: float
    problem: str = ""


async def _answer(dispatch: Dispatch, command: str, chat_id: int) -> tuple[str | None, float]:
    started = time.perf_counter()
    await asyncio.wait_for(dispatch.command(command, chat_id=chat_id), GUARD)
    elapsed = (time.perf_counter() - started) * 1000
    replies = [c for c in dispatch.sent() if int(c.params.get("chat_id", 0)) == chat_id]
    if not replies:
        return None, elapsed
    last = replies[-1]
    return str(last.params.get("text") or last.params.get("caption") or ""), elapsed


async def _reset(dispatch: Dispatch, vendors: FakeVendors) -> None:
    """Each cell starts with nothing cached and no breaker or pause left by the one before,
    but with the instrument catalogue at hand (as after the bot's first minute), unless the
    catalogue is what fails."""
    await dispatch.services.cache.clear()
    dispatch.services.breakers.reset()
    for client in dispatch.services.clients:
        client.resume()
    if INSTRUMENTS not in vendors.faults:
        assert await dispatch.services.instruments.known()


async def _routes_read(
    dispatch: Dispatch, vendors: FakeVendors, chat: int
) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Which routes each command reads (with `vendors`' standing faults), with its answer."""
    routes: dict[str, tuple[list[str], dict[str, str]]] = {}
    for n, command in enumerate(COMMANDS):
        await _reset(dispatch, vendors)
        before = len(vendors.calls)
        text, _ms = await _answer(dispatch, command, chat + n)
        assert text is not None, f"{command} not answered on a healthy day"
        for path in {c.path for c in vendors.calls[before:]}:
            commands, healthy = routes.setdefault(path, ([], {}))
            commands.append(command)
            healthy[command] = text
    return routes


def _agreed(
    first: dict[str, tuple[list[str], dict[str, str]]],
    again: dict[str, tuple[list[str], dict[str, str]]],
) -> dict[str, tuple[list[str], dict[str, str]]]:
    """The routes, and the commands reading each, that two readings both saw."""
    kept = {}
    for path, (commands, healthy) in first.items():
        both = [c for c in commands if path in again and c in again[path][0]]
        if both:
            kept[path] = (both, {c: healthy[c] for c in both})
    return kept


def _checked(dispatch: Dispatch, module: str) -> bool:
    state = dispatch.services.status.get(module)
    return state is not None and state.checked


def _judge(cell: Cell, text: str | None, health: Health | None, healthy: str) -> None:
    if text is None:
        cell.problem = "no answer"
        return
    if INTERNAL in text or any(code in text for code in RAW_CODES):
        cell.problem = f"not plain: {text[:80]!r}"
        return
    route = cell.route.removesuffix(WITH_FALLBACK)
    primary = MODULE.get(route)
    if (
        cell.fault in HARD
        and not (cell.fault == "empty" and route in EMPTY_IS_NEWS)
        and cell.command in SINGLE
        and primary is not None
        and health is Health.OK
        and text != healthy
    ):
        cell.problem = f"{primary} says ok, yet the answer changed: {text[:80]!r}"


async def _row(
    dispatch: Dispatch,
    vendors: FakeVendors,
    route: str,
    commands: list[str],
    healthy: dict[str, str],
    chat: int,
    name: str,
) -> list[Cell]:
    cells = []
    for fault_name, fault in FAULTS.items():
        vendors.fail(route, fault)
        await _reset(dispatch, vendors)
        dispatch.logs.clear()
        before = len(vendors.calls)
        # The commands of a cell at once, as a busy chat would send them.
        answers = await asyncio.gather(
            *(_answer(dispatch, command, chat + n) for n, command in enumerate(commands))
        )
        asked = any(c.path == route for c in vendors.calls[before:])
        for command, (text, ms) in zip(commands, answers, strict=True):
            module = MODULE.get(route)
            state = dispatch.services.status.get(module) if module else None
            health = state.health if state else None
            status = (
                f"{health.value}{f' ({state.reason.value})' if state and state.reason else ''}"
                if health
                else "-"
            )
            cell = Cell(name, fault_name, command, text is not None, status, ms)
            _judge(cell, text, health, healthy[command])
            # A cell that never asked the faulty route tested nothing of it; unless its answer
            # spent half the deadline first (a loaded machine: an earlier call of the command
            # was slow and no time was left to ask), which tested the deadline instead.
            if not asked and not cell.problem and ms < DEADLINE * 1000 / 2:
                cell.problem = "the faulty route was never asked"
            cells.append(cell)
        vendors.faults.pop(route, None)
        bad_logs = [line.message[:100] for line in dispatch.logs.errors + dispatch.logs.tracebacks]
        if bad_logs:
            cells[-1].problem = (cells[-1].problem + f" ERROR log: {bad_logs[0]}").strip()
        chat += len(commands)
    return cells


def _table(cells: list[Cell]) -> str:
    lines = [f"{'route':42} {'fault':11} {'command':16} {'answered':8} {'ms':>6}  status / problem"]
    for c in cells:
        lines.append(
            f"{c.route:42} {c.fault:11} {c.command:16} {'yes' if c.answered else 'NO':8} "
            f"{c.ms:6.0f}  {c.status}{'  <-- ' + c.problem if c.problem else ''}"
        )
    return "\n".join(lines)


async def _matrix(
    make_dispatch: MakeDispatch, vendors: FakeVendors, paid: bool, done: list[str], shard: int
) -> list[Cell]:
    """Free set-up first (no keys: OKX, Binance, alternative.me); then with keys, the routes
    only a paid set-up reads (CoinGlass, CoinAPI). Every route read is added to `done`, in
    order; this shard runs the rows of every SHARDS-th of them."""
    keys = {"coinglass_api_key": "cg-test-key-123456", "coinapi_api_key": "ca-test-key-654321"}
    dispatch = await make_dispatch(
        chat_deadline_seconds=DEADLINE,
        hedge_after_seconds=0.3,
        http_timeout_seconds=20.0,
        breaker_failure_threshold=10_000,
        # Our own budgets must not stand between a cell and its fault ("paced" answers would
        # hide what the vendor's fault does): every vendor is asked in every cell.
        okx_requests_per_2s=100_000,
        okx_stats_requests_per_2s=100_000,
        coinglass_requests_per_minute=100_000,
        coinapi_requests_per_minute=100_000,
        binance_requests_per_minute=100_000,
        binance_futures_requests_per_minute=100_000,
        fng_requests_per_minute=100_000,
        # Nor may a copy kept from the cell before (the bulk ticker list, a failure just met,
        # the liquidations polled a moment ago) answer in its place.
        ticker_cache_ttl_ms=1,
        liquidation_poll_seconds=0,
        **(keys if paid else {}),
    )
    chat = 5000 if paid else 1000
    cells = []
    # Healthy first; then with each primary down, so the fallbacks' own routes are read too.
    for down in (None, *(PRIMARIES if paid else ())):
        if down is not None:
            vendors.fail(down, Fault(status=500))
        # Read twice, and kept where both agree: a fallback asked once because its primary
        # happened to be slow past the hedge (a loaded machine) is not a path of that command
        # (its cell would find the route never asked while the primary answers in time).
        first = await _routes_read(dispatch, vendors, chat)
        again = await _routes_read(dispatch, vendors, chat + 50)
        routes = _agreed(first, again)
        chat += 100
        if down is None:  # a module no matrix command reads would have no row at all
            unread = [m.value for m in MODULES if not _checked(dispatch, m.value)]
            assert not unread, f"no market command in the registry reads {unread}"
        # A primary with its fallback keyed is a path of its own (the hedge): its row runs
        # again in the paid set-up, named so.
        again = {f"{route}{WITH_FALLBACK}": route for route in KEYED if paid and not down}
        rows = {route: route for route in set(routes) - {down}} | again
        for name in sorted(set(rows) - set(done)):
            done.append(name)
            if len(done) % SHARDS != shard:
                continue
            commands, healthy = routes[rows[name]]
            cells += await _row(dispatch, vendors, rows[name], commands, healthy, chat, name)
            chat += 200
        vendors.clear()
    return cells


@pytest.mark.slow  # ~30 s in all: in `make test`, not in the quick `make check`
@pytest.mark.parametrize("shard", range(SHARDS))
async def test_every_route_times_every_fault_is_answered_plainly_and_truthfully(
    make_dispatch: MakeDispatch, vendors: FakeVendors, fast_backoff: None, shard: int
) -> None:
    """Sharded by route, so test workers share the matrix; each shard finds the routes the
    commands read itself, so a route added to a command is in the matrix with no list to edit."""
    done: list[str] = []
    cells = await _matrix(make_dispatch, vendors, paid=False, done=done, shard=shard)
    cells += await _matrix(make_dispatch, vendors, paid=True, done=done, shard=shard)
    table = _table(cells)
    print("\n" + table)
    assert {"/api/v5/market/tickers", "/api/v5/market/books", "/api/v3/depth", "/fng/"} <= set(done)
    assert {f"{route}{WITH_FALLBACK}" for route in KEYED} <= set(done)
    assert {"/fapi/v1/premiumIndex", "/fapi/v1/openInterest"} <= set(done)  # the fallbacks
    assert "/api/hyperliquid/whale-alert" in done  # the paid set-up's routes were read too
    assert {
        "/api/v5/public/funding-rate",
        "/api/v5/public/funding-rate-history",
        "/api/v5/rubik/stat/contracts/long-short-account-ratio-contract",
        "/api/v5/rubik/stat/contracts/long-short-position-ratio-contract-top-trader",
    } <= set(done)
    assert cells, "this shard was given no route"
    assert not [c for c in cells if c.problem], table
