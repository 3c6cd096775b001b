"""`.env.example` lists every setting, and every variable operators rely on is a setting."""

from __future__ import annotations

import re
from pathlib import Path

from services.kernel.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_NAMES = {
    "BOT_TOKEN",
    "TELEGRAM_API_BASE",
    "ADMIN_IDS",
    "DEFAULT_LOCALE",
    "DATABASE_URL",
    "REDIS_URL",
    "HTTP_HOST",
    "HTTP_PORT",
    "LOG_LEVEL",
    "OKX_BASE_URL",
    "OKX_WS_URL",
    "BINANCE_BASE_URL",
    "BINANCE_FUTURES_BASE_URL",
    "COINGLASS_BASE_URL",
    "COINGLASS_API_KEY",
    "COINAPI_BASE_URL",
    "COINAPI_API_KEY",
    "FNG_BASE_URL",
    "FEATURE_WHALE",
    "FEATURE_ETF",
    "FEATURE_SENTIMENT",
    "FEATURE_HEATMAP",
    "FEATURE_SPOT_OB",
    "FEATURE_OPTIONS",
    "FEATURE_FUNDING",
    "FEATURE_OI",
    "WHALE_MIN_USD",
    "WATCH_SYMBOLS",
    "SNIPER_SYMBOL",
    "BIAS_INTERVAL_SECONDS",
    "SNIPER_INTERVAL_SECONDS",
    "TIMEZONE",
    "ACTIVE_HOURS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "API_KEYS",
    "API_RATE_PER_MINUTE",
}
# Read by docker-compose.yml's fleet profile, not by the bot.
COMPOSE_ONLY = {"BOT_DOMAIN", "POSTGRES_PASSWORD"}


def example_names() -> list[str]:
    text = (ROOT / ".env.example").read_text()
    return re.findall(r"^([A-Z0-9_]+)=", text, flags=re.MULTILINE)


def test_every_setting_is_in_env_example_and_nothing_else() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    assert set(example_names()) - COMPOSE_ONLY == fields
    compose = (ROOT / "docker-compose.yml").read_text()
    assert all(f"${{{name}" in compose for name in COMPOSE_ONLY)


def test_every_contract_variable_is_a_setting() -> None:
    assert {name.upper() for name in Settings.model_fields} >= CONTRACT_NAMES


def test_every_example_line_has_a_comment_above_it() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z0-9_]+=", line):
            above = next(
                lines[j]
                for j in range(index - 1, -1, -1)
                if not re.match(r"^[A-Z0-9_]+=", lines[j])
            )
            assert above.startswith("#"), f"{line} has no comment"


def test_example_values_parse() -> None:
    values = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z0-9_]+=", line)
    )
    settings = {k.lower(): v for k, v in values.items() if k not in COMPOSE_ONLY}
    Settings(_env_file=None, **settings)  # type: ignore[call-arg]
