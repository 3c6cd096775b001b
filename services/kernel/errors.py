"""Typed failures. Adapters raise these; services turn them into module status and answers."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from services.kernel.vendors import vendor_name


class Reason(StrEnum):
    """Why a module is not fully available (shown in /status, /healthz and answers)."""

    PLAN = "plan"
    NO_KEY = "no_key"
    MISSING = "missing"
    BREAKER_OPEN = "breaker_open"
    RATE_LIMITED = "rate_limited"  # the vendor said 429
    PACED = "paced"  # our own budget for the vendor is spent for now (it said nothing)
    DISABLED = "disabled"
    TIMEOUT = "timeout"  # no answer within the time we could wait
    STALE = "stale"  # only an old copy could be had
    BAD_DATA = "bad_data"  # answered, but with data we cannot use (NaN, wrong types, empty)
    # This server could not connect to the vendor at all (DNS, no route, refused): our side's
    # network, or the vendor's host down; not the vendor answering badly.
    UNREACHABLE = "unreachable"
    NOT_COVERED = "not_covered"  # the vendor answered that it has no data for this symbol
    REGION = "region"  # the vendor refuses requests from this server's country (a set-up)
    ERROR = "error"


class UpstreamError(Exception):
    """Data could not be had from upstream (one vendor, or every source of a module)."""


class VendorError(UpstreamError):
    """A vendor call did not give usable data."""

    reason: Reason = Reason.ERROR
    counts_against_vendor = True  # does it feed the circuit breaker?

    def __init__(self, vendor: str, endpoint: str, detail: str = "") -> None:
        self.vendor = vendor
        self.endpoint = endpoint
        self.detail = detail
        super().__init__(
            f"{vendor}:{endpoint}: {self.reason.value}{': ' + detail if detail else ''}"
        )

    @property
    def source(self) -> str:
        """The vendor as a reader sees it ("OKX")."""
        return vendor_name(self.vendor)


class TransientError(VendorError):
    """Timeout, connection error or 5xx: worth a bounded retry."""


class VendorTimeoutError(TransientError):
    """No answer in time: the client's timeout, or what is left of a chat answer's deadline."""

    reason = Reason.TIMEOUT


class UnreachableError(TransientError):
    """No connection could be made (name resolution, no route, refused, connect timeout)."""

    reason = Reason.UNREACHABLE


class RateLimitedError(TransientError):
    reason = Reason.RATE_LIMITED

    def __init__(
        self, vendor: str, endpoint: str, detail: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(vendor, endpoint, detail)
        self.retry_after = retry_after


class PausedError(RateLimitedError):
    """The vendor asked us (429 + Retry-After) to wait, and the wait is not over: no request
    was sent, so it does not feed the breaker a second time."""

    counts_against_vendor = False


def wait_asked(*errors: BaseException | None) -> float | None:
    """How long a vendor asked us to wait (429 + Retry-After), if one of these says so."""
    for error in errors:
        if isinstance(error, RateLimitedError) and error.retry_after:
            return error.retry_after
    return None


class BudgetExhaustedError(VendorError):
    """Our own rate budget is spent: no request was sent, so the vendor is not to blame."""

    reason = Reason.PACED
    counts_against_vendor = False


class PlanRequiredError(VendorError):
    """HTTP 401/402/403 or a body saying the plan does not cover the endpoint."""

    reason = Reason.PLAN


class RegionRefusedError(VendorError):
    """HTTP 451, or 403 saying "restricted location": the vendor serves no one from where this
    server runs. A set-up, like a plan: no use asking again soon."""

    reason = Reason.REGION


class RouteMissingError(VendorError):
    """HTTP 404 on the route itself."""

    reason = Reason.MISSING


class BadResponseError(VendorError):
    """Data we cannot use: malformed JSON, an unexpected shape, wrong types, NaN, a price of
    1e300, a timestamp in the year 5000, an empty list where one is required."""

    reason = Reason.BAD_DATA


class VendorRefusedError(VendorError):
    """An error code or HTTP status we do not know: the vendor said no, for its own reason."""


class NoKeyError(VendorError):
    reason = Reason.NO_KEY
    counts_against_vendor = False


class BreakerOpenError(VendorError):
    reason = Reason.BREAKER_OPEN
    counts_against_vendor = False

    def __init__(self, vendor: str, endpoint: str, cause: Reason) -> None:
        super().__init__(vendor, endpoint, f"open after {cause.value}")
        self.cause = cause


class UnknownInstrumentError(VendorError):
    """The vendor answered fine and said the instrument does not exist (OKX 51001), or that
    it has no data for it (CoinAPI 550): for a fallback, the symbol is not covered."""

    reason = Reason.NOT_COVERED
    counts_against_vendor = False


class DataUnavailableError(UpstreamError):
    """Every source of a module failed; `failures` says which and why, for the answer."""

    def __init__(
        self,
        module: str,
        failures: list[tuple[str, Reason]],
        retry_after: float | None = None,  # a 429's Retry-After, when the vendor gave one
    ) -> None:
        self.module = module
        self.failures = failures
        self.retry_after = retry_after
        summary = ", ".join(f"{source}: {reason.value}" for source, reason in failures)
        super().__init__(f"{module} unavailable ({summary})")


class SymbolError(ValueError):
    """User text that is not a symbol we can answer for."""

    def __init__(self, text: str, kind: str, suggestion: str | None = None) -> None:
        self.text = text
        self.kind = kind  # "empty" | "malformed" | "unknown"
        self.suggestion = suggestion
        super().__init__(f"{kind} symbol {text!r}")


class ArgumentError(ValueError):
    """A command argument that is not one of the allowed values."""

    def __init__(self, value: str, allowed: list[str]) -> None:
        self.value = value
        self.allowed = allowed
        super().__init__(f"{value!r} is not one of {allowed}")


E = TypeVar("E", bound=StrEnum)


def parse_choice(text: str | None, kind: type[E]) -> E | None:
    """A command's optional word among `kind`'s values, in any case; None when it is absent;
    anything else is an ArgumentError listing what is allowed."""
    if not text:
        return None
    try:
        return kind(text.strip().lower())
    except ValueError:
        raise ArgumentError(text, [k.value for k in kind]) from None
