"""CoinAPI: the read-only ticker fallback, used only when OKX fails and a key is set."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from services.kernel.bounds import Moment
from services.kernel.errors import BadResponseError, NoKeyError, UnknownInstrumentError
from services.kernel.http import VendorClient, json_body, raise_for_status, reads
from services.kernel.link import VendorLink
from services.kernel.models import Ticker
from services.kernel.symbols import Instrument, Market

VENDOR = "coinapi"
SOURCE = "CoinAPI"
EXCHANGE = "BINANCE"  # a deep USDT book; CoinAPI's OKX id (OKEX) lists fewer pairs


def interpret(endpoint: str) -> Any:
    def read(response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 550:  # CoinAPI's "no data for this item"
            raise UnknownInstrumentError(VENDOR, endpoint, "HTTP 550 no data")
        raise_for_status(VENDOR, endpoint, response)
        body = json_body(VENDOR, endpoint, response)
        if not isinstance(body, dict):
            raise BadResponseError(VENDOR, endpoint, "not an object")
        return body

    return read


class _LastTrade(BaseModel):
    time_exchange: Moment
    price: Decimal


class _Quote(BaseModel):
    symbol_id: str
    time_exchange: Moment
    ask_price: Decimal | None = None
    bid_price: Decimal | None = None
    last_trade: _LastTrade | None = None


class CoinApiClient:
    def __init__(self, client: VendorClient, has_key: bool) -> None:
        self._client = client
        self._has_key = has_key

    @classmethod
    def from_link(cls, link: VendorLink) -> CoinApiClient:
        """As the vendor table builds it (services/container.py)."""
        return cls(link.http, has_key=link.has_key)

    @reads("quote")
    async def ticker(self, inst: Instrument) -> Ticker:
        if not self._has_key:
            raise NoKeyError(VENDOR, "quote", "COINAPI_API_KEY is not set")
        symbol_id = coinapi_symbol_id(inst, EXCHANGE)
        body = await self._client.get(
            "quote", f"/v1/quotes/{symbol_id}/current", interpret("quote")
        )
        try:
            quote = _Quote.model_validate(body)
        except ValidationError as exc:
            raise BadResponseError(VENDOR, "quote", f"{exc.error_count()} invalid fields") from None
        if quote.last_trade is not None:
            last, as_of = quote.last_trade.price, quote.last_trade.time_exchange
        elif quote.bid_price is not None and quote.ask_price is not None:
            last, as_of = (quote.bid_price + quote.ask_price) / 2, quote.time_exchange
        else:
            raise BadResponseError(VENDOR, "quote", "no price in quote")
        return Ticker(
            instrument=inst,
            last=last,
            bid=quote.bid_price,
            ask=quote.ask_price,
            source=SOURCE,
            as_of=as_of,
        )


def coinapi_symbol_id(inst: Instrument, exchange: str = "BINANCE") -> str:
    kind = "PERP" if inst.market is Market.SWAP else "SPOT"
    return f"{exchange}_{kind}_{inst.base}_{inst.quote}"
