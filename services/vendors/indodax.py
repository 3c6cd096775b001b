"""Indodax (https://indodax.com): the rupiah market's public ticker, every IDR pair in one call
(`GET /api/ticker_all`, keyed `btc_idr`, prices in rupiah as strings, `server_time` in
seconds). No key; 180 requests a minute."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel

from services.kernel.bounds import Moment, Price, moment
from services.kernel.errors import BadResponseError, VendorRefusedError
from services.kernel.http import VendorClient, json_body, raise_for_status, reads
from services.kernel.link import VendorLink

VENDOR = "indodax"
SOURCE = "Indodax"


class IdrTicker(BaseModel):
    coin: str  # BTC
    last: Price  # rupiah
    as_of: Moment


def interpret(endpoint: str) -> Any:
    """A refusal is `{"error": ..., "error_description": ...}` (an unknown pair); a body
    without `tickers` is unusable."""

    def read(response: httpx.Response) -> dict[str, Any]:
        raise_for_status(VENDOR, endpoint, response)
        body = json_body(VENDOR, endpoint, response)
        if not isinstance(body, dict):
            raise BadResponseError(VENDOR, endpoint, "not an object")
        if body.get("error"):
            detail = body.get("error_description") or body["error"]
            raise VendorRefusedError(VENDOR, endpoint, str(detail)[:120])
        tickers = body.get("tickers")
        if not isinstance(tickers, dict) or not tickers:
            raise BadResponseError(VENDOR, endpoint, "no tickers")
        return tickers

    return read


class IndodaxClient:
    def __init__(self, client: VendorClient) -> None:
        self._client = client

    @classmethod
    def from_link(cls, link: VendorLink) -> IndodaxClient:
        """As the vendor table builds it (services/container.py)."""
        return cls(link.http)

    @reads("ticker_all")
    async def tickers(self) -> dict[str, IdrTicker]:
        """Every coin with a rupiah pair, by its code: {"BTC": its last price in IDR}. A row
        that cannot be read is left out, not the whole answer."""
        rows = await self._client.get("ticker_all", "/api/ticker_all", interpret("ticker_all"))
        found: dict[str, IdrTicker] = {}
        for pair, row in rows.items():
            coin, _, quote = str(pair).upper().partition("_")
            if quote != "IDR" or not isinstance(row, dict):
                continue
            try:
                found[coin] = IdrTicker(
                    coin=coin, last=row["last"], as_of=moment(row["server_time"], "s")
                )
            except (KeyError, TypeError, ValueError):
                continue
        if not found:
            raise BadResponseError(VENDOR, "ticker_all", "no readable rupiah pair")
        return found
