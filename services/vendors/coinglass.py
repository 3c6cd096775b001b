"""CoinGlass v4 (paid plans). Plan walls come inside HTTP 200 bodies: read `code` first."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import httpx
from pydantic import BaseModel, Field, ValidationError

from services.kernel.bounds import Amount, EpochMoment, Price, Usd, moment
from services.kernel.errors import (
    BadResponseError,
    NoKeyError,
    PlanRequiredError,
    RateLimitedError,
    RouteMissingError,
    VendorRefusedError,
)
from services.kernel.http import VendorClient, json_body, raise_for_status, reads, retry_after
from services.kernel.link import VendorLink
from services.kernel.models import EtfDay, EtfFlows, HeatmapGrid, Sentiment
from services.kernel.routes import RouteBook
from services.kernel.symbols import Instrument

VENDOR = "coinglass"
SOURCE = "CoinGlass"
# The spot-ETF flow histories CoinGlass serves (VENDORS.md), by its path word: the coin each
# one is about. Any other coin has no spot ETF of its own.
ETF_COINS = {"bitcoin": "BTC", "ethereum": "ETH", "solana": "SOL", "xrp": "XRP"}


def interpret(endpoint: str) -> Any:
    def read(response: httpx.Response) -> Any:
        body = json_body(VENDOR, endpoint, response)
        if isinstance(body, dict) and "code" in body:
            code, msg = str(body.get("code")), str(body.get("msg") or "")[:120]
            if code == "0" and response.status_code < 400:
                return body.get("data")
            if response.status_code == 404 or "not found" in msg.lower():
                raise RouteMissingError(VENDOR, endpoint, msg)
            if response.status_code == 429 or code == "429":
                raise RateLimitedError(VENDOR, endpoint, msg, retry_after(response))
            if "key missing" in msg.lower():
                raise NoKeyError(VENDOR, endpoint, msg)
            if (
                "plan" in msg.lower()
                or code in {"401", "403", "40001"}
                or response.status_code in (401, 402, 403)
            ):
                raise PlanRequiredError(VENDOR, endpoint, msg)
            raise_for_status(VENDOR, endpoint, response)
            raise VendorRefusedError(VENDOR, endpoint, f"code {code}: {msg}")
        raise_for_status(VENDOR, endpoint, response)  # e.g. the Spring Boot 500 body
        raise BadResponseError(VENDOR, endpoint, "unexpected body")

    return read


def epoch(value: object) -> datetime:
    """CoinGlass mixes seconds and milliseconds between endpoints: judged by magnitude, and
    bounded like every vendor's moment (services/kernel/bounds.py)."""
    return moment(value)


class WhaleAlert(BaseModel):
    user: str
    symbol: str
    position_size: Usd  # signed: negative is a short
    entry_price: Price
    position_value_usd: Amount
    position_action: int  # 1 open, 2 close
    create_time: EpochMoment


class _FearGreed(BaseModel):
    data_list: list[Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]]
    time_list: list[EpochMoment]


class _EtfRow(BaseModel):
    timestamp: EpochMoment
    flow_usd: Usd | None = None
    etf_flows: list[dict[str, Any]] = []


