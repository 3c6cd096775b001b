"""OKX's public WebSocket channel `liquidation-orders` (VENDORS.md, "Liquidations"): the
documented live source of liquidations, one connection for every swap.

What a push means (each pinned by a test): the rows are the REST endpoint's (`details` with
`bkPx`, `sz` in contracts, `side` buy = a short liquidated); only linear USDT swaps are read
(an inverse swap's ctVal is in dollars, not coins); OKX sends at most one order per contract
per second, so this is a sample of the liquidations, not their total.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from services.kernel.errors import BadResponseError
from services.kernel.models import Liquidation
from services.vendors.okx_rows import VENDOR, liquidation_details

CHANNEL = "liquidation-orders"
SUBSCRIBE = {"op": "subscribe", "args": [{"channel": CHANNEL, "instType": "SWAP"}]}
PING, PONG = "ping", "pong"  # OKX drops a connection silent for 30 s
ENDPOINT = "ws_liquidations"
LINEAR = "-USDT-SWAP"


def read_message(text: str, ct_vals: Mapping[str, Decimal]) -> list[Liquidation] | None:
    """The liquidations a push carries; None for what is not a push (the pong, the
    subscription's acknowledgement). An error event or a body we cannot read raises."""
    if text == PONG:
        return None
    try:
        body: Any = json.loads(text)
    except ValueError:
        raise BadResponseError(VENDOR, ENDPOINT, "not JSON") from None
    if not isinstance(body, dict):
        raise BadResponseError(VENDOR, ENDPOINT, "not an object")
    if body.get("event") == "error":
        raise BadResponseError(VENDOR, ENDPOINT, f"error event {str(body.get('code'))[:12]}")
    if "data" not in body:
        return None  # {"event": "subscribe", ...} and the like
    rows = body["data"]
    if not isinstance(rows, list):
        raise BadResponseError(VENDOR, ENDPOINT, "data is not a list")
    events: list[Liquidation] = []
    for row in rows:
        inst_id = str(row.get("instId", "")) if isinstance(row, dict) else ""
        ct_val = ct_vals.get(inst_id)
        if not inst_id.endswith(LINEAR) or ct_val is None:
            continue  # an inverse swap, or one OKX listed since the contract sizes were read
        events += liquidation_details(row, inst_id.split("-")[0], ct_val, ENDPOINT)
    return events
