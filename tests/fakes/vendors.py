"""A local fake of the market-data vendors, replaying fixture bodies over real HTTP.

One server answers every vendor's paths (they do not collide). Faults are injected per path:
status + fixture body, added latency, a hang past the client's timeout, or malformed JSON.
A test may script an OKX price path (`set_candles`): candles and the ticker then follow it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.derivatives import FakeDerivatives
from tests.fakes.server import serve

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vendors"


def load(vendor: str, name: str) -> Any:
    return json.loads((FIXTURES / vendor / name).read_text())


CANDLE_PATHS = {  # path -> the most rows OKX gives per request
    "/api/v5/market/candles": 300,
    "/api/v5/market/history-candles": 100,
}
MINUTE_MS = 60_000
# OKX's bar names (VENDORS.md: candles) the fake serves from a scripted 1m path, in ms.
BAR_MS = {
    "1m": MINUTE_MS,
    "5m": 5 * MINUTE_MS,
    "15m": 15 * MINUTE_MS,
    "1H": 60 * MINUTE_MS,
    "4H": 240 * MINUTE_MS,
    "1Dutc": 1440 * MINUTE_MS,
}
RECENT_CANDLES = 1440  # `candles` serves only the latest 1,440 bars (of the size asked); older
# ones need `history-candles`
Price = Decimal | float | int | str
CandleRow = tuple[int, Price, Price, Price, Price]  # (open time ms, open, high, low, close)

# Series CoinGlass serves by bar time, replayed as recent (their newest bar just closed).
COINGLASS_SERIES = {
    "/api/futures/funding-rate/oi-weight-history": "funding_oi_weight_history_docs.json",
    "/api/futures/open-interest/aggregated-history": "open_interest_aggregated_history_SOL.json",
}
COINGLASS_ROUTES = {
    "/api/futures/liquidation/heatmap/model1": "liquidation_heatmap_model1_SOLUSDT.json",
    "/api/index/fear-greed-history": "fear_greed_history.json",
    "/api/etf/bitcoin/flow-history": "etf_bitcoin_flow_history.json",
    "/api/etf/ethereum/flow-history": "etf_ethereum_flow_history_docs.json",
    "/api/etf/solana/flow-history": "etf_solana_flow_history_docs.json",
}


@dataclass
class Fault:
    status: int = 200
    body: Any = None  # a JSON-able body, or None for the fixture named by `fixture`
    fixture: tuple[str, str] | None = None
    latency: float = 0.0
    hang: bool = False  # sleep far past any client timeout
    malformed: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None  # None: every call until cleared
    # The route's normal body, changed (NaN, 1e300, wrong types, empty lists...).
    transform: Callable[[Any], Any] | None = None
    drop: bool = False  # close the connection without an answer


@dataclass
class Call:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float


class FakeVendors:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: dict[str, Fault] = {}
        self.latency = 0.0  # added to every answer
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self._liquidation_shift: int | None = None
        self._shifts: dict[str, int] = {}
        self._trades: dict[str, list[dict[str, str]]] = {}
        self.started = time.time()
        self._candles: dict[str, list[CandleRow]] = {}
        self._last: dict[str, str] = {}  # instId -> a scripted last price
        self._listed: set[str] = set()  # spot pairs listed beyond the fixtures
        self.clock: Callable[[], float] = time.time  # decides which scripted bar is still open
        self.port = 0
        # Scripted OKX trading statistics, by (instId, period): open interest [(ts ms, coins)]
        # and taker volume [(ts ms, sell, buy)], oldest first.
        self._open_interest: dict[tuple[str, str], list[tuple[int, float, float]]] = {}
        self._taker: dict[tuple[str, str], list[tuple[int, float, float]]] = {}
        self._series_shift: int | None = None
        self.derivatives = FakeDerivatives(lambda: self.clock())

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, path: str, fault: Fault) -> None:
        self.faults[path] = fault

    def clear(self, path: str | None = None) -> None:
        if path is None:
            self.faults.clear()
        else:
            self.faults.pop(path, None)

    def set_candles(self, inst_id: str, rows: list[CandleRow]) -> None:
        """Scripts the 1m price path of `inst_id`: `candles`/`history-candles` page through it
        as OKX would, and the ticker's `last` is the newest close. Replaces any earlier path."""
        self._candles[inst_id] = sorted(rows, key=lambda row: row[0])

    def set_last(self, inst_id: str, price: Price) -> None:
        """Scripts the ticker's `last` of `inst_id` on both ticker routes."""
        self._last[inst_id] = str(price)

    def list_spot(self, inst_ids: list[str]) -> None:
        """Lists more spot pairs (instruments and tickers, SOL's other fields): a catalogue of
        hundreds of symbols, as OKX's."""
        self._listed.update(inst_ids)

    def set_open_interest(
        self,
        inst_id: str,
        period: str,
        rows: list[tuple[int, float]] | list[tuple[int, float, float]],
    ) -> None:
        """Scripts a perpetual's open interest history: (ts ms, coins) or (ts ms, coins, price),
        oldest first; ctVal 1, so contracts = coins, and USD at the price (100 unless given)."""
        self._open_interest[(inst_id, period)] = sorted(
            (row[0], row[1], row[2] if len(row) > 2 else 100) for row in rows
        )

    def set_taker_volume(
        self, inst_id: str, period: str, rows: list[tuple[int, float, float]]
    ) -> None:
        """Scripts a perpetual's taker volume: (ts ms, sell, buy), oldest first."""
        self._taker[(inst_id, period)] = sorted(rows)

    def clear_candles(self, inst_id: str | None = None) -> None:
        if inst_id is None:
            self._candles.clear()
        else:
            self._candles.pop(inst_id, None)

    def set_trades(self, inst_id: str, trades: list[tuple[str, float, float, float]]) -> None:
        """Scripts `inst_id`'s public trades as (side, size, price, seconds ago), newest first
        as OKX lists them; sizes are contracts on swaps, as on OKX."""
        now_ms = int(time.time() * 1000)
        self._trades[inst_id] = [
            {
                "instId": inst_id,
                "side": side,
                "sz": str(size),
                "px": str(price),
                "tradeId": str(900000 + n),
                "ts": str(now_ms - int(ago * 1000)),
            }
            for n, (side, size, price, ago) in enumerate(trades)
        ]

    def count(self, path: str) -> int:
        return sum(1 for c in self.calls if c.path == path)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        self._stopping.set()  # ends hanging handlers so shutdown does not wait for them
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.calls.append(Call(path, dict(request.query), dict(request.headers), time.monotonic()))
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self.faults.get(path)
        if fault is not None:
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.pop(path, None)
            if fault.transform is not None:
                status, body, headers = self._route(path, request)
                return web.json_response(fault.transform(body), status=status, headers=headers)
            return await self._fault(fault, request)
        status, body, headers = self._route(path, request)
        return web.json_response(body, status=status, headers=headers)

    async def _fault(self, fault: Fault, request: web.Request) -> web.StreamResponse:
        if fault.latency:
            await asyncio.sleep(fault.latency)
        if fault.drop and request.transport is not None:
            request.transport.close()
            return web.Response(status=500)  # never reaches the client
        if fault.hang:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 30)
        if fault.malformed:
            return web.Response(
                status=fault.status,
                text='{"code":"0","data":[{"last":',
                content_type="application/json",
                headers=fault.headers,
            )
        body = (
            fault.body
            if fault.body is not None
            else (load(*fault.fixture) if fault.fixture else {})
        )
        return web.json_response(body, status=fault.status, headers=fault.headers)

    def _shift_to_now(self, body: Any) -> Any:
        """Replays liquidation orders as if they had just happened (same spacing, newest at the
        server's start): the bot keeps only a recent window, so the fixture's day-old times
        would all fall outside it. The shift is fixed per server, as real timestamps are."""
        details = [d for row in body["data"] for d in row["details"]]
        if details:
            if self._liquidation_shift is None:
                newest = max(int(d["ts"]) for d in details)
                self._liquidation_shift = int(time.time() * 1000) - newest
            for detail in details:
                detail["ts"] = str(int(detail["ts"]) + self._liquidation_shift)
        return body

    def _recent(self, key: str, rows: list[dict[str, Any]], field: str) -> None:
        """Whale trades and alerts replayed as recent (same spacing, the newest two minutes
        before the server started): the signals count only the last WHALE_WINDOW_MINUTES, and
        OKX's trades endpoint only ever holds the latest prints. Fixed per server and key."""
        if not rows:
            return
        if key not in self._shifts:
            newest = max(int(float(r[field])) for r in rows)
            self._shifts[key] = int(self.started * 1000) - 120_000 - newest
        for row in rows:
            shifted = int(float(row[field])) + self._shifts[key]
            row[field] = str(shifted) if isinstance(row[field], str) else shifted

    def _to_now(self, rows: list[list[Any]]) -> list[list[Any]]:
        """The 5-minute fixtures (SOL's candles and open interest, both ending at the same bar)
        replayed as if their newest bar had just closed, with one shift per server: the
        liquidation estimate reads only recent periods."""
        if self._series_shift is None:
            body = load("okx", "rubik_contracts_open_interest_history_SOL-USDT-SWAP_5m.json")
            newest = max(int(r[0]) for r in body["data"])
            now = int(self.started * 1000) // 300_000 * 300_000
            self._series_shift = now - newest
        return [[str(int(r[0]) + self._series_shift), *r[1:]] for r in rows]

    def _rubik(self, path: str, q: Mapping[str, str]) -> tuple[int, Any]:
        """OKX's trading statistics per contract: rows newest first, at most `limit`."""
        inst_id, period = q.get("instId", ""), q.get("period", "5m")
        if not inst_id:
            return 400, load("okx", "error_param_empty.json")
        swaps = {r["instId"] for r in load("okx", "instruments_SWAP.json")["data"]}
        listed = inst_id in swaps or (inst_id, period) in self._open_interest
        if not (inst_id.endswith("-SWAP") and listed):
            return 200, load("okx", "error_instrument_not_found.json")
        limit = min(int(q.get("limit", 100) or 100), 100)
        rows: list[list[Any]]
        if path.endswith("open-interest-history"):
            scripted = self._open_interest.get((inst_id, period))
            name = f"rubik_contracts_open_interest_history_{inst_id}_{period}.json"
            if scripted is not None:
                rows = [[str(t), str(c), str(c), str(c * p)] for t, c, p in scripted]
            elif (FIXTURES / "okx" / name).exists():
                rows = self._to_now(load("okx", name)["data"])
            else:
                rows = []
        else:
            usd = 100 if q.get("unit") == "2" else 1  # unit=2 asks USD: 100 a coin, ctVal 1
            rows = [
                [str(t), str(sell * usd), str(buy * usd)]
                for t, sell, buy in self._taker.get((inst_id, period), [])
            ]
        rows = sorted(rows, key=lambda r: int(r[0]), reverse=True)[:limit]
        return 200, {"code": "0", "msg": "", "data": rows}

    def _ticker(self, inst_id: str) -> Any:
        name = f"ticker_{inst_id}.json"
        if (FIXTURES / "okx" / name).exists():
            body = load("okx", name)
        elif inst_id == "BTC-USDT":
            body = load("okx", "ticker_BTC-USDT_docs.json")
        elif inst_id in self._candles or inst_id in self._listed:
            body = load("okx", "ticker_SOL-USDT.json")  # borrow another pair's other fields
            body["data"][0]["instId"] = inst_id
        else:
            return load("okx", "error_instrument_not_found.json")
        path = self._candles.get(inst_id)
        if path:
            body["data"][0]["last"] = str(path[-1][4])
        if inst_id in self._last:
            body["data"][0]["last"] = self._last[inst_id]
        return body

    def _tickers(self, inst_type: str) -> Any:
        """`market/tickers`: every ticker the single route knows, of one instType."""
        fixtures = {
            load("okx", f.name)["data"][0]["instId"]
            for f in (FIXTURES / "okx").glob("ticker_*.json")
        }
        ids = sorted(fixtures | set(self._candles) | self._listed)
        rows = [
            self._ticker(i)["data"][0]
            for i in ids
            if ("SWAP" if i.endswith("-SWAP") else "SPOT") == inst_type
        ]
        return {"code": "0", "msg": "", "data": rows}

    def _known(self, inst_id: str) -> bool:
        """Whether the ticker route would answer for `inst_id` (else OKX says 51001)."""
        return (
            (FIXTURES / "okx" / f"ticker_{inst_id}.json").exists()
            or inst_id == "BTC-USDT"
            or inst_id in self._candles
            or inst_id in self._listed
        )

    def _candle_page(self, path: str, q: Mapping[str, str]) -> tuple[int, Any]:
        """OKX's paging: newest first, `after` = opened before, `before` = opened after."""
        inst_id = q.get("instId", "")
        try:
            after = int(q["after"]) if "after" in q else None
            before = int(q["before"]) if "before" in q else None
            limit = min(int(q.get("limit", 100)), CANDLE_PATHS[path])
        except ValueError:
            return 400, {"code": "51000", "msg": "Parameter error.", "data": []}
        scripted = self._candles.get(inst_id)
        if scripted is not None:
            bar_ms = BAR_MS.get(q.get("bar", "1m"))
            if bar_ms is None:  # a name OKX does not know (it is case-sensitive: 1H, not 1h)
                return 400, {"code": "51000", "msg": "Parameter bar error.", "data": []}
            now = int(self.clock() * 1000)
            rows = [
                [
                    str(ts),
                    str(o),
                    str(h),
                    str(lo),
                    str(c),
                    "1",
                    "1",
                    "1",
                    "0" if ts + bar_ms > now else "1",
                ]
                for ts, o, h, lo, c in _bars(scripted, bar_ms)
            ]
            if path == "/api/v5/market/candles":
                oldest_served = (now // bar_ms - (RECENT_CANDLES - 1)) * bar_ms
                rows = [row for row in rows if int(row[0]) >= oldest_served]
            rows.reverse()
        else:
            kind = "candles" if path == "/api/v5/market/candles" else "history_candles"
            name = f"{kind}_{inst_id}_{q.get('bar', '1m')}.json"
            if (FIXTURES / "okx" / name).exists():
                rows = self._to_now(load("okx", name)["data"])
            elif self._known(inst_id):
                rows = []  # a known pair we hold no bars for
            else:
                return 200, load("okx", "error_instrument_not_found.json")
        if after is not None:
            rows = [row for row in rows if int(row[0]) < after]
        if before is not None:
            rows = [row for row in rows if int(row[0]) > before]
        # Newest first even with only `before` ("the latest data will be returned", OKX docs).
        return 200, {"code": "0", "msg": "", "data": rows[:limit]}

    def _route(self, path: str, request: web.Request) -> tuple[int, Any, dict[str, str]]:
        q = request.query
        if path == "/api/v5/market/ticker":
            return 200, self._ticker(q.get("instId", "")), {}
        if path == "/api/v5/market/tickers":
            if not q.get("instType"):
                return 400, load("okx", "error_param_empty.json"), {}
            return 200, self._tickers(q["instType"]), {}
        if path in CANDLE_PATHS:
            status, body = self._candle_page(path, q)
            return status, body, {}
        perpetuals = self.derivatives.route(path, q)
        if perpetuals is not None:
            return (*perpetuals, {})
        if path.startswith("/api/v5/rubik/stat/"):
            status, body = self._rubik(path, q)
            return status, body, {}
        if path == "/api/v5/market/books":
            name = f"books_{q.get('instId', '')}.json"
            if (FIXTURES / "okx" / name).exists():
                return 200, load("okx", name), {}
            return 200, load("okx", "error_instrument_not_found.json"), {}
        if path == "/api/v5/market/trades":
            if q.get("instId", "") in self._trades:
                return 200, {"code": "0", "msg": "", "data": self._trades[q["instId"]]}, {}
            name = f"trades_{q.get('instId', '')}.json"
            if (FIXTURES / "okx" / name).exists():
                body = load("okx", name)
                self._recent(name, body["data"], "ts")
                return 200, body, {}
            return 200, {"code": "0", "msg": "", "data": []}, {}
        if path in COINGLASS_ROUTES:
            if not request.headers.get("CG-API-KEY"):
                return 200, load("coinglass", "error_api_key_missing.json"), {}
            return 200, load("coinglass", COINGLASS_ROUTES[path]), {}
        if path in COINGLASS_SERIES:
            if not request.headers.get("CG-API-KEY"):
                return 200, load("coinglass", "error_api_key_missing.json"), {}
            body = load("coinglass", COINGLASS_SERIES[path])
            self._recent(COINGLASS_SERIES[path], body["data"], "time")
            return 200, body, {}
        if path == "/api/ticker_all":
            body = load("indodax", "ticker_all.json")
            for row in body["tickers"].values():  # as fresh as a live answer
                row["server_time"] = int(time.time())
            return 200, body, {}
        if path == "/fng/":
            return 200, load("alternative_me", "fng_limit2.json"), {}
        if path == "/api/hyperliquid/whale-alert":
            if not request.headers.get("CG-API-KEY"):
                return 200, load("coinglass", "error_api_key_missing.json"), {}
            body = load("coinglass", "whale_alert.json")
            self._recent("whale_alert", body["data"], "create_time")
            return 200, body, {}
        if path == "/api/v5/public/liquidation-orders":
            if not (q.get("uly") or q.get("instFamily")):
                return 400, load("okx", "error_uly_or_instfamily_required.json"), {}
            name = f"liquidation_orders_SWAP_{q.get('uly') or q.get('instFamily')}.json"
            if (FIXTURES / "okx" / name).exists():
                return 200, self._shift_to_now(load("okx", name)), {}
            return 200, {"code": "0", "msg": "", "data": []}, {}
        if path == "/api/v3/depth":
            name = f"depth_{q.get('symbol', '')}.json"
            if (FIXTURES / "binance" / name).exists():
                return 200, load("binance", name), {}
            return 400, load("binance", "error_invalid_symbol.json"), {}
        if path == "/api/v5/public/open-interest" and q.get("instType") == "OPTION":
            name = f"open_interest_OPTION_{q.get('instFamily', '')}.json"
            if (FIXTURES / "okx" / name).exists():
                return 200, load("okx", name), {}
            return 200, load("okx", "error_instrument_not_found.json"), {}
        if path == "/api/v5/public/instruments":
            inst_type = q.get("instType")
            if not inst_type:
                return 400, load("okx", "error_param_empty.json"), {}
            name = f"instruments_{inst_type}.json"
            if (FIXTURES / "okx" / name).exists():
                body = load("okx", name)
                if inst_type == "SPOT":
                    like = next(r for r in body["data"] if r["instId"] == "SOL-USDT")
                    body["data"] += [like | {"instId": i} for i in sorted(self._listed)]
                return 200, body, {}
            return 200, {"code": "0", "data": [], "msg": ""}, {}
        if path.startswith("/v1/quotes/") and path.endswith("/current"):
            if not request.headers.get("X-CoinAPI-Key"):
                return 401, load("coinapi", "error_invalid_api_key.json"), {}
            symbol_id = path.split("/")[3]
            name = f"quote_current_{symbol_id}.json"
            if (FIXTURES / "coinapi" / name).exists():
                return 200, load("coinapi", name), {}
            return 550, load("coinapi", "error_no_data_550.json"), {}
        if path.startswith("/api/v5/"):
            return 404, load("okx", "error_404_unknown_path.json"), {}
        return 404, {"error": "not found"}, {}


def _bars(minutes: list[CandleRow], bar_ms: int) -> list[CandleRow]:
    """A scripted 1m path as `bar_ms` bars opened on multiples of it (UTC), as OKX serves."""
    grouped: dict[int, list[CandleRow]] = {}
    for row in minutes:
        grouped.setdefault(row[0] // bar_ms * bar_ms, []).append(row)
    return [
        (
            opened,
            rows[0][1],
            max(Decimal(str(r[2])) for r in rows),
            min(Decimal(str(r[3])) for r in rows),
            rows[-1][4],
        )
        for opened, rows in sorted(grouped.items())
    ]
