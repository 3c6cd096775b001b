"""Every operator-facing setting, read once from the environment / `.env` (listed in
docs/configuration.md)."""

from __future__ import annotations

import re
import socket
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, SecretStr, create_model, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.kernel.alerts import JOBS
from services.kernel.errors import SymbolError
from services.kernel.modules import SWITCHABLE, Module
from services.kernel.symbols import parse_symbol
from services.kernel.vendors import VENDORS

Switch = Literal["on", "off"]
ACTIVE_HOURS = re.compile(r"([01]?\d|2[0-3]):[0-5]\d-(([01]?\d|2[0-3]):[0-5]\d|24:00)")


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _on_off(value: object) -> object:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return "on"
        if lowered in {"0", "false", "no", "off"}:
            return "off"
    return value


# Settings made from the registries, so a new entry there gets its setting without a line here:
# FEATURE_<MODULE> for every switchable module (services/kernel/modules.py; read with
# `Settings.switch(module)`), and every job's period in seconds, 0 turning it off
# (services/kernel/alerts.py; read with `JOBS[job].interval(settings)`), and every vendor's base
# URL, key and budgets (services/kernel/vendors.py; read through its row).
_FROM_REGISTRIES: dict[str, Any] = {
    **{name: made for spec in VENDORS.values() for name, made in spec.fields().items()},
    **{
        f"feature_{module.value}": (Annotated[Switch, BeforeValidator(_on_off)], "on")
        for module in SWITCHABLE
    },
    **{
        spec.interval_setting: (type(spec.default_interval), Field(spec.default_interval, ge=0))
        for spec in JOBS.values()
    },
}
if TYPE_CHECKING:
    _Registered = BaseModel
else:
    _Registered = create_model("_Registered", **_FROM_REGISTRIES)


