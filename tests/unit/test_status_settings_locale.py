from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.middlewares.locale import pick_locale
from services.kernel.errors import Reason
from services.kernel.modules import Module
from services.kernel.status import Health, Overall, StatusRegistry
from tests.conftest import make_settings


def test_overall_is_unhealthy_only_when_every_main_module_is_unavailable() -> None:
    registry = StatusRegistry()
    registry.register("ticker", main=True)
    registry.register("orderbook", main=True)
    registry.register("etf")
    assert registry.overall() is Overall.OK
    registry.unavailable("etf", Reason.PLAN)
    assert registry.overall() is Overall.OK  # a plan wall is how the install is set up
    registry.unavailable("etf", Reason.TIMEOUT)
    assert registry.overall() is Overall.DEGRADED
    registry.unavailable("ticker", Reason.ERROR)
    assert registry.overall() is Overall.DEGRADED
    registry.unavailable("orderbook", Reason.MISSING)
    assert registry.overall() is Overall.UNHEALTHY
    registry.ok("ticker", "OKX")
    assert registry.overall() is Overall.DEGRADED


def test_status_keeps_last_success_through_a_failure() -> None:
    registry = StatusRegistry(clock=lambda: 1_800_000_000.0)
    registry.ok("ticker", "OKX")
    registry.unavailable("ticker", Reason.BREAKER_OPEN, "OKX error")
    status = registry.get("ticker")
    assert status is not None and status.health is Health.UNAVAILABLE
    assert status.last_success is not None and status.reason is Reason.BREAKER_OPEN


def test_settings_read_contract_names_and_lists() -> None:
    settings = make_settings(admin_ids="1, 2,3", watch_symbols="BTC,SOL", feature_etf="false")
    assert settings.admin_ids == [1, 2, 3]
    assert settings.watch_symbols == ["BTC", "SOL"]
    assert not settings.switch(Module.ETF) and settings.switch(Module.WHALE)
    assert settings.model_dump()["coinapi_base_url"] == "https://rest.coinapi.io"  # the table's
    assert "AAFake" not in repr(settings)  # secrets are SecretStr


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.kernel.settings import Settings

    monkeypatch.setenv("ADMIN_IDS", "42")
    monkeypatch.setenv("DEFAULT_LOCALE", "id")
    monkeypatch.setenv("COINAPI_API_KEY", "k")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.admin_ids == [42] and settings.default_locale == "id"
    assert settings.secrets() == ["k"]


def test_bad_setting_is_refused() -> None:
    with pytest.raises(ValidationError):
        make_settings(default_locale="fr")


def test_job_symbols_take_any_spelling_and_refuse_nonsense() -> None:
    settings = make_settings(watch_symbols="btc, $ETH ,SOL-USDT", sniper_symbol="sol/usdt")
    assert settings.watch_symbols == ["BTC", "ETH", "SOL"]
    assert settings.sniper_symbol == "SOL"
    with pytest.raises(ValidationError, match="is not a symbol"):
        make_settings(watch_symbols="BTC,<b>x</b>")


@pytest.mark.parametrize("hours", ["7-23", "07:00-25:00", "07:00", "always", "07:60-08:00"])
def test_active_hours_must_be_a_window(hours: str) -> None:
    with pytest.raises(ValidationError, match="ACTIVE_HOURS"):
        make_settings(active_hours=hours)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("id", "id"),
        ("id-ID", "id"),
        ("en-GB", "en"),
        ("EN", "en"),
        ("ru", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_locale_from_telegram_language_code(code: str | None, expected: str) -> None:
    assert pick_locale(code, ("en", "id"), "en") == expected


def test_locale_falls_back_to_the_configured_default() -> None:
    assert pick_locale("ru", ("en", "id"), "id") == "id"
