"""Book levels as vendors send them: lists of strings, price first, size second."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from services.kernel.errors import BadResponseError
from services.kernel.models import BookLevel


def parse_levels(vendor: str, endpoint: str, rows: Any) -> list[BookLevel]:
    """OKX `books` rows are [px, sz, "0", orders], `books-full` [px, sz, orders], Binance
    [px, qty]: the first two fields are all we read."""
    if not isinstance(rows, list):
        raise BadResponseError(vendor, endpoint, "levels are not a list")
    levels = []
    for row in rows:
        try:
            price, size = Decimal(str(row[0])), Decimal(str(row[1]))
        except (IndexError, TypeError, InvalidOperation):
            raise BadResponseError(vendor, endpoint, "unreadable level") from None
        if price > 0 and size > 0:
            levels.append(BookLevel(price=price, size=size))
    return levels
