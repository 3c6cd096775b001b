"""What a number from a vendor may be before we reason with it.

Pydantic constraints on every model a vendor's data becomes: NaN, infinities, a price of 1e300,
a negative size or a timestamp in the year 5000 fail validation at the adapter, which turns the
failure into "the vendor sent unusable data" instead of a crash three layers further in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

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


def moment(value: object, unit: str = "auto") -> datetime:
    """A vendor's epoch number as an aware UTC datetime, inside the bounds above: every
    adapter reads timestamps through here, so 1e20 or NaN is "unusable data" (ValueError) at
    the adapter, never an OSError from the platform three layers further in. `unit` "ms" or
    "s"; "auto" judges by magnitude (CoinGlass mixes seconds and milliseconds)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("timestamp is not a number")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:  # decimal.InvalidOperation: not a number at all
        raise ValueError("timestamp is not a number") from None
    if not number.is_finite():
        raise ValueError("timestamp is not finite")
    ms = number if unit == "ms" or (unit == "auto" and number > 10**11) else number * 1000
    if not EPOCH_MS_MIN <= ms < EPOCH_MS_MAX:
        raise ValueError("timestamp out of range")
    return datetime.fromtimestamp(float(ms) / 1000, UTC)


Price = Annotated[Decimal, Field(gt=0, lt=PRICE_MAX, allow_inf_nan=False)]
Quote = Annotated[Decimal, Field(ge=0, lt=PRICE_MAX, allow_inf_nan=False)]  # "0": no bid yet
Amount = Annotated[Decimal, Field(ge=0, lt=AMOUNT_MAX, allow_inf_nan=False)]
Usd = Annotated[Decimal, Field(gt=-USD_MAX, lt=USD_MAX, allow_inf_nan=False)]
# A funding rate per interval, as a fraction (0.0001 = 0.01 %): OKX caps them near ±1.5 %, so a
# whole 100 % is a body we cannot use.
Rate = Annotated[Decimal, Field(gt=-1, lt=1, allow_inf_nan=False)]
Ratio = Annotated[Decimal, Field(ge=0, lt=AMOUNT_MAX, allow_inf_nan=False)]
EpochMs = Annotated[int, Field(ge=EPOCH_MS_MIN, lt=EPOCH_MS_MAX)]
Moment = Annotated[datetime, AfterValidator(_sane_moment)]
Score = Annotated[int, Field(ge=0, le=100)]


def _epoch_moment(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and not value.strip().lstrip("-").replace(".", "", 1).isdigit():
        return value  # an ISO moment (a model read back from the cache): pydantic parses it
    return moment(value)


# An epoch number in seconds or milliseconds, read into a bounded moment.
EpochMoment = Annotated[datetime, BeforeValidator(_epoch_moment), AfterValidator(_sane_moment)]
