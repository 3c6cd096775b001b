"""The "while you were away" summary says what each held push was in the reader's words: a
map's end as the tracking words, a call's side as a trader reads it, never a stored status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.render.desk import render_away
from bot.render.view import View
from services.delivery.models import (
    AwayPush,
    Held,
    OutcomePush,
    Tracking,
    Withdrawal,
    WithdrawnPush,
)
from tests.unit.test_sniper_rule import make

NOW = datetime(2026, 12, 7, 0, 5, tzinfo=UTC)


def away() -> AwayPush:
    entry = make(at=NOW - timedelta(hours=6))
    ended = Tracking(
        call_id=7,
        map=entry,
        status="tp2",
        final=True,
        entered_at=NOW - timedelta(hours=5, minutes=50),
        tp1_at=NOW - timedelta(hours=5, minutes=30),
        closed_at=NOW - timedelta(hours=5, minutes=10),
        r=Decimal("1.8"),
    )
    withdrawn = Withdrawal(symbol="SOL", was="LONG", now="NEUTRAL", price=Decimal(140))
    return AwayPush(
        held=[
            Held(at=NOW - timedelta(hours=5), payload=OutcomePush(track=ended)),
            Held(at=NOW - timedelta(hours=4), payload=WithdrawnPush(withdrawn=[withdrawn])),
        ],
        prices={"SOL": Decimal(147)},
    )


def view(locale: str) -> View:
    return View(locale=locale, tz=ZoneInfo("Asia/Jakarta"), now=NOW)


def test_held_pushes_read_in_english(en: None) -> None:
    text = render_away(away(), view("en"))
    assert "While you were away: 2 pushes held" in text
    assert "sniper map ended:" in text and "TP2 hit" in text and "tp2" not in text
    assert "SOL" in text and "LONG withdrawn" in text and "now 147" in text


def test_held_pushes_read_in_indonesian(id_: None) -> None:
    text = render_away(away(), view("id"))
    assert "Selama Anda pergi: 2 kiriman ditahan" in text
    assert "tp2" not in text  # the stored status, never shown as it is