class Settings(BaseSettings, _Registered):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    bot_token: SecretStr = SecretStr("")
    telegram_api_base: str = "https://api.telegram.org"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # The read-only JSON API (/api/v1): off without keys.
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    api_rate_per_minute: int = Field(default=20, ge=1)
    default_locale: Literal["en", "id"] = "en"
    database_url: str = "sqlite+aiosqlite:///data/bot.db"
    redis_url: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    log_level: str = "INFO"

    # OKX's public WebSocket: live liquidations ("" leaves them to the REST poll alone).
    okx_ws_url: str = "wss://ws.okx.com:8443/ws/v5/public"

    whale_min_usd: Decimal = Decimal(1_000_000)
    whale_window_minutes: int = Field(default=60, ge=1)  # only this recent activity makes a call
    # Extension: net whale flow over gross flow needed to read the window as buying or selling.
    whale_net_share: Decimal = Field(default=Decimal("0.2"), ge=0, le=1)
    # Extensions: the sentiment scores at which the bias rule reads greed (long) or fear (short).
    bias_long_sentiment: int = 60
    bias_short_sentiment: int = 40
    # Funding and open interest vote against a crowded side ("on"): off, they are context
    # only; `python -m bot backtest --set BIAS_DERIVS_VOTE=on` measures what they would add.
    bias_derivs_vote: Literal["on", "off"] = "off"
    watch_symbols: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["BTC", "ETH", "SOL"]
    )
    sniper_symbol: str = "SOL"
    # What a chat may choose with /settings: the coins its watchlist may hold (with
    # WATCH_SYMBOLS; the bias job evaluates the union of the watchlists in use, so this bounds
    # its work), and how many.
    watchlist_choices: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [
            "BTC",
            "ETH",
            "SOL",
            "BNB",
            "XRP",
            "DOGE",
            "ADA",
            "AVAX",
            "LINK",
            "TON",
        ]
    )
    watchlist_max: int = Field(default=10, ge=1, le=50)
    timezone: str = "Asia/Jakarta"
    active_hours: str = "00:00-24:00"
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")

    # Tuning knobs with safe defaults (beyond the names operators rely on).
    http_timeout_seconds: float = 8.0
    # A chat command answers within this, with what it has; jobs keep the long retry budget.
    chat_deadline_seconds: float = Field(default=4.0, gt=0.5, le=60)
    hedge_after_seconds: float = Field(default=1.0, gt=0, le=30)
    ticker_cache_ttl_ms: int = 300
    orderbook_cache_ttl_ms: int = 1000
    whale_cache_ttl_seconds: float = 20.0
    sentiment_cache_ttl_seconds: float = 600.0
    etf_cache_ttl_seconds: float = 900.0
    heatmap_cache_ttl_seconds: float = 20.0
    options_cache_ttl_seconds: float = 120.0
    # OKX's trading statistics move every 5 minutes; a minute keeps the rubik budget free.
    funding_cache_ttl_seconds: float = 60.0
    oi_cache_ttl_seconds: float = 60.0
    stale_max_age_seconds: float = 600.0
    instruments_cache_ttl_seconds: int = 86_400
    user_commands_per_minute: int = 20
    rate_wait_max_seconds: float = 1.0
    breaker_failure_threshold: int = 5
    breaker_open_seconds: float = 60.0
    breaker_plan_open_seconds: float = 3600.0
    # How long a start waits for a Bot API it cannot reach yet (0: give up at once).
    telegram_startup_wait_seconds: float = Field(default=120.0, ge=0, le=3600)
    # Updates handled at once; more wait at Telegram (polling asks for them as room frees),
    # so a burst's memory is bounded by this, not by the burst.
    updates_in_flight: int = Field(default=500, ge=1, le=100_000)
    # A reply's retries after a 5xx, an edge's error page or a network fault (not 429s): at
    # most this many, none starting past TELEGRAM_OUTAGE_SECONDS after the first fault.
    telegram_retry_max: int = Field(default=12, ge=0)
    telegram_outage_seconds: float = Field(default=60.0, ge=0, le=600)
    # Alerts: hygiene, the sniper's levels, job backoff and Telegram delivery pacing.
    alert_cooldown_seconds: float = 3600.0  # per (chat, alert type, symbol), persisted
    # The alerts chats set (/alert): messages a chat may get a minute (what fires beyond waits
    # and is merged into the next), and how many alerts a private chat and a group may keep.
    alert_max_per_minute: int = Field(default=6, ge=1, le=60)
    alert_max_per_user: int = Field(default=30, ge=1, le=1000)
    alert_max_per_group: int = Field(default=50, ge=1, le=1000)
    alert_repeat_gain: Decimal = Decimal("0.2")  # confidence a repeat inside the cooldown must add
    sniper_wall_multiple: Decimal = Decimal("5.0")
    sniper_cluster_pct: Decimal = Decimal("0.5")
    sniper_stop_buffer_pct: Decimal = Decimal("0.3")
    sniper_same_setup_pct: Decimal = Decimal("0.3")
    job_backoff_max_seconds: float = 1800.0
    telegram_global_per_second: float = 25.0
    telegram_chat_per_second: float = 1.0
    telegram_group_per_minute: float = 20.0
    delivery_max_attempts: int = 5
    # A sender's hold on a delivery it is sending; if the process dies mid-send, the delivery
    # is due again after this. Longer than any Bot API call may take.
    delivery_claim_seconds: float = 120.0
    # Backing-store outages: a replica's stable name (empty: host name and HTTP_PORT), so a
    # restart takes its own delivery claims back at once; how long a connect, a pooled
    # connection or an answer's lookup may take, and one statement; how often a store that
    # stopped answering (database, Redis) is asked again.
    instance_id: str = Field(default="", max_length=64)
    database_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    database_statement_timeout_seconds: float = Field(default=10.0, gt=0, le=3600)
    store_probe_seconds: float = Field(default=10.0, gt=0, le=600)
    # The track record: how long a pushed sniper map waits for its entry before it is void,
    # how long the input journal and candles are kept.
    sniper_setup_lifetime_minutes: int = Field(default=360, ge=1)
    journal_retention_days: int = Field(default=30, ge=1)
    # Pushed alerts and their deliveries, once every delivery is over and no tracked map needs
    # them, are kept this long (the track record itself is kept for good).
    alert_retention_days: int = Field(default=30, ge=1)

    @field_validator("admin_ids", "watch_symbols", "watchlist_choices", "api_keys", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("watch_symbols", "watchlist_choices", "sniper_symbol")
    @classmethod
    def _coins(cls, value: list[str] | str) -> list[str] | str:
        """Any spelling a user may type (`$SOL`, `SOL-USDT`) names the coin; nonsense fails at
        start-up, not in every job run."""

        def coin(text: str) -> str:
            try:
                return parse_symbol(text).base
            except SymbolError as exc:
                raise ValueError(f"{text!r} is not a symbol") from exc

        return [coin(v) for v in value] if isinstance(value, list) else coin(value)

    @field_validator("active_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if not ACTIVE_HOURS.fullmatch(value.strip()):
            raise ValueError("ACTIVE_HOURS must look like 07:00-23:00 (00:00-24:00 is all day)")
        return value.strip()

    def switch(self, module: Module) -> bool:
        """Whether FEATURE_<MODULE> starts the module on (only switchable modules have one)."""
        return bool(getattr(self, f"feature_{module.value}") == "on")

    def instance(self) -> str:
        """This replica's name for leases and delivery claims: the same after a restart of the
        same replica, different for two replicas on one host (their HTTP ports differ)."""
        return self.instance_id.strip() or f"{socket.gethostname()}:{self.http_port}"[:64]

    def secrets(self) -> list[str]:
        """Values that must never appear in a log line."""
        values = [
            self.bot_token.get_secret_value(),
            *(spec.key(self) for spec in VENDORS.values()),
            self.webhook_secret.get_secret_value(),
        ]
        return [v for v in values if v]
