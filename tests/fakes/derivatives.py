"""The fake OKX's perpetuals: funding now (one contract or `ANY`), funding paid, open interest
now, and the long/short statistics, for the perpetuals of instruments_SWAP.json and any a test
scripts; and Binance USDⓈ-M futures' public routes, the same world in Binance's shapes.
Defaults are OKX's own sample rows (the fixtures), moved to the fake's clock.

A history row carries `realizedRate` (paid) and a different `fundingRate` (predicted), so a
parser reading the wrong one shows in the figures, as OKX's own rows would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vendors"
HOUR_MS = 3_600_000
PERIOD_MS = {"5m": 300_000, "15m": 900_000, "1H": HOUR_MS, "4H": 4 * HOUR_MS}


def _load(name: str) -> Any:
    return json.loads((FIXTURES / "okx" / name).read_text())


def _ok(data: list[Any]) -> dict[str, Any]:
    return {"code": "0", "msg": "", "data": data}


class FakeDerivatives:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        sol = _load("funding_rate_SOL-USDT-SWAP.json")["data"][0]
        btc = _load("funding_rate_BTC-USDT-SWAP_docs.json")["data"][0]
        # instId -> (rate per interval, interval in hours)
        self.funding: dict[str, tuple[str, int]] = {
            "SOL-USDT-SWAP": (sol["fundingRate"], 8),
            "BTC-USDT-SWAP": (btc["fundingRate"], 8),
            "ETH-USDT-SWAP": ("0.0001", 8),
        }
        self.paid: dict[str, list[tuple[int, str]]] = {}  # instId -> [(fundingTime, realized)]
        oi = _load("open_interest_SOL-USDT-SWAP.json")["data"][0]
        # instId -> (contracts, coins, usd)
        self.open_interest: dict[str, tuple[str, str, str]] = {
            "SOL-USDT-SWAP": (oi["oi"], oi["oiCcy"], oi["oiUsd"]),
            "BTC-USDT-SWAP": ("2500000", "25000", "2400000000"),
            "ETH-USDT-SWAP": ("9000000", "900000", "3100000000"),
        }
        # (instId, path tail) -> [(ts ms, ratio)] oldest first
        self.ratios: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self.binance_refused = False  # Binance answers 451: this server's country is refused

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _funding_row(self, inst_id: str) -> dict[str, Any]:
        rate, hours = self.funding[inst_id]
        step = hours * HOUR_MS
        settles = (self._now_ms() // step + 1) * step
        return {
            "instId": inst_id,
            "instType": "SWAP",
            "method": "current_period",
            "fundingRate": rate,
            "fundingTime": str(settles),
            "nextFundingTime": str(settles + step),
            "ts": str(self._now_ms()),
        }

    def _paid_rows(self, inst_id: str, limit: int) -> list[dict[str, Any]]:
        scripted = self.paid.get(inst_id)
        if scripted is None:
            rate, hours = self.funding[inst_id]
            step = hours * HOUR_MS
            last = self._now_ms() // step * step
            scripted = [(last - n * step, rate) for n in range(90)]
        rows = [
            {
                "instId": inst_id,
                "instType": "SWAP",
                "method": "next_period",
                "formulaType": "noRate",
                # What was predicted, not paid: ten times off, so reading it shows.
                "fundingRate": str(Decimal(realized) * 10),
                "realizedRate": realized,
                "fundingTime": str(ts),
            }
            for ts, realized in scripted
        ]
        return sorted(rows, key=lambda r: -int(r["fundingTime"]))[:limit]

    def _ratio_rows(self, inst_id: str, tail: str, period: str, limit: int) -> list[list[str]]:
        scripted = self.ratios.get((inst_id, tail))
        if scripted is None:
            step = PERIOD_MS.get(period, 300_000)
            last = self._now_ms() // step * step
            base = "1.25" if tail.endswith("account-ratio-contract") else "0.95"
            scripted = [(last - n * step, base) for n in range(100)]
        rows = [[str(ts), ratio] for ts, ratio in scripted]
        return sorted(rows, key=lambda r: -int(r[0]))[:limit]

    def _binance(self, path: str, q: Mapping[str, str]) -> tuple[int, Any] | None:
        """Binance USDⓈ-M futures' answer, from the same world in its shapes (SOLUSDT is
        SOL-USDT-SWAP); None for any other path."""
        if not (path.startswith("/fapi/") or path.startswith("/futures/data/")):
            return None
        if self.binance_refused:
            return 451, json.loads(
                (FIXTURES / "binance_futures" / "error_451_restricted_location.json").read_text()
            )
        symbol = q.get("symbol", "")
        inst_id = next(
            (i for i in self.open_interest if i.replace("-SWAP", "").replace("-", "") == symbol), ""
        )
        if not inst_id:
            return 400, {"code": -1121, "msg": "Invalid symbol."}
        _contracts, coins, usd = self.open_interest[inst_id]
        mark = Decimal(usd) / Decimal(coins)
        now = self._now_ms()
        if path == "/fapi/v1/premiumIndex":
            row = self._funding_row(inst_id)
            return 200, {
                "symbol": symbol,
                "markPrice": str(mark),
                "lastFundingRate": row["fundingRate"],
                "nextFundingTime": int(row["fundingTime"]),
                "time": now,
            }
        if path == "/fapi/v1/fundingRate":
            rows = self._paid_rows(inst_id, min(int(q.get("limit", 100)), 1000))
            return 200, [
                {
                    "symbol": symbol,
                    "fundingRate": r["realizedRate"],
                    "fundingTime": int(r["fundingTime"]),
                    "markPrice": str(mark),
                }
                for r in reversed(rows)  # Binance: oldest first
            ]
        if path == "/fapi/v1/openInterest":
            return 200, {"openInterest": coins, "symbol": symbol, "time": now}
        period = {"5m": "5m", "15m": "15m", "1h": "1H", "4h": "4H"}.get(q.get("period", ""), "")
        limit = min(int(q.get("limit", 30)), 500)
        step = PERIOD_MS.get(period, 300_000)
        last = now // step * step
        stamps = [last - n * step for n in range(limit)][::-1]
        if path == "/futures/data/openInterestHist":
            return 200, [
                {
                    "symbol": symbol,
                    "sumOpenInterest": coins,
                    "sumOpenInterestValue": usd,
                    "timestamp": t,
                }
                for t in stamps
            ]
        if path in (
            "/futures/data/globalLongShortAccountRatio",
            "/futures/data/topLongShortPositionRatio",
        ):
            ratio = "1.3" if "global" in path else "0.9"
            return 200, [
                {"symbol": symbol, "longShortRatio": ratio, "timestamp": t} for t in stamps
            ]
        if path == "/futures/data/takerlongshortRatio":
            return 200, [
                {"buySellRatio": "1.5", "buyVol": "3", "sellVol": "2", "timestamp": t}
                for t in stamps
            ]
        return 404, {"code": -1, "msg": "not found"}

    def route(self, path: str, q: Mapping[str, str]) -> tuple[int, Any] | None:
        """OKX's or Binance's answer for a perpetuals route, or None for any other path."""
        binance = self._binance(path, q)
        if binance is not None:
            return binance
        inst_id = q.get("instId", "")
        if path == "/api/v5/public/funding-rate":
            if inst_id == "ANY":
                return 200, _ok([self._funding_row(i) for i in sorted(self.funding)])
            if inst_id not in self.funding:
                return 200, _load("error_instrument_not_found.json")
            return 200, _ok([self._funding_row(inst_id)])
        if path == "/api/v5/public/funding-rate-history":
            if inst_id not in self.funding:
                return 200, _load("error_instrument_not_found.json")
            return 200, _ok(self._paid_rows(inst_id, min(int(q.get("limit", 100)), 400)))
        if path == "/api/v5/public/mark-price":
            if inst_id not in self.open_interest:
                return 200, _load("error_instrument_not_found.json")
            _contracts, coins, usd = self.open_interest[inst_id]
            mark = str(round(Decimal(usd) / Decimal(coins), 4))
            row = {"instId": inst_id, "instType": "SWAP", "markPx": mark}
            return 200, _ok([row | {"ts": str(self._now_ms())}])
        if path == "/api/v5/public/open-interest" and q.get("instType") == "SWAP":
            if inst_id not in self.open_interest:
                return 200, _load("error_instrument_not_found.json")
            contracts, coins, usd = self.open_interest[inst_id]
            row = {"instId": inst_id, "instType": "SWAP", "oi": contracts, "oiCcy": coins}
            return 200, _ok([row | {"oiUsd": usd, "ts": str(self._now_ms())}])
        for tail in (
            "long-short-account-ratio-contract",
            "long-short-position-ratio-contract-top-trader",
        ):
            if path == f"/api/v5/rubik/stat/contracts/{tail}":
                if inst_id not in self.open_interest:
                    return 200, _load("error_instrument_not_found.json")
                limit = min(int(q.get("limit", 100)), 100)
                return 200, _ok(self._ratio_rows(inst_id, tail, q.get("period", "5m"), limit))
        return None
