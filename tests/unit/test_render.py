from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n

from bot.render.errors import render_symbol_error, render_unavailable
from bot.render.status import render_status
from bot.render.text import split_message
from bot.render.ticker import render_ticker
from bot.render.view import View
from services.kernel.breaker import BreakerSnapshot, BreakerState
from services.kernel.errors import DataUnavailableError, Reason, SymbolError
from services.kernel.models import Ticker
from services.kernel.status import Health, ModuleStatus, Overall
from services.kernel.symbols import parse_symbol
from tests.fakes.telegram import HtmlError, parse_html

AS_OF = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
JAKARTA = ZoneInfo("Asia/Jakarta")


def view(locale: str = "en", admin: bool = False) -> View:
    return View(locale=locale, tz=JAKARTA, now=AS_OF + timedelta(seconds=42), is_admin=admin)


def ticker(**kw: object) -> Ticker:
    values: dict[str, object] = dict(
        instrument=parse_symbol("SOL"),
        last=Decimal("142.35"),
        open_24h=Decimal("138.91"),
        high_24h=Decimal("144.2"),
        low_24h=Decimal("137.62"),
        volume_base=Decimal("1503421.88"),
        volume_quote=Decimal("213456789.32"),
        bid=Decimal("142.35"),
        ask=Decimal("142.36"),
        source="OKX",
        as_of=AS_OF,
    )
    values.update(kw)
    return Ticker.model_validate(values)


def test_ticker_in_english(en: None) -> None:
    text = render_ticker(ticker(), view())
    parse_html(text)
    assert "<b>SOL/USDT</b>  <b>142.35</b>" in text
    assert "+2.48%" in text and "144.2 / 137.62" in text
    assert "Source: OKX · as of 14:00 WIB (42s ago)" in text
    assert "last good copy" not in text and "fallback" not in text


def test_ticker_in_indonesian_uses_its_words_and_number_format(id_: None) -> None:
    text = render_ticker(ticker(), view("id"))
    assert "142,35" in text and "+2,48%" in text
    assert "Sumber: OKX" in text and "42 dtk lalu" in text


def test_footer_says_stale_and_fallback(en: None) -> None:
    text = render_ticker(
        ticker(
            stale=True, source="CoinAPI", fallback=True, fallback_reason="OKX error", open_24h=None
        ),
        view(),
    )
    assert "Source: CoinAPI" in text and "last good copy: the live source failed" in text
    assert "fallback: OKX is having trouble on its side" in text
    # With its reason kept, the mark says what kind of old it is.
    why = ticker(stale=True).model_copy(update={"stale_reason": Reason.TIMEOUT, "stale_by": "OKX"})
    assert "⚠️ last good copy: OKX is not answering" in render_ticker(why, view())
    assert "24h change: –" in text


def test_vendor_text_is_escaped(en: None) -> None:
    text = render_ticker(ticker(source="<script>x</script>"), view())
    parse_html(text)
    assert "&lt;script&gt;" in text


def test_symbol_errors_echo_escaped_input_with_a_suggestion(en: None) -> None:
    text = render_symbol_error(SymbolError("<b>SOLL</b>&", "unknown", "SOL"), "ticker")
    parse_html(text)
    assert "&lt;b&gt;SOLL&lt;/b&gt;&amp;" in text and "/ticker SOL" in text
    empty = render_symbol_error(SymbolError("", "empty"), "ticker")
    assert "Which symbol?" in empty


def test_unavailable_names_every_source_and_reason(id_: None) -> None:
    text = render_unavailable(
        DataUnavailableError("ticker", [("OKX", Reason.BREAKER_OPEN), ("CoinAPI", Reason.NO_KEY)])
    )
    assert "OKX terus gagal dan dijeda sementara" in text
    assert "butuh kunci CoinAPI (tanyakan operator bot)" in text  # anyone: who can fix it
    assert text.endswith("Silakan coba lagi sebentar lagi.")  # OKX's pause ends


