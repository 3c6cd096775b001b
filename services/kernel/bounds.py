"""What a number from a vendor may be before we reason with it.

Pydantic constraints on every model a vendor's data becomes: NaN, infinities, a price of 1e300,
a negative size or a timestamp in the year 5000 fail validation at the adapter, which turns the
failure into "the vendor sent unusable data" instead of a crash three layers further in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

# No coin trades above a trillion dollars, nor does any book or volume reach 1e18 coins;
# anything past these is a unit error or garbage, never a market.
PRICE_MAX = Decimal("1e12")
AMOUNT_MAX = Decimal("1e18")
USD_MAX = Decimal("1e15")
# No crypto data exists before 2009, and a moment past 2100 is a unit error (s vs ms vs µs).
EARLIEST = datetime(2009, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
EPOCH_MS_MIN = int(EARLIEST.timestamp() * 1000)
EPOCH_MS_MAX = int(LATEST.timestamp() * 1000)


def _sane_moment(value: datetime) -> datetime:
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not EARLIEST <= moment < LATEST:
        raise ValueError("timestamp out of range")
    return value


Price = Annotated[Decimal, Field(gt=0, lt=PRICE_MAX, allow_inf_nan=False)]
Quote = Annotated[Decimal, Field(ge=0, lt=PRICE_MAX, allow_inf_nan=False)]  # "0": no bid yet
Amount = Annotated[Decimal, Field(ge=0, lt=AMOUNT_MAX, allow_inf_nan=False)]
Usd = Annotated[Decimal, Field(gt=-USD_MAX, lt=USD_MAX, allow_inf_nan=False)]
EpochMs = Annotated[int, Field(ge=EPOCH_MS_MIN, lt=EPOCH_MS_MAX)]
Moment = Annotated[datetime, AfterValidator(_sane_moment)]
Score = Annotated[int, Field(ge=0, le=100)]
