"""What OKX v5 bodies mean: the error codes inside HTTP 200 envelopes, and each row read and
bounded before anything reasons with it (services/vendors/okx.py asks, this file reads)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from pydantic import BaseModel, field_validator

from services.kernel.bounds import EPOCH_MS_MAX, EPOCH_MS_MIN, Amount, EpochMs, Price, Quote, moment
from services.kernel.errors import (
    BadResponseError,
    RateLimitedError,
    TransientError,
    UnknownInstrumentError,
    VendorRefusedError,
)
from services.kernel.http import json_body, raise_for_status, retry_after
from services.kernel.models import Candle, Liquidation

VENDOR = "okx"
UNKNOWN_INSTRUMENT = {"51001"}
RATE_LIMITED = {"50011", "50013"}
TRANSIENT = {"50001", "50026"}
CT_VAL_MAX = Decimal(1_000_000)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def interpret(endpoint: str) -> Any:
    """OKX reports most errors inside HTTP 200 bodies: read `code` before the status."""

    def read(response: httpx.Response) -> list[dict[str, Any]]:
        body = json_body(VENDOR, endpoint, response)
        if not isinstance(body, dict) or "code" not in body:
            raise_for_status(VENDOR, endpoint, response)
            raise BadResponseError(VENDOR, endpoint, "no envelope")
        code = str(body.get("code"))
        msg = str(body.get("msg") or "")[:120]
        if code == "0":
            raise_for_status(VENDOR, endpoint, response)
            data = body.get("data")
            if not isinstance(data, list):
                raise BadResponseError(VENDOR, endpoint, "data is not a list")
            return data
        if code in UNKNOWN_INSTRUMENT:
            raise UnknownInstrumentError(VENDOR, endpoint, msg)
        if code in RATE_LIMITED:
            raise RateLimitedError(VENDOR, endpoint, f"code {code}", retry_after(response))
        if code in TRANSIENT:
            raise TransientError(VENDOR, endpoint, f"code {code}")
        raise_for_status(VENDOR, endpoint, response)
        raise VendorRefusedError(VENDOR, endpoint, f"code {code}: {msg}")

    return read


def _dec(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return (moment - _EPOCH) // _MS  # exact, unlike timestamp() * 1000


def _price(endpoint: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadResponseError(VENDOR, endpoint, "price is not a number")
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise BadResponseError(VENDOR, endpoint, f"unreadable price {str(value)[:20]!r}") from None
    # Decimal accepts "NaN", "sNaN" and "Infinity", which would poison every comparison later.
    if not price.is_finite() or price <= 0:
        raise BadResponseError(VENDOR, endpoint, f"price out of range {str(value)[:20]!r}")
    return price


def candle_row(endpoint: str, row: Any) -> tuple[Candle, bool]:
    """One `[ts,o,h,l,c,vol,volCcy,volCcyQuote,confirm]` row and whether the bar is closed."""
    if not isinstance(row, list) or len(row) < 5:
        raise BadResponseError(VENDOR, endpoint, "row has fewer than 5 fields")
    raw_ts = row[0]
    if isinstance(raw_ts, bool) or not isinstance(raw_ts, str | int):
        raise BadResponseError(VENDOR, endpoint, "timestamp is not an integer")
    try:
        ts_ms = int(raw_ts)
    except ValueError:
        raise BadResponseError(
            VENDOR, endpoint, f"unreadable timestamp {str(raw_ts)[:20]!r}"
        ) from None
    if not EPOCH_MS_MIN <= ts_ms < EPOCH_MS_MAX:
        raise BadResponseError(VENDOR, endpoint, f"timestamp out of range {ts_ms}")
    # Rows without the 9th column (older API versions) are read as closed bars.
    confirm = str(row[8]) if len(row) > 8 else "1"
    if confirm not in ("0", "1"):
        raise BadResponseError(VENDOR, endpoint, f"unknown confirm {confirm[:8]!r}")
    candle = Candle(
        ts=_EPOCH + ts_ms * _MS,
        open=_price(endpoint, row[1]),
        high=_price(endpoint, row[2]),
        low=_price(endpoint, row[3]),
        close=_price(endpoint, row[4]),
        volume=_volume(row[5]) if len(row) > 5 else None,
    )
    return candle, confirm == "1"


def _volume(raw: object) -> Decimal | None:
    """A bar's volume in the base coin; a bar without a readable one is still a price bar."""
    try:
        volume = Decimal(str(raw))
    except ArithmeticError:  # decimal.InvalidOperation
        return None
    return volume if volume.is_finite() and volume >= 0 else None


def parse_inst_id(inst_id: str) -> tuple[date, Decimal, bool] | None:
    """BTC-USD-261127-96000-C -> (2026-11-27, 96000, call). None for anything else."""
    parts = inst_id.split("-")
    if len(parts) != 5 or parts[4] not in ("C", "P") or len(parts[2]) != 6:
        return None
    try:
        expiry = date(2000 + int(parts[2][:2]), int(parts[2][2:4]), int(parts[2][4:]))
        return expiry, Decimal(parts[3]), parts[4] == "C"
    except (ValueError, ArithmeticError):
        return None


class RawTicker(BaseModel):
    instId: str
    last: Price
    open24h: Quote | None = None
    high24h: Quote | None = None
    low24h: Quote | None = None
    vol24h: Amount | None = None
    volCcy24h: Amount | None = None
    bidPx: Quote | None = None
    askPx: Quote | None = None
    ts: EpochMs

    @field_validator(
        "open24h", "high24h", "low24h", "vol24h", "volCcy24h", "bidPx", "askPx", mode="before"
    )
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return _dec(value)


class Trade(BaseModel):
    instId: str
    side: str
    sz: Amount
    px: Price
    tradeId: str
    ts: EpochMs


class ContractValues(BaseModel):
    ct_val: dict[str, Decimal]


def liquidation_details(row: Any, coin: str, ct_val: Decimal, endpoint: str) -> list[Liquidation]:
    """One liquidation row's orders (REST and the WebSocket channel send the same rows): sizes
    in contracts, so coins are contracts × ctVal and dollars coins × the bankruptcy price; `side`
    buy closes a short (a short was liquidated), sell a long."""
    events = []
    for detail in row.get("details") or [] if isinstance(row, dict) else []:
        try:
            price, contracts = Decimal(detail["bkPx"]), Decimal(detail["sz"])
            coins = contracts * ct_val
            events.append(
                Liquidation(
                    coin=coin,
                    side="long"
                    if detail.get("posSide") == "long" or detail.get("side") == "sell"
                    else "short",
                    price=price,
                    size_coin=coins,
                    usd=coins * price,
                    at=moment(detail["ts"], "ms"),
                )
            )
        except (KeyError, TypeError, ValueError, ArithmeticError):
            raise BadResponseError(VENDOR, endpoint, "unreadable detail") from None
    return events
