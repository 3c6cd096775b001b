"""What a chat's settings make of a push at delivery time, table by table: sent, silent, held
until its quiet hours end (across midnight and DST changes), muted, or dropped."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.chats.desk import ChatSettings, Defaults, Mode, Mute, QuietHours
from services.delivery.gate import Action, decide
from services.kernel.alerts import AlertType

DEFAULTS = Defaults(watchlist=["BTC", "ETH", "SOL"], timezone="Asia/Jakarta", whale_min_usd=1)
JAKARTA = ZoneInfo("Asia/Jakarta")
# 23:30 in Jakarta (UTC+7, no DST): inside a 23:00-07:00 window.
NIGHT = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)
DAY = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)  # 12:00 in Jakarta
QUIET = QuietHours(start=time(23), end=time(7))


def desk(**fields: object) -> ChatSettings:
    return ChatSettings.model_validate(fields)


CASES = [
    # (name, settings, kind, coins, now, urgent, action)
    ("plain", desk(), AlertType.BIAS, ["SOL"], DAY, False, Action.SEND),
    ("silent kind", desk(pushes={"bias": "silent"}), AlertType.BIAS, ["SOL"], DAY, False,
     Action.SILENT),
    ("switched off after queueing", desk(pushes={"bias": "off"}), AlertType.BIAS, ["SOL"], DAY,
     False, Action.DROP),
    ("a follow-up obeys the follow-ups mode", desk(pushes={"followups": "off"}),
     AlertType.BIAS_WITHDRAWN, ["SOL"], DAY, False, Action.DROP),
    ("quiet holds", desk(quiet=QUIET), AlertType.BIAS, ["SOL"], NIGHT, False, Action.HOLD),
    ("outside quiet sends", desk(quiet=QUIET), AlertType.BIAS, ["SOL"], DAY, False, Action.SEND),
    ("urgent alert comes silently", desk(quiet=QUIET), AlertType.RULE, ["SOL"], NIGHT, True,
     Action.SILENT),
    ("health is never held", desk(quiet=QUIET), AlertType.HEALTH, [], NIGHT, False,
     Action.SILENT),
    ("the brief is never held", desk(quiet=QUIET), AlertType.BRIEF, [], NIGHT, False,
     Action.SILENT),
    ("a map edit always goes", desk(quiet=QUIET, pushes={"sniper": "off"}),
     AlertType.SNIPER_EDIT, ["SOL"], NIGHT, False, Action.SEND),
    ("kind muted", desk(mutes=[Mute(target="kind:bias", until=DAY + timedelta(hours=1))]),
     AlertType.BIAS, ["SOL"], DAY, False, Action.MUTE),
    ("mute expired", desk(mutes=[Mute(target="kind:bias", until=DAY - timedelta(seconds=1))]),
     AlertType.BIAS, ["SOL"], DAY, False, Action.SEND),
    ("every coin muted", desk(mutes=[Mute(target="coin:SOL", until=DAY + timedelta(hours=1))]),
     AlertType.BIAS, ["SOL"], DAY, False, Action.MUTE),
    ("one of two coins muted still comes",
     desk(mutes=[Mute(target="coin:SOL", until=DAY + timedelta(hours=1))]),
     AlertType.BIAS, ["SOL", "ETH"], DAY, False, Action.SEND),
    ("muting wins over quiet: counted, not held",
     desk(quiet=QUIET, mutes=[Mute(target="kind:bias", until=NIGHT + timedelta(hours=1))]),
     AlertType.BIAS, ["SOL"], NIGHT, False, Action.MUTE),
    ("the chat's own zone decides quiet", desk(quiet=QUIET, tz="Europe/London"),
     AlertType.BIAS, ["SOL"], NIGHT, False, Action.SEND),  # 16:30 in London
]  # fmt: skip


@pytest.mark.parametrize(
    ("settings", "kind", "coins", "now", "urgent", "action"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_verdict(
    settings: ChatSettings,
    kind: AlertType,
    coins: list[str],
    now: datetime,
    urgent: bool,
    action: Action,
) -> None:
    assert decide(settings, DEFAULTS, kind, coins, now, urgent=urgent).action is action


def test_a_hold_lasts_until_the_window_ends_the_next_morning() -> None:
    verdict = decide(desk(quiet=QUIET), DEFAULTS, AlertType.BIAS, ["SOL"], NIGHT)
    assert verdict.until == datetime(2026, 12, 8, 7, 0, tzinfo=JAKARTA).astimezone(UTC)


def test_after_midnight_the_window_ends_the_same_morning() -> None:
    after_midnight = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)  # 02:00 on the 8th in Jakarta
    verdict = decide(desk(quiet=QUIET), DEFAULTS, AlertType.BIAS, ["SOL"], after_midnight)
    assert verdict.action is Action.HOLD
    assert verdict.until == datetime(2026, 12, 8, 7, 0, tzinfo=JAKARTA).astimezone(UTC)


@pytest.mark.parametrize(
    ("night", "morning_utc"),
    [
        # New York leaves DST on 1 Nov 2026: 07:00 that morning is 12:00 UTC, not 11:00.
        (datetime(2026, 11, 1, 4, 0, tzinfo=UTC), datetime(2026, 11, 1, 12, 0, tzinfo=UTC)),
        # and enters it on 8 Mar 2026: 07:00 is 11:00 UTC, not 12:00.
        (datetime(2026, 3, 8, 5, 0, tzinfo=UTC), datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
    ],
    ids=["dst-ends", "dst-starts"],
)
def test_quiet_hours_keep_their_wall_clock_across_a_dst_change(
    night: datetime, morning_utc: datetime
) -> None:
    settings = desk(quiet=QUIET, tz="America/New_York")
    verdict = decide(settings, DEFAULTS, AlertType.BIAS, ["SOL"], night)
    assert verdict.action is Action.HOLD
    assert verdict.until == morning_utc


def test_a_window_ending_in_the_hour_dst_skips_ends_after_it_never_before() -> None:
    """02:00-02:30 does not exist in New York on 8 Mar 2026: the hold ends at 03:30 local."""
    window = QuietHours(start=time(1), end=time(2, 30))
    zone = ZoneInfo("America/New_York")
    at = datetime(2026, 3, 8, 1, 30, tzinfo=zone)
    end = window.ends_after(at.astimezone(UTC), zone)
    assert end > at.astimezone(UTC)
    assert end - at.astimezone(UTC) <= timedelta(hours=2)


def test_modes_default_as_documented() -> None:
    fresh = ChatSettings()
    assert fresh.mode(AlertType.BIAS) is Mode.OFF  # the operator's calls wait for /subscribe
    assert fresh.mode(AlertType.RULE) is Mode.ON  # a chat's own alerts come
    assert fresh.mode(AlertType.SNIPER_OUTCOME) is Mode.ON  # follow-ups come unless muted


def test_a_window_ending_in_the_hour_dst_repeats_ends_at_the_later_instant() -> None:
    """New York repeats 01:00-02:00 on 1 Nov 2026. Quiet 22:00-01:30: at 01:10 in the second
    pass (EST) the end already passed on the clock once; the hold ends the next night, never
    in the past."""
    zone = ZoneInfo("America/New_York")
    window = QuietHours(start=time(22), end=time(1, 30))
    second_pass = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=zone).astimezone(UTC)
    assert window.ends_after(second_pass, zone) > second_pass
