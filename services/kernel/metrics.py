"""Prometheus metrics, one registry per process (tests and benches build their own)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.upstream_requests = Counter(
            "upstream_requests",
            "Vendor HTTP requests",
            ["vendor", "endpoint", "status"],
            registry=r,
        )
        self.upstream_latency = Histogram(
            "upstream_request_seconds",
            "Vendor request latency",
            ["vendor", "endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.cache_events = Counter(
            "cache_events",
            "Cache lookups by result (hit/miss/stale)",
            ["kind", "result"],
            registry=r,
        )
        self.coalesced = Counter(
            "coalesced_requests",
            "Requests that shared an in-flight upstream call",
            ["kind"],
            registry=r,
        )
        self.breaker_state = Gauge(
            "breaker_state",
            "Circuit breaker state (0 closed, 1 half-open, 2 open)",
            ["breaker"],
            registry=r,
        )
        self.command_latency = Histogram(
            "command_seconds",
            "Time to answer a chat command",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.telegram_errors = Counter(
            "telegram_api_errors", "Bot API errors by code", ["method", "code"], registry=r
        )

        self.job_runs = Counter(
            "job_runs", "Scheduled job runs by result", ["job", "result"], registry=r
        )
        # The issue names `sniper_soft_fail_total{module}`: an optional module unavailable by
        # plan, flag, missing key or open breaker; never counted as a job failure.
        self.sniper_soft_fail = Counter(
            "sniper_soft_fail",
            "Sniper runs with an optional module unavailable",
            ["module"],
            registry=r,
        )
        self.bias_soft_fail = Counter(
            "bias_soft_fail",
            "Bias runs with a module unavailable by plan/flag/key/breaker",
            ["module"],
            registry=r,
        )
        self.job_healthy = Gauge("job_healthy", "1 healthy, 0 unhealthy", ["job"], registry=r)
        self.rule_fires = Counter(
            "rule_fires",
            "Alerts chats set that fired (or expired, or were reminded of)",
            registry=r,
        )
        self.alert_lag = Histogram(
            "alert_lag_seconds",
            "From a job run's start to the last delivery of its alert accepted by Telegram",
            ["type"],
            buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800),
            registry=r,
        )
        self.deliveries = Counter(
            "alert_deliveries", "Alert deliveries by result", ["result"], registry=r
        )
        self.hit_ratio = Gauge(
            "signal_hit_ratio",
            "Share of graded calls that were right over the last 30 days (NaN before any)",
            ["kind", "horizon"],
            registry=r,
        )
        self.graded = Counter(
            "signal_graded", "Calls graded, by kind and outcome", ["kind", "outcome"], registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