def test_status_shows_reasons_and_open_breakers(en: None) -> None:
    modules = [
        ModuleStatus(
            name="ticker",
            health=Health.UNAVAILABLE,
            reason=Reason.BREAKER_OPEN,
            detail="OKX error",
            checked=True,
        )
    ]
    breakers = [
        BreakerSnapshot(
            name="okx:ticker",
            state=BreakerState.OPEN,
            reason=Reason.ERROR,
            failures=5,
            retry_in_seconds=42,
        )
    ]
    text = render_status(Overall.UNHEALTHY, modules, breakers, view())
    parse_html(text)
    assert "Price data</b>: unavailable (paused after repeated failures)" in text
    assert "okx:ticker" not in text and "OKX error" not in text  # details are for admins
    admin = render_status(Overall.UNHEALTHY, modules, breakers, view(), details=True)
    assert "okx:ticker</code>: open (the source is having trouble) · retry in 42s" in admin
    assert "OKX error" in admin


def test_status_for_admins_shows_each_alert_job_and_its_backoff(en: None) -> None:
    from services.signals.health import JobHealth, RunOutcome

    sniper = JobHealth("sniper", ("whale",), 300, 1800, on_soft=lambda m: None, jitter=lambda: 1)
    sniper.record(RunOutcome(failed={"whale": Reason.ERROR}), AS_OF)
    bias = JobHealth("bias", ("whale",), 300, 1800, on_soft=lambda m: None)
    text = render_status(Overall.UNHEALTHY, [], [], view(admin=True), jobs=[bias, sniper])
    parse_html(text)
    assert "<b>Bias job</b>: healthy" in text  # words, not the registry's ids
    assert "<b>Sniper job</b>: unhealthy · 1 failed runs, next after " in text
    assert "14:05" in text.split("next after ")[1]  # 07:00 UTC + one 300 s interval, in WIB
    assert "Alert jobs" not in render_status(Overall.OK, [], [], view())


def test_status_says_when_another_copy_takes_the_updates_in_the_readers_language(
    id_: None,
) -> None:
    since = AS_OF - timedelta(minutes=3)
    text = render_status(Overall.OK, [], [], view("id"), polling_conflict_since=since)
    parse_html(text)
    assert "Salinan lain bot ini ikut mengambil pesannya sejak 13:57 WIB" in text
    assert "Salinan lain" not in render_status(Overall.OK, [], [], view("id"))


@pytest.mark.parametrize("limit", [50, 200, 4096])
def test_splitter_keeps_every_part_within_the_limit_and_tags_whole(limit: int) -> None:
    line = "<b>SOL</b> price &amp; <code>142.35</code> " + "x" * 30
    text = "\n".join(f"{n}: {line}" for n in range(500))
    parts = split_message(text, limit)
    assert all(len(p) <= limit for p in parts)
    for part in parts:
        parse_html(part)  # no part cuts a tag or an entity
    assert "\n".join(parts).replace("\n", "") == text.replace("\n", "")


def test_splitter_cuts_one_overlong_line_outside_tags_and_entities() -> None:
    text = ("a &amp; <b>b</b> " * 400).strip()
    parts = split_message(text, 100)
    assert all(len(p) <= 100 for p in parts)
    assert "".join(parts) == text
    for part in parts:
        assert "&am" not in part.replace("&amp;", "")


def test_short_text_is_one_part() -> None:
    assert split_message("hi") == ["hi"]


def test_fake_server_html_check_matches_telegram_rules() -> None:
    assert parse_html("a &lt; b <b>c</b> &amp;") == "a < b c &"
    for bad in ("Price < 100", "<b>open", "<foo>x</foo>", "<b>x</i>"):
        with pytest.raises(HtmlError):
            parse_html(bad)