class CoinGlassClient:
    def __init__(self, client: VendorClient, has_key: bool, routes: RouteBook) -> None:
        self._client = client
        self._has_key = has_key
        self._routes = routes

    @classmethod
    def from_link(cls, link: VendorLink) -> CoinGlassClient:
        """As the vendor table builds it (services/container.py)."""
        return cls(link.http, has_key=link.has_key, routes=link.routes)

    async def _get(self, endpoint: str, route: str, params: dict[str, str | int]) -> Any:
        """Through the route book: a renamed route is found among its known aliases."""
        return await self._routes.call(
            f"{VENDOR}:{route}",
            params,
            lambda path, adapted: self._client.get(endpoint, path, interpret(endpoint), adapted),
        )

    @property
    def has_key(self) -> bool:
        return self._has_key

    @property
    def http(self) -> VendorClient:
        return self._client

    async def get(self, endpoint: str, route: str, params: dict[str, str | int]) -> Any:
        """A keyed call through the route book, for CoinGlass's other adapters."""
        self._require_key(endpoint)
        return await self._get(endpoint, route, params)

    def _require_key(self, endpoint: str) -> None:
        if not self._has_key:
            raise NoKeyError(VENDOR, endpoint, "COINGLASS_API_KEY is not set")

    @reads("whale_alert")
    async def whale_alerts(self) -> list[WhaleAlert]:
        self._require_key("whale_alert")
        data = await self._get("whale_alert", "whale_alert", {})
        if not isinstance(data, list):
            raise BadResponseError(VENDOR, "whale_alert", "data is not a list")
        try:
            return [WhaleAlert.model_validate(row) for row in data]
        except ValidationError as exc:
            raise BadResponseError(
                VENDOR, "whale_alert", f"{exc.error_count()} bad fields"
            ) from None

    @reads("fear_greed")
    async def fear_greed(self) -> Sentiment:
        self._require_key("fear_greed")
        data = await self._get("fear_greed", "fear_greed", {})
        try:
            series = _FearGreed.model_validate(data[0] if isinstance(data, list) else data)
        except (ValidationError, IndexError):
            raise BadResponseError(VENDOR, "fear_greed", "unreadable series") from None
        if not series.data_list or len(series.data_list) != len(series.time_list):
            raise BadResponseError(VENDOR, "fear_greed", "empty or uneven series")
        return Sentiment(
            score=round(series.data_list[-1]),
            label=None,  # CoinGlass gives numbers only; we do not invent the words
            previous=round(series.data_list[-2]) if len(series.data_list) > 1 else None,
            source=SOURCE,
            as_of=series.time_list[-1],
        )

    @reads("etf_bitcoin")
    async def etf_flows(self, asset: str = "bitcoin") -> EtfFlows:
        endpoint = f"etf_{asset}"
        self._require_key(endpoint)
        data = await self._get(endpoint, f"etf_{asset}", {})
        if not isinstance(data, list):
            raise BadResponseError(VENDOR, endpoint, "data is not a list")
        try:
            rows = [_EtfRow.model_validate(r) for r in data]
        except ValidationError as exc:
            raise BadResponseError(VENDOR, endpoint, f"{exc.error_count()} bad fields") from None
        days = [
            EtfDay(
                day=r.timestamp,
                net_flow_usd=r.flow_usd,
                reported=sum(1 for e in r.etf_flows if e.get("flow_usd") is not None),
                total=len(r.etf_flows),
            )
            for r in sorted(rows, key=lambda r: r.timestamp)
            if r.flow_usd is not None
        ]
        return EtfFlows(
            asset=ETF_COINS[asset],
            days=days,
            source=SOURCE,
            as_of=datetime.now(UTC),
        )

    @reads("liquidation_heatmap")
    async def liquidation_heatmap(self, pair: str, range_: str) -> HeatmapGrid:
        """Model1 heatmap on Binance for a pair (SOLUSDT); ranges start at 12h."""
        endpoint = "liquidation_heatmap"
        self._require_key(endpoint)
        data = await self._get(
            endpoint,
            "liquidation_heatmap",
            {"exchange": "Binance", "symbol": pair, "range": range_},
        )
        try:
            y_axis = [Decimal(str(y)) for y in data["y_axis"]]
            cells = []
            for x, y, usd in data["liquidation_leverage_data"]:
                if 0 <= int(y) < len(y_axis):  # the docs' own example points past its axis
                    cells.append((int(x), int(y), Decimal(str(usd))))
            candles = data.get("price_candlesticks") or []
            last = candles[-1] if candles else None
            path = [(epoch(c[0]), Decimal(str(c[4]))) for c in candles]
        except (KeyError, TypeError, ValueError, ArithmeticError):
            raise BadResponseError(VENDOR, endpoint, "unreadable heatmap") from None
        return HeatmapGrid(
            y_axis=y_axis,
            cells=cells,
            candle_count=len(candles),
            last_close=Decimal(str(last[4])) if last else None,
            last_time=epoch(last[0]) if last else None,
            path=path,
        )


def coinglass_pair(inst: Instrument) -> str:
    """Pair-level CoinGlass endpoints (heatmap model1, orderbook) with `exchange=Binance`."""
    return f"{inst.base}{inst.quote}"
