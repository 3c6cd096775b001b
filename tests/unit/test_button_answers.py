"""Every button press is answered once (the user's spinner stops), whatever it carries, and none
of them logs an ERROR: unknown, forged, stale or oversized data, a message Telegram no longer
lets us edit, a press with no message, and an answer Telegram itself refuses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.keyboards import FlagToggle, HeatmapView, Refresh, RefreshKind
from services.market.flags import Flag
from services.market.heatmap.service import HeatmapRange
from tests.fakes.telegram import fixture
from tests.unit.dispatch import ADMIN, GROUP, USER, Dispatch

EXPIRED = "This button has expired. Send the command again for a fresh answer."
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
INACCESSIBLE = {"chat": {"id": USER, "type": "private"}, "message_id": 77, "date": 0}

PRESSES: list[tuple[str, str | None, dict[str, Any], str | None]] = [
    # (case, data, press keywords, the answer's text when it matters)
    ("unknown prefix", "zz:1:2", {}, EXPIRED),
    ("garbage", "\x00\xff\ufffd::🦄", {}, EXPIRED),
    ("empty", "", {}, EXPIRED),
    ("no data (a game button)", None, {}, EXPIRED),
    ("over 64 bytes", "rf:tk:" + "SOL" * 30 + ":", {}, None),
    ("near-valid, one part short", "rf:tk", {}, EXPIRED),
    ("forged refresh kind", "rf:zz:SOL-USDT:", {}, EXPIRED),
    ("refresh of a coin the bot no longer knows", "rf:tk:NOPE-USDT:", {}, None),
    ("refresh with a forged exchange", "rf:ob:SOL-USDT:kraken", {}, None),
    ("heatmap range no longer offered", "hm:SOL:7d", {}, EXPIRED),
    ("forged flag name, from an admin", "fl:nope:1", {"user_id": ADMIN}, EXPIRED),
    ("flag toggle from a non-admin", "fl:whale:0", {}, "Only the bot's admins can do that."),
    ("flag toggle in a group from a member", "fl:whale:0", {"chat_id": GROUP}, None),
    ("refresh on a message the bot never had", "rf:tk:SOL-USDT:", {"message_id": 4}, EXPIRED),
    ("heatmap on a message the bot never had", "hm:SOL:1h", {"message_id": 4}, EXPIRED),
    ("press with no message (inline)", "rf:tk:SOL-USDT:", {"inline_message_id": "AgAAA"}, EXPIRED),
    ("press on an inaccessible message", "hm:SOL:1h", {"message": INACCESSIBLE}, EXPIRED),
]


def assert_quiet(dispatch: Dispatch) -> None:
    assert not dispatch.logs.errors, dispatch.logs.errors
    assert not dispatch.logs.tracebacks, dispatch.logs.tracebacks


@pytest.mark.parametrize(
    ("data", "keywords", "text"), [p[1:] for p in PRESSES], ids=[p[0] for p in PRESSES]
)
async def test_every_press_is_answered_once(
    dispatch: Dispatch, data: str | None, keywords: dict[str, Any], text: str | None
) -> None:
    await dispatch.press(data, **keywords)

    [answer] = dispatch.answers()
    assert answer.ok
    if text is not None:
        assert answer.params.get("text") == text
    assert_quiet(dispatch)
    assert not dispatch.sent()  # a press edits or alerts; it never posts a new message


async def test_a_flag_switched_on_a_gone_message_still_says_what_changed(
    dispatch: Dispatch,
) -> None:
    await dispatch.press("fl:whale:0", user_id=ADMIN, message_id=4)  # Telegram: not found

    [answer] = dispatch.answers()
    assert answer.params.get("text") == "Whale data is now off"
    assert (await dispatch.services.flags.all())[Flag.WHALE] is False
    assert_quiet(dispatch)


@pytest.mark.parametrize(
    "description",
    ["Bad Request: message can't be edited", "Bad Request: message to edit not found"],
)
async def test_refresh_on_a_message_telegram_will_not_edit(
    dispatch: Dispatch, description: str
) -> None:
    await dispatch.command("/ticker SOL")
    dispatch.refuse("editMessageText", description)

    await dispatch.press_button("🔄 Refresh")

    [answer] = dispatch.answers()
    assert answer.params.get("text") == EXPIRED
    assert len(dispatch.sent()) == 1  # the /ticker answer; the press sent nothing new
    assert_quiet(dispatch)


async def test_heatmap_range_on_a_photo_telegram_will_not_edit(dispatch: Dispatch) -> None:
    photo = fixture("response_sendPhoto_ok.json")["result"]
    dispatch.refuse("editMessageMedia", "Bad Request: message can't be edited")

    await dispatch.press("hm:SOL:1h", message=photo, chat_id=photo["chat"]["id"])

    [answer] = dispatch.answers()
    assert answer.params.get("text") == EXPIRED
    assert_quiet(dispatch)


async def test_a_refresh_that_works_is_answered_once(dispatch: Dispatch) -> None:
    await dispatch.command("/ticker SOL")

    await dispatch.press_button("🔄 Refresh")

    [answer] = dispatch.answers()
    assert answer.params.get("text") == "Updated"
    assert_quiet(dispatch)


@pytest.mark.parametrize(
    ("data", "keywords"),
    [
        ("rf:tk:SOL-USDT:", {}),  # the handler's own answer
        ("rf:tk:NOPE-USDT:", {}),  # the errors router's alert
        ("zz", {}),  # the catch-all's
        ("fl:whale:0", {"user_id": ADMIN}),  # answered before the edit
    ],
)
async def test_an_answer_telegram_refuses_is_one_warning(
    dispatch: Dispatch, data: str, keywords: dict[str, Any]
) -> None:
    """A press answered too late (the bot was down, or slow): Telegram says the query is too
    old. Nothing to tell the user; a warning, never an ERROR with a traceback."""
    dispatch.refuse("answerCallbackQuery", QUERY_TOO_OLD)

    await dispatch.press(data, **keywords)

    assert len(dispatch.answers()) == 1
    assert_quiet(dispatch)
    [warning] = [w for w in dispatch.logs.warnings if "button press" in w.message]
    assert "query is too old" in warning.message


async def test_an_unexpected_edit_failure_is_logged_and_still_answered_once(
    dispatch: Dispatch,
) -> None:
    """A genuine bug after the answer was sent: logged as an error, but no second answer (which
    Telegram would refuse) is attempted."""
    dispatch.refuse("editMessageText", "Bad Request: can't parse entities: oops")

    await dispatch.press("fl:whale:0", user_id=ADMIN)

    [answer] = dispatch.answers()
    assert answer.params.get("text") == "Whale data is now off"
    [error] = dispatch.logs.errors
    assert error.message.endswith("TelegramBadRequest")


# --- any data at all ---------------------------------------------------------------------------

VALUES = [
    "",
    "tk",
    "ob",
    "zz",
    "SOL-USDT",
    "SOL",
    "BTC-USDT-SWAP",
    "NOPE-USDT",
    "$",
    "1h",
    "4h",
    "7d",
    "whale",
    "spot_ob",
    "nope",
    "0",
    "1",
    "true",
    "okx",
    "binance",
    "kraken",
    "A" * 70,
]
_part = st.sampled_from(VALUES) | st.text(
    alphabet=st.characters(blacklist_characters=":", blacklist_categories=("Cs",)), max_size=12
)
# The real prefixes with right and wrong values and counts of parts: the filters' edge cases.
near_valid = st.builds(
    lambda prefix, parts: ":".join([prefix, *parts]),
    st.sampled_from(["fl", "rf", "hm", "FL", "rf "]),
    st.lists(_part, max_size=4),
)
# What the bot's own keyboards send, and each of those with one part swapped for another value.
REAL = [
    Refresh(kind=RefreshKind.TICKER, symbol="SOL-USDT").pack(),
    Refresh(kind=RefreshKind.ORDER_BOOK, symbol="SOL-USDT").pack(),
    Refresh(kind=RefreshKind.ORDER_BOOK, symbol="BTC-USDT", exchange="binance").pack(),
    HeatmapView(coin="SOL", range=HeatmapRange.H1).pack(),
    HeatmapView(coin="BTC", range=HeatmapRange.H24).pack(),
    FlagToggle(name=Flag.WHALE, on=False).pack(),
    FlagToggle(name=Flag.ETF, on=True).pack(),
]
real = st.sampled_from(REAL)


def _swap(data: str, index: int, value: str) -> str:
    parts = data.split(":")
    parts[index % len(parts)] = value
    return ":".join(parts)


swapped = st.builds(_swap, real, st.integers(0, 3), _part)
any_data = st.one_of(st.none(), st.text(max_size=100), near_valid, real, swapped)
where = st.sampled_from(["message", "inline", "inaccessible"])


def _place(where: str, chat_id: int) -> dict[str, Any]:
    if where == "inline":
        return {"inline_message_id": "AgAAAB"}
    if where == "inaccessible":
        return {"message": {**INACCESSIBLE, "chat": {"id": chat_id, "type": "private"}}}
    return {"message_id": 4}  # one the fake never sent: edits are refused as Telegram would


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(data=REAL[0], user_id=USER, chat_id=USER, where="message")
@example(data=REAL[3], user_id=USER, chat_id=GROUP, where="message")
@example(data=REAL[5], user_id=ADMIN, chat_id=GROUP, where="message")
@given(
    data=any_data,
    user_id=st.sampled_from([USER, ADMIN]),
    chat_id=st.sampled_from([USER, GROUP]),
    where=where,
)
async def test_any_press_is_answered_and_logs_no_error(
    dispatch: Dispatch, data: str | None, user_id: int, chat_id: int, where: str
) -> None:
    before = len(dispatch.answers())
    dispatch.logs.clear()  # each example answers for its own log lines

    await dispatch.press(data, chat_id=chat_id, user_id=user_id, **_place(where, chat_id))

    assert len(dispatch.answers()) == before + 1, data
    assert_quiet(dispatch)
