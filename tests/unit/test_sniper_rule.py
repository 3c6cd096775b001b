"""The sniper entry map on hand-made books and clusters: conditions, levels, R/R, same setup."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from services.kernel.errors import Reason
from services.kernel.models import BookLevel, OrderBook
from services.kernel.symbols import Instrument
from services.market.heatmap.analysis import Band
from services.market.heatmap.analysis import analyse as analyse_heatmap
from services.market.orderbook.analysis import BookAnalysis
from services.market.orderbook.analysis import analyse as analyse_book
from services.market.whale.analysis import WhaleEvent, WhaleRule, WhaleSide, whale_flow
from services.signals.bias.rule import Evidence, Missing
from services.signals.sniper.rule import EntryMap, entry_map, same_setup

AT = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
PRICE = D(100)


def book(bid_wall: tuple[str, str] | None = ("99.5", "80")) -> BookAnalysis:
    """Ten 10-coin levels a side around 100; a bid wall (8x the median) and an ask wall (7x)."""
    bids = {D(100) - D("0.1") * n: D(10) for n in range(1, 11)}
    asks = {D(100) + D("0.1") * n: D(10) for n in range(1, 11)}
    if bid_wall:
        bids[D(bid_wall[0])] = D(bid_wall[1])
    asks[D("100.8")] = D(70)
    analysed = analyse_book(
        OrderBook(
            instrument=Instrument(base="SOL"),
            bids=[BookLevel(price=p, size=s) for p, s in sorted(bids.items(), reverse=True)],
            asks=[BookLevel(price=p, size=s) for p, s in sorted(asks.items())],
            source="test",
            as_of=AT,
        )
    )
    assert analysed is not None
    return analysed


def band(low: str, high: str, usd: str) -> Band:
    mid = (D(low) + D(high)) / 2
    return Band(low=D(low), high=D(high), usd=D(usd), distance_pct=(mid - PRICE) / PRICE * 100)


NEAR = band("99.6", "99.8", "5000000")  # -0.3%: the cluster near price
ABOVE = [band("101.5", "101.7", "4000000"), band("102.5", "102.7", "3000000")]


def heat(*bands: Band) -> object:
    return analyse_heatmap(list(bands), PRICE)


def whale(side: WhaleSide, coin: str = "BTC") -> WhaleEvent:
    return WhaleEvent(coin=coin, side=side, usd=D(1_500_000), price=PRICE, venue="test", at=AT)


def etf(net: int) -> Evidence:
    return Evidence(name="etf", value="net", amount=D(net), source="test", as_of=AT, push="LONG")


def make(**overrides: object) -> EntryMap:
    args: dict[str, object] = {
        "book": book(),
        "heatmap": heat(NEAR, *ABOVE),
        "whales": [whale(WhaleSide.BUY)],
        "etf": etf(120_000_000),
        "evidence": [],
        "missing": [],
        "at": AT,
    }
    args.update(overrides)
    whales = args["whales"]
    if isinstance(whales, list):  # events in, the signal window's reading of them passed on
        args["whales"] = whale_flow(whales, AT, WhaleRule())
    return entry_map("SOL", PRICE, **args)  # type: ignore[arg-type]


def checks(m: EntryMap) -> dict[str, bool | None]:
    return {c.name: c.met for c in m.checks}


def test_every_condition_met_gives_entry_invalidation_and_two_targets_from_the_levels() -> None:
    m = make()
    assert m.setup and m.confidence == D("1.00")
    assert m.entry == D("99.5")  # the support wall (8x the median bid)
    assert m.invalidation == D("99.20")  # 0.3% under the wall, rounded down to the tick
    [tp1, tp2] = m.targets
    assert (tp1.price, tp1.rr, tp1.basis) == (D("100.8"), D("4.33"), "ask_wall")
    assert (tp2.price, tp2.rr, tp2.basis) == (D("101.6"), D("7.00"), "cluster")
    assert [(line.name, line.price) for line in m.lines] == [
        ("entry", D("99.5")),
        ("invalidation", D("99.20")),
        ("tp1", D("100.8")),
        ("tp2", D("101.6")),
        ("cluster", D("99.7")),
    ]
    assert m.frame == "5m"


@pytest.mark.parametrize(
    ("etf_input", "met", "confidence"),
    [(None, None, D("0.75")), (etf(-50_000_000), False, D("0.75")), (etf(1), True, D("1.00"))],
)
def test_etf_is_optional_an_outflow_lowers_confidence_but_never_blocks_the_map(
    etf_input: Evidence | None, met: bool | None, confidence: D
) -> None:
    m = make(
        etf=etf_input, missing=[Missing(name="etf", reason=Reason.PLAN)] if not etf_input else []
    )
    assert m.setup
    assert checks(m)["etf_inflow"] is met
    # Missing or an outflow: 3 of the 4 inputs agree (one definition with /alpha).
    assert m.confidence == confidence
    assert m.agreement is not None and m.agreement.missing == (1 if etf_input is None else 0)


@pytest.mark.parametrize(
    ("overrides", "failed"),
    [
        ({"whales": [whale(WhaleSide.SELL), whale(WhaleSide.SHORT, "SOL")]}, "whale_buy"),
        ({"whales": []}, "whale_buy"),
        ({"heatmap": heat(band("98.0", "98.2", "5000000"), *ABOVE)}, "liquidation_cluster"),
        ({"book": book(bid_wall=("99.5", "40"))}, "support_wall"),  # 4x: not a wall
    ],
)
def test_one_required_condition_missing_means_no_setup(
    overrides: dict[str, object], failed: str
) -> None:
    m = make(**overrides)
    assert not m.setup
    assert checks(m)[failed] is False
    assert m.entry is None and m.targets == [] and m.lines == []


def test_a_module_that_did_not_answer_is_unchecked_and_there_is_no_map() -> None:
    m = make(book=None, missing=[Missing(name="spot_ob", reason=Reason.ERROR)])
    assert not m.setup
    assert checks(m)["support_wall"] is None
    assert m.confidence == D("0.75")  # three of four met; the unchecked one counts against


def test_a_cluster_under_the_entry_puts_the_invalidation_under_the_cluster() -> None:
    under = band("99.45", "99.7", "5000000")  # reaches below the 99.5 wall, within 0.5%
    m = make(heatmap=heat(under, *ABOVE))
    assert m.setup
    assert m.invalidation == D("99.15")  # 0.3% under the cluster's low (99.45), not the wall's


def test_without_levels_above_the_targets_are_r_multiples() -> None:
    lone = book()
    lone = lone.model_copy(update={"ask_walls": []})
    m = make(book=lone, heatmap=heat(NEAR))
    risk = D("0.30")
    assert [(t.price, t.rr, t.basis) for t in m.targets] == [
        (D("99.5") + risk * D("1.5"), D("1.50"), "r_multiple"),
        (D("99.5") + risk * 3, D("3.00"), "r_multiple"),
    ]


def test_a_level_closer_than_one_r_is_not_a_target() -> None:
    close = book()
    wall = close.ask_walls[0].model_copy(update={"price": D("99.7")})  # 0.2 above: 0.67R
    m = make(book=close.model_copy(update={"ask_walls": [wall]}))
    assert [t.price for t in m.targets] == [D("101.6"), D("102.6")]


def test_same_setup_is_levels_within_the_tolerance() -> None:
    m = make()
    fingerprint = m.fingerprint()
    assert fingerprint == "99.50,99.20,100.80,101.60"  # each on the tick
    assert same_setup(fingerprint, "99.6,99.3,100.9,101.7", D("0.3"))  # ~0.1% each
    assert not same_setup(fingerprint, "99.0,98.7,100.8,101.6", D("0.3"))  # entry 0.5% lower
    assert not same_setup(fingerprint, "99.5,99.20,100.8", D("0.3"))  # another shape
    assert not same_setup("", fingerprint, D("0.3"))


def test_a_stale_module_still_decides_but_lowers_confidence_like_a_missing_one() -> None:
    stale = make(stale=frozenset({"support_wall"}))
    assert stale.setup
    assert stale.agreement is not None
    assert (stale.agreement.agree, stale.agreement.stale) == (3, 1)
    assert stale.confidence == D("0.75") == make(etf=None).confidence
    assert next(c for c in stale.checks if c.name == "support_wall").stale


@pytest.mark.parametrize("tick", [D("0.05"), D("0.001"), None])
def test_every_level_is_a_price_one_can_order_at(tick: D | None) -> None:
    odd = band("99.613", "99.6421", "5000000")  # a cluster midpoint of 99.62755
    lone = book().model_copy(update={"ask_walls": []})  # r-multiple targets: entry + k * risk
    m = make(book=lone, heatmap=heat(odd), tick=tick)
    assert m.setup
    step = tick or D("0.01")  # without the instrument's tick: the entry's decimals, cents
    for line in m.lines:
        assert line.price % step == 0, line
        assert -line.price.as_tuple().exponent <= -step.as_tuple().exponent  # no 99.627550
    assert m.invalidation is not None and m.invalidation <= D("99.5") * (1 - D("0.003"))
