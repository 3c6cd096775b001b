"""What every vendor call goes through (breakers, rate budgets, cache, metrics, the Redis link
they may share), built once from settings; the container wires the vendors and modules on it."""

from __future__ import annotations

from dataclasses import dataclass

from limits.aio.storage import Storage

from services.kernel.breaker import BreakerBoard, BreakerState, CircuitBreaker
from services.kernel.cache import ResilientCache, make_backend
from services.kernel.fallback_backend import RedisLink
from services.kernel.http import VendorClient
from services.kernel.metrics import Metrics
from services.kernel.rate_budget import RateBudget, make_storage
from services.kernel.retry import RetryPolicy
from services.kernel.settings import Settings
from services.kernel.vendors import VENDORS

_STATE_VALUE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


@dataclass
class Plumbing:
    settings: Settings
    retry: RetryPolicy
    metrics: Metrics
    breakers: BreakerBoard
    redis: RedisLink | None  # None without REDIS_URL
    limits: Storage  # the rate-limit storage the budgets and the per-user throttle share
    budget: RateBudget
    cache: ResilientCache

    def client(
        self, vendor: str, base_url: str, headers: dict[str, str] | None = None
    ) -> VendorClient:
        return VendorClient(
            vendor,
            base_url,
            timeout=self.settings.http_timeout_seconds,
            breakers=self.breakers,
            budget=self.budget,
            metrics=self.metrics,
            headers=headers,
            retry=self.retry,
        )


def build_plumbing(settings: Settings, *, cache_enabled: bool, retry: RetryPolicy) -> Plumbing:
    metrics = Metrics()

    def on_breaker_change(breaker: CircuitBreaker) -> None:
        metrics.breaker_state.labels(breaker.name).set(_STATE_VALUE[breaker.state])

    breakers = BreakerBoard(
        threshold=settings.breaker_failure_threshold,
        open_seconds=settings.breaker_open_seconds,
        plan_open_seconds=settings.breaker_plan_open_seconds,
        on_change=on_breaker_change,
    )
    redis = (
        RedisLink(settings.redis_url, probe_seconds=settings.store_probe_seconds)
        if settings.redis_url
        else None
    )
    limits = make_storage(settings.redis_url, redis)
    budget = RateBudget(limits, max_wait=settings.rate_wait_max_seconds)
    for vendor, spec in VENDORS.items():  # every vendor's budget, and its families'
        own = {vendor: spec.budget} if spec.budget else {}
        for key, limit in (own | spec.families).items():
            budget.configure(key, getattr(settings, limit.setting), limit.seconds)
    cache = ResilientCache(
        make_backend(settings.redis_url, link=redis),
        metrics,
        max_stale=settings.stale_max_age_seconds,
        enabled=cache_enabled,
        shared=bool(settings.redis_url),
    )
    return Plumbing(settings, retry, metrics, breakers, redis, limits, budget, cache)