@pytest.mark.parametrize("locale", ["en", "id"])
def test_entry_map_and_alerts_render_every_placeholder_and_label(i18n: I18n, locale: str) -> None:
    from bot.render.alerts import render_entry_map
    from bot.render.pushes import render_alert
    from services.delivery.models import Alert, HealthNotice, HealthPush, SniperPush
    from services.signals.bias.rule import Missing
    from tests.unit.test_sniper_rule import make

    m = make(etf=None, missing=[Missing(name="etf", reason=Reason.PLAN)])
    notice = HealthNotice(
        job="sniper", healthy=False, failing=[Missing(name="whale", reason=Reason.ERROR)], at=AS_OF
    )
    with i18n.context(), i18n.use_locale(locale):
        text = render_entry_map(m, view(locale))
        pushed = render_alert(Alert(started_at=AS_OF, payload=SniperPush(maps=[m])), view(locale))
        warning = render_alert(
            Alert(started_at=AS_OF, payload=HealthPush(notice=notice)), view(locale)
        )
    for rendered in (text, pushed, warning):
        parse_html(rendered)
        assert "{" not in rendered and "}" not in rendered
    assert pushed == text
    if locale == "en":
        assert (
            "✅ Net whale buying (BTC or SOL): BTC: whale buys: 1 in the last 60 min, "
            "largest $1.5M, total $1.5M" in text
        )
        assert "3 of 4 inputs agree (1 missing)" in text
        assert "Alert lines: entry 99.5 · stop 99.2 · TP1 100.8 · TP2 101.6 · cluster 99.7" in text
        # Each level against the entry and against the price shown above it.
        assert "Entry: <b>99.5</b> (-0.50% from price)" in text
        assert "Invalidation: <b>99.2</b> (-0.30% from entry, -0.80% from price)" in text
        assert (
            "TP1: <b>100.8</b> (+1.31% from entry, +0.80% from price) · R/R 4.33 · ask wall" in text
        )
        assert text.count("whale buys: 1 in the last 60 min") == 1  # whale evidence once
        assert "Missing: Spot-ETF flow: not in your data plan" in text
        assert (
            "Sniper job</b> is unhealthy" in warning
            and "Whales: the source is having trouble" in warning
        )
    else:
        assert "Garis alert: entry 99,5 · stop 99,2 · TP1 100,8 · TP2 101,6 · klaster 99,7" in text


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ["999.99", "1K", "1.5K", "1.52M", "1.52B", "2.5T", "-1.52B", "1M"]),
        (
            "id",
            [
                "999,99",
                "1\u00a0rb",
                "1,5\u00a0rb",
                "1,52\u00a0jt",
                "1,52\u00a0miliar",
                "2,5\u00a0triliun",
                "-1,52\u00a0miliar",
                "1\u00a0jt",
            ],
        ),
    ],
)
def test_compact_numbers_are_unambiguous_in_every_language(
    locale: str, expected: list[str]
) -> None:
    values = [999.994, 999.999, 1500, 1_520_000, 1_520_000_000, 2.5e12, -1_520_000_000, 999_999]
    assert [view(locale).compact(v) for v in values] == expected
    # An Indonesian billion is never "M", which an English reader takes for million.
    assert "M" not in view("id").compact(1_520_000_000)


@pytest.mark.parametrize("locale", ["en", "id"])
@pytest.mark.parametrize(
    "value", [Decimal("0"), Decimal("142.35"), Decimal("-0.004567"), Decimal("1234567.891"), 0.5]
)
def test_numbers_read_as_babel_writes_them(locale: str, value: Decimal | float) -> None:
    from babel.numbers import format_decimal, format_percent

    v = view(locale)
    assert v.price(value) == format_decimal(value, format="#,##0.########", locale=locale)
    assert v.share(value) == format_percent(value, format="#,##0%", locale=locale)
    sign = "+" if value > 0 else ""
    assert v.pct(value) == sign + format_percent(
        Decimal(value) / 100, format="#,##0.00%", locale=locale
    )


def test_a_keyboard_is_built_once_per_coin_and_language(i18n: I18n) -> None:
    from bot.keyboards import refresh_keyboard

    def labels(locale: str) -> list[str]:
        with i18n.context(), i18n.use_locale(locale):
            markup = refresh_keyboard("tk", "SOL-USDT")
            assert refresh_keyboard("tk", "SOL-USDT") is markup  # built once
        return [b.text for row in markup.inline_keyboard for b in row]

    english, indonesian = labels("en"), labels("id")
    assert english == ["🔄 Refresh", "📈 Chart"]
    assert indonesian != english and indonesian[1] == "📈 Grafik"  # each language its own


def test_a_withdrawn_call_states_when_and_at_what_price_it_was_made(i18n: I18n) -> None:
    from bot.render.followups import render_withdrawn
    from services.delivery.models import Withdrawal

    withdrawal = Withdrawal(
        symbol="SOL",
        was="LONG",
        now="NEUTRAL",
        called_at=AS_OF,
        called_price=Decimal("142.35"),
        price=Decimal("143.1"),
    )
    with i18n.context(), i18n.use_locale("en"):
        text = render_withdrawn([withdrawal], view("en"))
    assert "SOL</b> LONG call withdrawn" in text
    assert "It was called at 142.35 · " in text and "Price now 143.1." in text
