from __future__ import annotations

import pytest


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries with millisecond backoff and a 1 s Retry-After cap, so fault tests stay quick."""
    from services.resilience import retry

    monkeypatch.setattr(retry, "MAX_RETRY_AFTER_SECONDS", 1.0)
    original = retry.with_retry

    async def quick(call, **kwargs):  # type: ignore[no-untyped-def]
        return await original(call, base_delay=0.01, max_delay=0.02)

    monkeypatch.setattr("services.http.with_retry", quick)
