"""alternative.me Fear & Greed: free, no key, one value a day."""

from __future__ import annotations

from typing import Any

import httpx

from services.kernel.bounds import moment
from services.kernel.errors import BadResponseError, VendorRefusedError
from services.kernel.http import VendorClient, json_body, raise_for_status, reads
from services.kernel.link import VendorLink
from services.kernel.models import Sentiment

VENDOR = "alternative_me"
SOURCE = "alternative.me"


def interpret(endpoint: str) -> Any:
    """Failure shape is undocumented: a non-null `metadata.error` or missing `data` is one."""

    def read(response: httpx.Response) -> list[dict[str, Any]]:
        raise_for_status(VENDOR, endpoint, response)
        body = json_body(VENDOR, endpoint, response)
        if not isinstance(body, dict):
            raise BadResponseError(VENDOR, endpoint, "not an object")
        error = (body.get("metadata") or {}).get("error")
        if error:
            raise VendorRefusedError(VENDOR, endpoint, str(error)[:120])
        data = body.get("data")
        if not isinstance(data, list) or not data:
            raise BadResponseError(VENDOR, endpoint, "no data")
        return data

    return read


class FearGreedClient:
    def __init__(self, client: VendorClient) -> None:
        self._client = client

    @classmethod
    def from_link(cls, link: VendorLink) -> FearGreedClient:
        """As the vendor table builds it (services/container.py)."""
        return cls(link.http)

    @reads("fng")
    async def index(self) -> Sentiment:
        rows = await self._client.get("fng", "/fng/", interpret("fng"), {"limit": 2})
        try:
            today = rows[0]
            previous = int(rows[1]["value"]) if len(rows) > 1 else None
            return Sentiment(
                score=int(today["value"]),
                label=str(today.get("value_classification") or "") or None,
                previous=previous,
                source=SOURCE,
                as_of=moment(today["timestamp"], "s"),
            )
        except (KeyError, TypeError, ValueError):
            raise BadResponseError(VENDOR, "fng", "unreadable row") from None
