"""/funding, /oi and /deriv in process, against the fake OKX's perpetuals: the figures a perp
trader reads (normalised funding, the price/OI reading), a part failing without the answer,
and every bad input answered plainly."""

from __future__ import annotations

import time

import pytest

from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import Dispatch

FIVE_MS, HOUR_MS = 300_000, 3_600_000
LONG_SHORT = "/api/v5/rubik/stat/contracts/long-short-account-ratio-contract"


def one(telegram: FakeTelegram, chat: int) -> str:
    [text] = telegram.sent_texts(chat)
    parse_html(text)
    return text


async def test_funding_of_a_coin_is_its_perpetuals_rate_per_8h_a_year_and_the_week_paid(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await dispatch.command("/funding sol", chat_id=2301)
    text = one(telegram, 2301)
    assert "SOL/USDT perp funding (OKX)" in text
    # 0.0000612253781406 per 8 h: three times a day for a year.
    assert "+0.0061%</b> per 8h · +6.70% a year" in text
    assert "Paid over 7 days: +6.70% a year (2" in text  # 21 or 22 settlements
    assert "Positive: longs pay shorts" in text and "Source: OKX" in text
    paid = [c for c in vendors.calls if c.path == "/api/v5/public/funding-rate-history"]
    assert paid and paid[0].query["instId"] == "SOL-USDT-SWAP"


async def test_an_hourly_contract_is_compared_per_8h_and_per_year(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.derivatives.funding["SOL-USDT-SWAP"] = ("0.0001", 1)
    await dispatch.command("/funding SOL", chat_id=2302, language_code="id")
    text = one(telegram, 2302)
    # 0.01 % an hour is 0.08 % per 8 h and 87.6 % a year, not the 0.01 % it reads as.
    assert "+0,0100%</b> per 1 jam · +87,60% per tahun (+0,0800% per 8 jam)" in text


async def test_the_screen_ranks_every_perpetual_by_its_yearly_rate(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    rates = {
        "PEPE-USDT-SWAP": ("0.0001", 1),  # 87.6 % a year: first, though 0.01 % reads small
        "DOGE-USDT-SWAP": ("0.0005", 8),  # 54.75 %
        "XRP-USDT-SWAP": ("0.0002", 4),  # 43.8 %
        "ADA-USDT-SWAP": ("-0.0003", 8),  # -32.85 %
        "TRX-USDT-SWAP": ("-0.0001", 1),  # -87.6 %: last
    }
    vendors.derivatives.funding.update(rates)
    await dispatch.command("/funding", chat_id=2303)
    text = one(telegram, 2303)
    assert "Funding extremes across 8 OKX perpetuals" in text
    highest, lowest = text.split("Lowest")
    assert highest.index("PEPE/USDT perp") < highest.index("DOGE/USDT perp")
    assert highest.index("DOGE/USDT perp") < highest.index("XRP/USDT perp")
    assert "1. PEPE/USDT perp <b>+87.60%</b> a year (+0.0100% per 1h)" in highest
    assert "1. TRX/USDT perp <b>-87.60%</b> a year" in lowest
    assert lowest.index("TRX/USDT perp") < lowest.index("ADA/USDT perp")
    [call] = [c for c in vendors.calls if c.path == "/api/v5/public/funding-rate"]
    assert call.query == {"instId": "ANY"}  # one call for all of them


def script_open_interest(vendors: FakeVendors) -> None:
    """4 h ago 1,000 SOL open at 100; since then 1,020 at 101 (2 % more contracts while price
    rose 1 %: new longs). A day ago 1,100 at 105."""
    now = int(time.time() * 1000)
    five = now // FIVE_MS * FIVE_MS
    recent = [
        (t, 1000.0, 100.0) if t <= now - 4 * HOUR_MS else (t, 1020.0, 101.0)
        for t in range(five - 48 * FIVE_MS, five + 1, FIVE_MS)
    ]
    vendors.set_open_interest("SOL-USDT-SWAP", "5m", recent)
    hour = now // HOUR_MS * HOUR_MS
    hours = [
        (t, 1100.0, 105.0) if t <= now - 24 * HOUR_MS else (t, 1020.0, 101.0)
        for t in range(hour - 25 * HOUR_MS, hour + 1, HOUR_MS)
    ]
    vendors.set_open_interest("SOL-USDT-SWAP", "1H", hours)
    vendors.derivatives.open_interest["SOL-USDT-SWAP"] = ("1020", "1020", "103020")
    # Taker flow over the last 4 h: 48 periods of 2 coins sold and 3 bought (USD at 100).
    vendors.set_taker_volume(
        "SOL-USDT-SWAP", "5m", [(five - n * FIVE_MS, 2.0, 3.0) for n in range(48)]
    )


async def test_oi_reads_new_longs_with_who_holds_them_and_who_took_the_other_side(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    script_open_interest(vendors)
    await dispatch.command("/oi SOL 4h", chat_id=2304)
    text = one(telegram, 2304)
    assert "Open interest <b>1.02K</b> SOL ($103.02K)" in text
    assert "1h 0.00% (price 0.00%) · 4h +2.00% (price +1.00%) · 24h -7.27% (price -3.81%)" in (text)
    assert "Over 4h: <b>new longs (price up, open interest up)</b>" in text
    assert "Long/short accounts: 1.25 (1.25 4h ago)" in text
    assert "Top traders' positions: 0.95 long for each short" in text
    assert "Taker flow 4h: buy $14.4K · sell $9.6K (net <b>+$4.8K</b>)" in text
    assert "Missing" not in text


@pytest.mark.parametrize(
    ("oi_then", "price_then", "words"),
    [
        (1000.0, 102.0, "new shorts (price down, open interest up)"),
        (1040.0, 100.0, "shorts covering (price up, open interest down)"),
        (1040.0, 102.0, "longs closing (price down, open interest down)"),
        (1019.0, 100.0, "no clear reading"),  # 0.1 % more contracts is noise
    ],
)
async def test_each_way_price_and_oi_move_together_is_read_for_what_it_means(
    dispatch: Dispatch,
    telegram: FakeTelegram,
    vendors: FakeVendors,
    oi_then: float,
    price_then: float,
    words: str,
) -> None:
    now = int(time.time() * 1000)
    five = now // FIVE_MS * FIVE_MS
    vendors.set_open_interest(
        "SOL-USDT-SWAP",
        "5m",
        [
            (t, oi_then, price_then) if t <= now - HOUR_MS else (t, 1020.0, 101.0)
            for t in range(five - 48 * FIVE_MS, five + 1, FIVE_MS)
        ],
    )
    vendors.derivatives.open_interest["SOL-USDT-SWAP"] = ("1020", "1020", "103020")
    await dispatch.command("/oi SOL 1h", chat_id=2305)
    assert f"Over 1h: <b>{words}" in one(telegram, 2305)


async def test_a_failing_part_comes_from_binance_and_says_so(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    script_open_interest(vendors)
    vendors.fail(LONG_SHORT, Fault(status=500, body={"code": "50001", "msg": "busy"}))
    await dispatch.command("/oi SOL", chat_id=2306)
    text = one(telegram, 2306)
    assert "Open interest <b>1.02K</b> SOL" in text and "Taker flow 4h" in text
    assert "Long/short accounts: 1.3 (1.3 4h ago)" in text  # Binance's figure, not OKX's 1.25
    assert "From Binance futures (fallback): long/short accounts" in text
    asked = [c for c in vendors.calls if c.path == "/futures/data/globalLongShortAccountRatio"]
    assert asked and asked[0].query["symbol"] == "SOLUSDT" and asked[0].query["period"] == "5m"


async def test_with_binance_refused_a_failing_part_leaves_its_line_out_blaming_okx(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """Binance refusing this server's country is how the install is set up: the part is
    missing because OKX failed, and that is what the answer and /status say."""
    script_open_interest(vendors)
    vendors.derivatives.binance_refused = True
    vendors.fail(LONG_SHORT, Fault(status=500, body={"code": "50001", "msg": "busy"}))
    await dispatch.command("/oi SOL", chat_id=2313)
    text = one(telegram, 2313)
    assert "Long/short accounts" not in text and "Taker flow 4h" in text
    assert "Missing: long/short accounts: OKX is having trouble on its side" in text
    await dispatch.command("/status", chat_id=2313)
    status = telegram.sent_texts(2313)[-1]
    assert "Open interest data" in status


async def test_okx_failing_funding_and_open_interest_come_from_binance_marked_as_fallback(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.fail("/api/v5/public/funding-rate", Fault(status=503))
    vendors.fail("/api/v5/public/open-interest", Fault(status=503))
    await dispatch.command("/deriv SOL", chat_id=2314)
    card = one(telegram, 2314)
    # Binance's premiumIndex has no interval: the history's last two settlements say 8 h.
    assert "+0.0061%</b> per 8h · +6.70% a year" in card
    assert "Open interest <b>5.23M</b> SOL" in card
    assert card.count("Source: Binance futures") == 2
    assert "fallback: OKX is having trouble on its side" in card
    status = dispatch.services.status.get("funding")
    assert status is not None and status.health.value == "degraded"


async def test_deriv_is_one_card_and_a_failing_module_is_one_sentence_in_it(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    script_open_interest(vendors)
    await dispatch.command("/deriv SOL", chat_id=2307)
    card = one(telegram, 2307)
    assert "SOL/USDT perp derivatives" in card
    assert "+0.0061%</b> per 8h" in card and "Over 4h: <b>new longs" in card
    okx_calls = len(vendors.calls)
    await dispatch.command("/deriv SOL 1h", chat_id=2308)
    assert "Over 1h:" in one(telegram, 2308)
    # The 1h window reads the 5-minute rows the 4h one kept: only open interest now is asked.
    assert [c.path for c in vendors.calls[okx_calls:]] == ["/api/v5/public/open-interest"]
    vendors.fail("/api/v5/public/funding-rate", Fault(status=503))
    vendors.derivatives.binance_refused = True  # OKX alone: its failure is the module's
    await dispatch.command("/deriv BTC", chat_id=2311)
    degraded = one(telegram, 2311)
    assert "Funding data is unavailable" in degraded and "OKX is having trouble" in degraded
    assert "Open interest <b>25K</b> BTC" in degraded


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/oi", "Which symbol?"),
        ("/oi SOL 2d", "1h"),
        ("/oi PEPE", "PEPE/USDT perp"),
        ("/funding <b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        ("/deriv SOL <i>4h</i>", "&lt;i&gt;4h&lt;/i&gt;"),
    ],
)
async def test_bad_input_gets_one_plain_sentence(
    dispatch: Dispatch, telegram: FakeTelegram, command: str, expected: str
) -> None:
    await dispatch.command(command, chat_id=2309)
    text = one(telegram, 2309)
    assert expected in text
    assert "Traceback" not in text and "Error" not in text


async def test_switched_off_funding_asks_okx_nothing(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    dispatch = await make_dispatch(feature_funding="off")
    await dispatch.command("/funding SOL", chat_id=2310)
    assert "switched off" in one(telegram, 2310)
    assert not [c for c in vendors.calls if "funding" in c.path]


async def test_the_week_paid_failing_leaves_the_rate_now_standing(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.fail(
        "/api/v5/public/funding-rate-history", Fault(status=500, body={"code": "50001", "msg": "x"})
    )
    await dispatch.command("/funding SOL", chat_id=2312)
    text = one(telegram, 2312)
    assert "+0.0061%</b> per 8h" in text
    assert "Paid over 7 days: missing (OKX is having trouble on its side)" in text
    status = dispatch.services.status.get("funding")
    assert status is not None and status.health.value == "degraded"


async def test_a_perpetuals_ticker_adds_mark_funding_and_open_interest_one_line_each(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    await dispatch.command("/ticker SOL-PERP", chat_id=2315)
    text = one(telegram, 2315)
    assert "Mark price: 142.33" in text  # the fake's OI dollars over coins
    assert "Funding <b>+0.0061%</b> per 8h · +6.70% a year" in text
    assert "Open interest <b>5.23M</b> SOL ($745.07M)" in text
    await dispatch.command("/ticker SOL", chat_id=2316)
    assert "Funding" not in one(telegram, 2316)  # a spot pair has none
    vendors.fail("/api/v5/public/mark-price", Fault(status=503))
    await dispatch.services.cache.clear()
    await dispatch.command("/ticker SOL-PERP", chat_id=2317)
    degraded = one(telegram, 2317)
    assert "Mark price: unavailable (OKX is having trouble on its side)" in degraded
    assert "Funding <b>+0.0061%</b> per 8h" in degraded  # the other lines stand
    assert "142.31" in degraded  # and the price itself


async def test_alpha_shows_funding_and_oi_as_context_not_a_vote(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    script_open_interest(vendors)  # a day ago 1,100 SOL open: OI down 7.27 %
    vendors.derivatives.funding["SOL-USDT-SWAP"] = ("0.0004", 8)  # 43.8 % a year
    await dispatch.command("/alpha SOL", chat_id=2318)
    alpha = one(telegram, 2318)
    # Longs pay a lot but are leaving: not crowding.
    assert (
        "Derivatives (context, no vote): <b>no crowding</b>: "
        "funding +43.80% a year, OI -7.27% in 24h" in alpha
    )


async def test_the_sniper_map_names_crowded_longs(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    script_open_interest(vendors)
    vendors.derivatives.funding["SOL-USDT-SWAP"] = ("0.0004", 8)  # 43.8 % a year
    now = int(time.time() * 1000)
    hour = now // HOUR_MS * HOUR_MS
    vendors.set_open_interest(
        "SOL-USDT-SWAP",
        "1H",
        [(t, 900.0, 100.0) for t in range(hour - 25 * HOUR_MS, hour + 1, HOUR_MS)],
    )  # a day ago 900 SOL open, now 1,020: 13 % more while longs pay 43.8 % a year
    await dispatch.command("/sniper", chat_id=2319)
    sniper = one(telegram, 2319)
    assert "<b>crowded longs</b>: funding +43.80% a year, OI +13.33% in 24h" in sniper


async def test_deriv_draws_its_chart_and_a_window_button_redraws_it(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    script_open_interest(vendors)
    await dispatch.command("/deriv SOL", chat_id=2320)
    [photo] = telegram.calls_to("sendPhoto", ok=True)
    assert "Over 4h: <b>new longs" in photo.params["caption"]
    assert set(dispatch.buttons(photo)) == {"1h", "• 4h", "24h"}
    await dispatch.press_button("24h", photo, user_id=2320)
    [edit] = telegram.calls_to("editMessageMedia", ok=True)
    assert "Over 24h:" in edit.params["caption"]
    assert "• 24h" in dispatch.buttons(edit)
    assert not dispatch.logs.errors


async def test_deriv_without_open_interest_is_the_card_alone(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    vendors.derivatives.binance_refused = True
    vendors.fail("/api/v5/public/open-interest", Fault(status=503))
    await dispatch.command("/deriv SOL", chat_id=2321)
    assert not telegram.calls_to("sendPhoto", ok=True)  # nothing to draw: no empty chart
    text = one(telegram, 2321)
    assert "Open interest data is unavailable" in text and "+0.0061%</b> per 8h" in text
    assert set(dispatch.buttons()) == {"1h", "• 4h", "24h"}


# --- across exchanges, with a CoinGlass key ------------------------------------------------

CG_KEY = "cg-test-key-123456"
OI_WEIGHT = "/api/futures/funding-rate/oi-weight-history"
OI_SUM = "/api/futures/open-interest/aggregated-history"


async def test_with_a_key_funding_and_oi_add_coinglass_across_exchanges_in_its_units(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """CoinGlass's funding figure is its own percent (0.01 is 0.01 %, not OKX's fraction 0.01 =
    1 %); its open interest is dollars summed over exchanges, +4 % over the day's 4-hour bars."""
    script_open_interest(vendors)
    dispatch = await make_dispatch(coinglass_api_key=CG_KEY)
    await dispatch.command("/funding SOL", chat_id=2320)
    funding = one(telegram, 2320)
    assert "Across exchanges, OI-weighted: +0.0100% (CoinGlass's 4h bar, its percent)" in funding
    await dispatch.command("/oi SOL", chat_id=2321)
    oi = one(telegram, 2321)
    assert "Across exchanges: $5.62B (CoinGlass) · 24h +4.00%" in oi
    asked = {c.path: c.query for c in vendors.calls if c.path in (OI_WEIGHT, OI_SUM)}
    assert asked[OI_WEIGHT] == {"symbol": "SOL", "interval": "4h", "limit": "2"}  # every plan
    assert asked[OI_SUM]["symbol"] == "SOL" and asked[OI_SUM]["interval"] == "4h"


async def test_without_a_key_coinglass_is_not_asked_and_nothing_is_said_of_it(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    script_open_interest(vendors)
    await dispatch.command("/funding SOL", chat_id=2322)
    await dispatch.command("/oi SOL", chat_id=2323)
    assert not [c for c in vendors.calls if c.path in (OI_WEIGHT, OI_SUM)]
    assert all("Across exchanges" not in t for t in telegram.sent_texts())
    assert dispatch.services.status.get("funding").health.value == "ok"


async def test_coinglass_failing_leaves_its_line_out_blaming_coinglass_and_okx_stands(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    script_open_interest(vendors)
    vendors.fail(OI_WEIGHT, Fault(fixture=("coinglass", "error_plan_required.json")))
    vendors.fail(OI_SUM, Fault(status=500, fixture=("coinglass", "error_500_internal.json")))
    dispatch = await make_dispatch(coinglass_api_key=CG_KEY)
    await dispatch.command("/funding SOL", chat_id=2324)
    funding = one(telegram, 2324)
    assert "Across exchanges: missing (not in your CoinGlass plan)" in funding
    assert "Funding <b>" in funding  # OKX's own rate stands
    await dispatch.command("/oi SOL", chat_id=2325)
    oi = one(telegram, 2325)
    assert "Missing: across exchanges: CoinGlass" in oi and "Open interest <b>1.02K</b>" in oi
    assert dispatch.services.status.get("funding").health.value == "degraded"


async def test_a_hanging_coinglass_never_holds_okxs_answer_to_the_deadline(
    make_dispatch: MakeDispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    """Asked beside OKX, given a second more: the answer comes with OKX's figures and the
    across line says timeout, while the chat's deadline (4 s) is far off."""
    script_open_interest(vendors)
    vendors.fail(OI_WEIGHT, Fault(hang=True))
    vendors.fail(OI_SUM, Fault(hang=True))
    dispatch = await make_dispatch(coinglass_api_key=CG_KEY, chat_deadline_seconds=8.0)
    await dispatch.command("/funding SOL", chat_id=2326)
    funding = one(telegram, 2326)
    assert "Across exchanges: missing (CoinGlass is not answering)" in funding
    assert "Funding <b>" in funding and "unavailable" not in funding
    sent = telegram.calls_to("sendMessage", ok=True)[-1].at
    asked = next(c.at for c in vendors.calls if c.path == OI_WEIGHT)
    assert sent - asked < 4.0  # within OKX's time and the grace, not the 8 s deadline


async def test_a_calls_context_names_who_served_it_when_binance_stands_in(
    dispatch: Dispatch, vendors: FakeVendors
) -> None:
    from services.kernel.symbols import parse_symbol
    from services.market.funding.service import FundingService
    from services.market.oi.service import OiService
    from services.signals.derivs_context import DerivReaders

    script_open_interest(vendors)
    readers = DerivReaders(
        dispatch.services.modules.get(FundingService), dispatch.services.modules.get(OiService)
    )
    healthy = await readers.context(parse_symbol("SOL"))
    assert healthy is not None and healthy.source == "OKX"
    await dispatch.services.cache.clear()
    vendors.fail("/api/v5/public/funding-rate", Fault(status=503))
    stood_in = await readers.context(parse_symbol("SOL"))
    assert stood_in is not None and stood_in.source == "Binance futures, OKX"


async def test_a_word_oi_cannot_read_gets_the_windows_it_takes(
    dispatch: Dispatch, telegram: FakeTelegram, vendors: FakeVendors
) -> None:
    script_open_interest(vendors)
    await dispatch.command("/oi SOL 9y", chat_id=2330)
    text = one(telegram, 2330)
    assert "9y" in text and "1h" in text and "24h" in text
    assert not [c for c in vendors.calls if "open-interest" in c.path]  # refused first


async def test_the_modules_spec_decides_who_is_asked_first(
    make_dispatch: MakeDispatch,
    telegram: FakeTelegram,
    vendors: FakeVendors,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import replace

    from services.kernel.modules import MODULES, Module

    flipped = replace(MODULES[Module.FUNDING], vendors=("Binance futures", "OKX"))
    monkeypatch.setitem(MODULES, Module.FUNDING, flipped)
    dispatch = await make_dispatch()
    await dispatch.command("/funding SOL", chat_id=2331)
    assert "funding (Binance futures)" in one(telegram, 2331)
    assert not [c for c in vendors.calls if c.path == "/api/v5/public/funding-rate"]
