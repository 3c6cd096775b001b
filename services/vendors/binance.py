"""Binance spot public REST: the free order-book fallback."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from services.kernel.errors import BadResponseError, RateLimitedError, UnknownInstrumentError
from services.kernel.http import VendorClient, json_body, raise_for_status, reads, retry_after
from services.kernel.link import VendorLink
from services.kernel.models import OrderBook
from services.kernel.symbols import Instrument
from services.vendors.levels import parse_levels

VENDOR = "binance"
SOURCE = "Binance"
INVALID_SYMBOL = -1121
DEPTH_LIMIT = 1000  # weight 50 of 6,000 per minute


def interpret(endpoint: str) -> Any:
    """Binance errors are `{"code": -1121, "msg": ...}` with a 4xx status."""

    def read(response: httpx.Response) -> dict[str, Any]:
        body = json_body(VENDOR, endpoint, response)
        if response.status_code >= 400 and isinstance(body, dict) and "code" in body:
            if body.get("code") == INVALID_SYMBOL:
                raise UnknownInstrumentError(VENDOR, endpoint, "invalid symbol")
            if response.status_code in (418, 429):
                raise RateLimitedError(
                    VENDOR, endpoint, f"HTTP {response.status_code}", retry_after(response)
                )
        raise_for_status(VENDOR, endpoint, response)
        if not isinstance(body, dict):
            raise BadResponseError(VENDOR, endpoint, "not an object")
        return body

    return read


class BinanceClient:
    def __init__(self, client: VendorClient) -> None:
        self._client = client

    @classmethod
    def from_link(cls, link: VendorLink) -> BinanceClient:
        """As the vendor table builds it (services/container.py)."""
        return cls(link.http)

    @reads("depth")
    async def depth(self, inst: Instrument) -> OrderBook:
        body = await self._client.get(
            "depth",
            "/api/v3/depth",
            interpret("depth"),
            {"symbol": binance_symbol(inst.spot()), "limit": DEPTH_LIMIT},
        )
        # Binance's depth has no timestamp: it is as of the moment we received it.
        return OrderBook(
            instrument=inst.spot(),
            bids=parse_levels(VENDOR, "depth", body.get("bids")),
            asks=parse_levels(VENDOR, "depth", body.get("asks")),
            source=SOURCE,
            as_of=datetime.now(UTC),
        )


def binance_symbol(inst: Instrument) -> str:
    """Binance's symbol (SOLUSDT), spot and USDⓈ-M futures alike."""
    return f"{inst.base}{inst.quote}"
