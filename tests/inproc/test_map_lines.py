""" "🔔 Alert me at these lines" under a sniper map (pushed, /sniper, or drawn on /chart): one tap
sets the map's entry, stop and targets as level alerts in that chat, once."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

from bot.keyboards import MapLines, unpack_lines, with_map
from bot.render.pushes import push_keyboard
from services.delivery.models import Alert, SniperPush
from services.kernel.rule_model import Side
from services.signals.sniper.rule import AlertLine, EntryMap
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.unit.conftest import MakeDispatch

RINA, GROUP, GUEST = 428756321, -1001873456210, 777000111
D = Decimal
LABEL = "🔔 Alert me at these lines"


def entry_map(setup: bool = True) -> EntryMap:
    lines = [("entry", "139.5"), ("invalidation", "138.2"), ("tp1", "141.8"), ("tp2", "143.1")]
    return EntryMap(
        symbol="SOL",
        price=D(140),
        setup=setup,
        lines=[AlertLine(name=n, price=D(p)) for n, p in lines] if setup else [],
        checks=[],
        confidence=D("0.8"),
        evidence=[],
        missing=[],
        at=datetime.now(UTC),
    )


def button(markup: object) -> str | None:
    rows = getattr(markup, "inline_keyboard", None) or []
    found = [b.callback_data for row in rows for b in row if b.text == LABEL]
    return found[0] if found else None


def test_a_pushed_map_with_a_setup_carries_its_lines_and_one_without_does_not(en: None) -> None:
    pushed = push_keyboard(
        Alert(started_at=datetime.now(UTC), payload=SniperPush(maps=[entry_map()]))
    )
    data = button(pushed)
    assert data is not None
    assert unpack_lines(MapLines.unpack(data).lines) == [
        ("entry", D("139.5")),
        ("invalidation", D("138.2")),
        ("tp1", D("141.8")),
        ("tp2", D("143.1")),
    ]
    empty = push_keyboard(
        Alert(started_at=datetime.now(UTC), payload=SniperPush(maps=[entry_map(setup=False)]))
    )
    assert button(empty) is None
    assert with_map(None, entry_map(setup=False)) is None


async def test_one_tap_sets_the_lines_once_each_on_the_side_away_from_the_price(
    make_dispatch: MakeDispatch, vendors: FakeVendors, telegram: FakeTelegram, en: None
) -> None:
    now = int(time.time()) // 60 * 60_000
    vendors.set_candles("SOL-USDT", [(now - n * 60_000, 140, 140, 140, 140) for n in range(60)])
    dispatch = await make_dispatch()
    data = button(with_map(None, entry_map()))
    assert data is not None
    await dispatch.press(data, chat_id=RINA)
    answer = telegram.sent_texts(RINA)[-1]
    assert "Alerts set on <b>SOL/USDT</b>: sniper entry below 139.5, sniper stop below 138.2" in (
        answer
    )
    assert "sniper TP1 above 141.8, sniper TP2 above 143.1." in answer
    rules = await dispatch.services.rules.store.live(RINA)
    assert [(r.spec.level, r.spec.side) for r in rules] == [
        (D("139.5"), Side.BELOW),
        (D("138.2"), Side.BELOW),
        (D("141.8"), Side.ABOVE),
        (D("143.1"), Side.ABOVE),
    ]
    await dispatch.press(data, chat_id=RINA)  # a second tap
    assert "These lines are already alerts here." in telegram.sent_texts(RINA)[-1]
    assert len(await dispatch.services.rules.store.live(RINA)) == 4
    await dispatch.press("ml:SOL-USDT:zz;e-5;q1", chat_id=RINA)  # forged: nothing to set
    assert "expired" in str(dispatch.answers()[-1].params.get("text"))
    await dispatch.press(data, chat_id=GROUP, user_id=GUEST)
    assert "Only this group's admins" in str(dispatch.answers()[-1].params.get("text"))
    assert await dispatch.services.rules.store.live(GROUP) == []
    assert not dispatch.logs.errors
