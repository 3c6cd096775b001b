"""What an endpoint is: its path, what it answers (a pydantic model: the same the chat renders,
with its provenance), its handler and its parameters with their allowed values. The OpenAPI
document is generated from these (bot/api/openapi.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

from bot.api.args import Args
from bot.handlers.performance import KINDS, PERIODS
from services.kernel.symbols import MAX_INPUT
from services.market.heatmap.service import HeatmapRange
from services.market.oi.service import OiWindow
from services.market.orderbook.service import Exchange

if TYPE_CHECKING:
    from services.container import Services


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    where: str = "path"  # or "query" (then optional)
    values: tuple[str, ...] = ()  # the allowed values, exactly as written: an enum in the document
    integer: bool = False

    def schema(self) -> dict[str, object]:
        if self.integer:  # a Telegram id: a signed 64-bit integer
            return {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
        if self.values:
            return {"type": "string", "enum": list(self.values)}
        return {"type": "string", "minLength": 1, "maxLength": MAX_INPUT}


@dataclass(frozen=True)
class ApiRoute:
    path: str  # under /api/v1
    operation_id: str
    summary: str
    model: type[BaseModel]
    handler: Callable[[Args, Services], Awaitable[BaseModel]]
    params: tuple[Param, ...] = ()


SYMBOL = Param("symbol", "A coin or pair as a trader types it: SOL, SOL/USDT, SOL-PERP")
COIN = Param("symbol", "Only this coin (BTC, SOL ...); every watched coin without it", "query")
EXCHANGE = Param(
    "exchange", "Without it OKX, Binance if OKX fails", "query", tuple(e.value for e in Exchange)
)
RANGE = Param("range", "Default 4h", "query", tuple(r.value for r in HeatmapRange))
WINDOW = Param("window", "Default 4h", "query", tuple(w.value for w in OiWindow))
KIND = Param("kind", "Every kind without it", "query", tuple(KINDS))
PERIOD = Param("period", "Default 30d", "query", tuple(PERIODS))
CHAT = Param(
    "chat_id",
    "A Telegram chat id: a user's for a private chat, negative for a group (see /id)",
    integer=True,
)
