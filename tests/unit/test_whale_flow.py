"""What whale activity means for a signal: a position change is read by what it did to the
market (closing a long sells), only the signal window counts, and buys and sells are netted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.market.whale.analysis import (
    Flow,
    WhaleEvent,
    WhaleRule,
    WhaleSide,
    whale_flow,
    whale_positions,
)
from services.signals.bias.rule import Direction, whale_push
from services.signals.sniper.rule import _whale_check
from services.vendors.coinglass import WhaleAlert
from tests.fakes.vendors import load

NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
RULE = WhaleRule(window_minutes=60, net_share=Decimal("0.2"))


def event(
    side: WhaleSide, usd: str, minutes_ago: float = 5, opened: bool | None = None, coin="BTC"
) -> WhaleEvent:
    return WhaleEvent(
        coin=coin,
        side=side,
        usd=Decimal(usd),
        price=Decimal(96000),
        venue="Hyperliquid" if opened is not None else "OKX",
        at=NOW - timedelta(minutes=minutes_ago),
        opened=opened,
    )


@pytest.mark.parametrize(
    ("side", "opened", "flow"),
    [
        (WhaleSide.LONG, True, Flow.BUY),  # opening a long buys
        (WhaleSide.LONG, False, Flow.SELL),  # closing a long sells
        (WhaleSide.SHORT, True, Flow.SELL),  # opening a short sells
        (WhaleSide.SHORT, False, Flow.BUY),  # closing a short buys
        (WhaleSide.BUY, None, Flow.BUY),  # a taker buy on OKX
        (WhaleSide.SELL, None, Flow.SELL),
        (WhaleSide.LONG, None, None),  # a position change of unknown kind: read as neither
    ],
)
def test_each_event_reads_as_the_flow_it_made(
    side: WhaleSide, opened: bool | None, flow: Flow | None
) -> None:
    assert event(side, "1000000", opened=opened).flow is flow


@pytest.mark.parametrize(
    ("events", "push", "value"),
    [
        # The example: a whale closing a $1.42M BTC long is selling, not a LONG call.
        ([event(WhaleSide.LONG, "1420000", opened=False)], Direction.SHORT, "sell"),
        ([event(WhaleSide.LONG, "1420000", opened=True)], Direction.LONG, "buy"),
        ([event(WhaleSide.SHORT, "1420000", opened=False)], Direction.LONG, "buy"),
        ([event(WhaleSide.SHORT, "1420000", opened=True)], Direction.SHORT, "sell"),
        # Outside the 60 min window: shown in /whale, never a push.
        ([event(WhaleSide.BUY, "5000000", minutes_ago=61)], Direction.NEUTRAL, "none"),
        ([event(WhaleSide.BUY, "5000000", minutes_ago=59)], Direction.LONG, "buy"),
        # Netted: 3.12M + 1.01M bought against 1M sold is 61 % net of gross: buying.
        (
            [
                event(WhaleSide.BUY, "3120000"),
                event(WhaleSide.LONG, "1010000", opened=True),
                event(WhaleSide.SELL, "1000000"),
            ],
            Direction.LONG,
            "buy",
        ),
        # 1.1M against 1.0M is under the 20 % share: too even to push either way.
        (
            [event(WhaleSide.BUY, "1100000"), event(WhaleSide.SELL, "1000000")],
            Direction.NEUTRAL,
            "mixed",
        ),
        # A big old buy does not outweigh a fresh sell.
        (
            [event(WhaleSide.BUY, "9000000", minutes_ago=90), event(WhaleSide.SELL, "1000000")],
            Direction.SHORT,
            "sell",
        ),
        ([], Direction.NEUTRAL, "none"),
    ],
)
def test_the_bias_input_reads_the_net_flow_in_the_window(
    events: list[WhaleEvent], push: Direction, value: str
) -> None:
    evidence = whale_push(events, now=NOW, as_of=NOW, source="t", rule=RULE)
    assert (evidence.push, evidence.value) == (push, value)


def test_the_window_and_the_share_are_settings() -> None:
    events = [event(WhaleSide.BUY, "1100000", minutes_ago=100), event(WhaleSide.SELL, "1000000")]
    wide = WhaleRule(window_minutes=120, net_share=Decimal("0.01"))
    assert whale_flow(events, NOW, wide).lean is Flow.BUY
    assert whale_flow(events, NOW, RULE).lean is Flow.SELL  # the old buy is outside 60 min


def test_the_flow_says_what_the_evidence_shows() -> None:
    flow = whale_flow(
        [
            event(WhaleSide.BUY, "3120000"),
            event(WhaleSide.SHORT, "1010000", opened=False, coin="SOL"),
            event(WhaleSide.SELL, "500000", minutes_ago=70),
        ],
        NOW,
        RULE,
    )
    assert (flow.buys, flow.sells, flow.older) == (2, 0, 1)
    assert flow.buy_usd == Decimal("4130000") and flow.largest_buy == Decimal("3120000")
    assert flow.largest_buy_coin == "BTC" and flow.net_usd == Decimal("4130000")


@pytest.mark.parametrize(
    ("events", "met"),
    [
        ([event(WhaleSide.LONG, "1420000", opened=False)], False),  # a closed long is a sale
        ([event(WhaleSide.SHORT, "1420000", opened=False)], True),  # a closed short is a buy
        ([event(WhaleSide.BUY, "2000000", minutes_ago=120)], False),  # too old
        ([event(WhaleSide.BUY, "1100000"), event(WhaleSide.SELL, "1000000")], False),
    ],
)
def test_the_sniper_whale_condition_reads_the_same_flow(
    events: list[WhaleEvent], met: bool
) -> None:
    assert _whale_check(whale_flow(events, NOW, RULE)).met is met


def test_coinglass_fixture_a_closed_sol_long_is_selling() -> None:
    alerts = [
        WhaleAlert.model_validate(row) for row in load("coinglass", "whale_alert.json")["data"]
    ]
    events = whale_positions(alerts, {"SOL"}, Decimal(1_000_000))
    closed = next(e for e in events if e.opened is False)
    assert (closed.side, closed.usd, closed.flow) == (
        WhaleSide.LONG,
        Decimal("1152136.54"),
        Flow.SELL,
    )
    newest = max(e.at for e in events)
    flow = whale_flow(events, newest + timedelta(minutes=1), WhaleRule(window_minutes=600))
    # A short opened ($1.40M) and a long closed ($1.15M): whales sold SOL; none bought.
    assert (flow.buys, flow.sells, flow.lean) == (0, 2, Flow.SELL)


def test_the_sniper_reads_btc_and_its_coin_each_on_its_own() -> None:
    from services.signals.bias.rule import WhaleInput
    from services.signals.sniper.rule import SniperInputs, SniperLimits, evaluate

    events = [
        event(WhaleSide.LONG, "1470000", opened=True, coin="BTC"),  # BTC whales buying
        event(WhaleSide.SHORT, "1400000", opened=True, coin="SOL"),  # SOL whales selling
        event(WhaleSide.LONG, "1150000", opened=False, coin="SOL"),
    ]
    inputs = SniperInputs(
        symbol="SOL",
        at=NOW,
        price=Decimal(142),
        whale=WhaleInput(events=events, as_of=NOW, source="CoinGlass"),
    )
    check = next(c for c in evaluate(inputs, SniperLimits()).checks if c.name == "whale_buy")
    # Netted together SOL's $2.55M of selling would hide BTC's buying; the rule is "BTC or SOL".
    assert (check.met, check.coin, check.usd) == (True, "BTC", Decimal("1470000"))
    sol_only = inputs.model_copy(
        update={"whale": WhaleInput(events=events[1:], as_of=NOW, source="CoinGlass")}
    )
    check = next(c for c in evaluate(sol_only, SniperLimits()).checks if c.name == "whale_buy")
    assert (check.met, check.coin) == (False, "SOL")


def test_an_exact_tie_is_never_a_lean_even_with_a_zero_share() -> None:
    even = [event(WhaleSide.BUY, "1000000"), event(WhaleSide.SELL, "1000000")]
    assert whale_flow(even, NOW, WhaleRule(net_share=Decimal(0))).lean is None
    assert whale_flow(even[:1], NOW, WhaleRule(net_share=Decimal(0))).lean is Flow.BUY


def test_the_sniper_whale_check_is_as_stale_as_the_coin_it_read() -> None:
    from services.signals.bias.rule import WhaleInput
    from services.signals.sniper.rule import SniperInputs, SniperLimits, evaluate

    events = [event(WhaleSide.BUY, "1470000", coin="BTC"), event(WhaleSide.SELL, "1e6", coin="SOL")]

    def check(stale_coins: list[str]) -> tuple[bool | None, bool]:
        whale = WhaleInput(
            events=events, as_of=NOW, source="OKX", stale=bool(stale_coins), stale_coins=stale_coins
        )
        inputs = SniperInputs(symbol="SOL", at=NOW, price=Decimal(142), whale=whale)
        found = next(c for c in evaluate(inputs, SniperLimits()).checks if c.name == "whale_buy")
        return found.met, found.stale

    assert check(["SOL"]) == (True, False)  # BTC read fresh; SOL's old copy does not matter
    assert check(["BTC"]) == (True, True)
