"""Alerts on a perpetual's funding and open interest, end to end in process: /alert sets them
against the fake OKX's perpetuals, the alerts job judges each new settlement once (the rate
paid, never a settlement from before the alert), a restart judges the settlement it slept
through, open interest fires on its move over the window, and the message names what paid,
what it was before, and who served it."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from services.container import Services
from services.jobs.rules_job import RulesJob
from services.kernel.rule_model import Metric, RuleKind
from services.storage.tables import RuleMarkRow
from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.vendors import FakeVendors, Fault
from tests.inproc.helpers import rules_job, sender_for, sending
from tests.unit.conftest import MakeDispatch
from tests.unit.dispatch import Dispatch

RINA = 428756321
SWAP = "SOL-USDT-SWAP"
HOUR_MS, FIVE_MS = 3_600_000, 300_000
TTL = 0.2  # the modules' cache lifetime here: a new settlement is read within it


def job(services: Services, max_per_minute: int = 6) -> RulesJob:
    """The job as the scheduler builds it; a new one is a restarted process."""
    return rules_job(services, max_per_minute)


@pytest.fixture
async def dispatch(make_dispatch: MakeDispatch, vendors: FakeVendors) -> Dispatch:
    now = int(time.time() * 1000) // HOUR_MS * HOUR_MS
    # Settled every 8 h: the last two paid 0.06 % (above the level already).
    vendors.derivatives.paid[SWAP] = [(now - 16 * HOUR_MS, "0.0006"), (now - 8 * HOUR_MS, "0.0006")]
    return await make_dispatch(funding_cache_ttl_seconds=TTL, oi_cache_ttl_seconds=TTL)


async def settles(vendors: FakeVendors, rate: str) -> None:
    """A new settlement, paid now (after the alert was set), read past the cache."""
    vendors.derivatives.paid[SWAP].append((int(time.time() * 1000), rate))
    await asyncio.sleep(TTL + 0.05)


async def pushed(dispatch: Dispatch, telegram: FakeTelegram, n: int) -> str:
    async with sending(sender_for(dispatch)):
        text = (await telegram.wait_for_messages(n, chat_id=RINA))[-1]
    parse_html(text)
    return text


async def test_a_funding_level_is_judged_once_per_settlement_never_on_one_before_it(
    dispatch: Dispatch, vendors: FakeVendors, telegram: FakeTelegram
) -> None:
    await dispatch.command("/alert SOL funding > 0.05% crowded longs", chat_id=RINA)
    [rule] = await dispatch.services.rules.store.live(RINA)
    spec = rule.spec
    assert (spec.metric, spec.kind, spec.symbol) == (Metric.FUNDING, RuleKind.LEVEL, SWAP)
    alerts = job(dispatch.services)
    assert await alerts.run() == 0  # the settlements before it paid 0.06 %: not its business
    await settles(vendors, "0.0007")
    assert await alerts.run() == 1
    assert await alerts.run() == 0  # the same settlement, read again: judged once
    text = await pushed(dispatch, telegram, 2)
    assert (
        "💸 <b>SOL/USDT perpetual</b> funding paid <b>+0.0700% per 8h</b> at settlement "
        "(funding above +0.0500% per 8h) · from OKX" in text
    )
    assert "<i>crowded longs</i>" in text and "That alert is done" in text


async def test_setting_it_shows_the_rate_now_and_how_it_is_judged(
    dispatch: Dispatch, telegram: FakeTelegram
) -> None:
    await dispatch.command("/alert SOL funding flips negative", chat_id=RINA, language_code="id")
    [text] = telegram.sent_texts(RINA)
    assert "funding menjadi negatif" in text and "funding sekarang" in text
    assert "Dinilai di setiap penyelesaian" in text


async def test_a_flip_fires_when_the_rate_paid_changes_sign_and_says_what_it_was(
    dispatch: Dispatch, vendors: FakeVendors, telegram: FakeTelegram
) -> None:
    await dispatch.command("/alert SOL funding flips", chat_id=RINA)
    alerts = job(dispatch.services)
    await alerts.run()
    await settles(vendors, "0.0002")  # still positive
    assert await alerts.run() == 0
    await settles(vendors, "-0.00015")
    assert await alerts.run() == 1
    text = await pushed(dispatch, telegram, 2)
    assert (
        "funding turned negative: <b>-0.0150% per 8h</b> paid at settlement "
        "(was +0.0200% per 8h)" in text
    )


async def test_a_restart_judges_the_settlement_it_slept_through(
    dispatch: Dispatch, vendors: FakeVendors
) -> None:
    await dispatch.command("/alert SOL funding > 0.05%", chat_id=RINA)
    await job(dispatch.services).run()  # the pass before going down keeps the last settlement
    async with dispatch.services.db.sessions() as session:
        marks = set(await session.scalars(select(RuleMarkRow.symbol)))
    assert f"funding:{SWAP}" in marks
    await settles(vendors, "0.0009")  # settled while down
    assert await job(dispatch.services).run() == 1  # a new process: judged from the mark


async def test_funding_failing_leaves_the_alert_for_the_next_pass_and_loses_nothing(
    dispatch: Dispatch, vendors: FakeVendors
) -> None:
    await dispatch.command("/alert SOL funding > 0.05%", chat_id=RINA)
    alerts = job(dispatch.services)
    await alerts.run()
    for path in ("/api/v5/public/funding-rate", "/api/v5/public/funding-rate-history",
                 "/fapi/v1/fundingRate", "/fapi/v1/premiumIndex"):  # fmt: skip
        vendors.fail(path, Fault(status=503))
    await settles(vendors, "0.0008")
    assert await alerts.run() == 0  # no reading: nothing judged, nothing lost
    vendors.clear()
    await asyncio.sleep(TTL)
    assert await alerts.run() == 1


def script_oi(vendors: FakeVendors, coins_now: float) -> None:
    """1,000 SOL open for the last 4 h of 5-minute rows, `coins_now` open now."""
    now = int(time.time() * 1000)
    five = now // FIVE_MS * FIVE_MS
    rows = [(t, 1000.0, 100.0) for t in range(five - 48 * FIVE_MS, five + 1, FIVE_MS)]
    vendors.set_open_interest(SWAP, "5m", rows)
    vendors.derivatives.open_interest[SWAP] = (str(coins_now), str(coins_now), str(coins_now * 100))


async def test_an_oi_move_fires_on_open_interest_over_its_window_in_coins(
    dispatch: Dispatch, vendors: FakeVendors, telegram: FakeTelegram
) -> None:
    script_oi(vendors, 1020)
    await dispatch.command("/alert SOL oi +5% 4h", chat_id=RINA)
    alerts = job(dispatch.services)
    assert await alerts.run() == 0  # +2 % over 4 h
    await asyncio.sleep(1.1)  # the fake stamps open interest by the millisecond: a new reading
    script_oi(vendors, 1060)
    await asyncio.sleep(TTL + 0.05)
    assert await alerts.run() == 1
    text = await pushed(dispatch, telegram, 2)
    assert (
        "📊 <b>SOL/USDT perpetual</b> open interest moved +6.00% (open interest up 5% within "
        "4h) · now <b>1.06K SOL</b> · from OKX" in text
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ("SOL funding", "is not a funding rate"),
        ("SOL funding > 5%", "past any funding rate"),
        ("SOL oi +5% 15m", "A move is measured over 1h, 4h, 24h"),
        ("SOL funding > <b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
    ],
)
async def test_a_bad_funding_or_oi_alert_gets_one_plain_sentence(
    dispatch: Dispatch, telegram: FakeTelegram, args: str, words: str
) -> None:
    await dispatch.command(f"/alert {args}", chat_id=RINA)
    [text] = telegram.sent_texts(RINA)
    assert words in text
    assert await dispatch.services.rules.store.count_live(RINA) == 0
