"""OKX swap contract sizes (`ctVal`), one cached copy for every module that sizes swap
trades or liquidations in coins (whale, heatmap)."""

from __future__ import annotations

from services.kernel.cache import ResilientCache
from services.vendors.okx import OkxClient
from services.vendors.okx_rows import ContractValues

TTL_SECONDS = 86_400.0  # contract sizes change when OKX relists a swap, not within a day


async def contract_values(cache: ResilientCache, okx: OkxClient) -> ContractValues:
    """Raises UpstreamError when no copy can be had."""
    cached = await cache.get_or_fetch(
        "contracts", "okx:contracts", ContractValues, TTL_SECONDS, okx.contract_values
    )
    return cached.value
