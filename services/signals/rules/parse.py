"""`/alert …` as a request: the words a trader types, read forgivingly, every mistake a
`RuleError` naming what is wrong (bot/render/rule_alerts.py words it).

    /alert SOL above 190        /alert sol > 190        /alert btc < 95k     /alert eth 3500
    /alert SOL move 3% 15m [up|down]
    /alert SOL funding > 0.05%     /alert SOL funding flips [positive|negative]
    /alert BTC oi +5% 4h           /alert BTC oi 5% 24h [up|down]
    ... [once | every 1h] [for 7d] [a note]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from services.kernel.rule_model import OI_WINDOWS, WINDOWS, Metric, RuleKind, Side

NOTE_MAX = 100
EXPIRY_DEFAULT = timedelta(days=30)
EXPIRY_MAX = timedelta(days=365)
REPEAT_MIN = timedelta(minutes=5)
REPEAT_MAX = timedelta(days=7)
MOVE_MAX = Decimal(100)
SIDES = {
    "above": Side.ABOVE,
    ">": Side.ABOVE,
    ">=": Side.ABOVE,
    "over": Side.ABOVE,
    "below": Side.BELOW,
    "<": Side.BELOW,
    "<=": Side.BELOW,
    "under": Side.BELOW,
}
MOVE_SIDES = {"up": Side.UP, "down": Side.DOWN, "both": Side.BOTH}
FLIP_SIDES = {"positive": Side.UP, "up": Side.UP, "negative": Side.DOWN, "down": Side.DOWN}
FLIP_WORDS = ("flips", "flip", "flipped")
# A funding level is % per 8 h; OKX caps most contracts far below 3 % (its widest caps are a
# few %), so beyond it is a typo (0.05 meant, 5 typed?), not a plan.
FUNDING_MAX = Decimal(3)
_DURATION = re.compile(r"(\d{1,4})\s*(m|min|h|d|w)")
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
# A sign and an exponent are read so "-5" and "1e30" get their own answer, not "not a price".
_PRICE = re.compile(r"\$?(-?(?:\d[\d_,]*(?:\.\d+)?|\.\d+)(?:e[+-]?\d{1,4})?)([km]?)")


class Problem(StrEnum):
    NO_SYMBOL = "no_symbol"
    NO_PRICE = "no_price"
    BAD_PRICE = "bad_price"
    NOT_POSITIVE = "not_positive"
    ABSURD = "absurd"  # 100x away from the price, or past any market
    AT_PRICE = "at_price"  # the level is the price now: no side to cross from
    MOVE_TOO_BIG = "move_too_big"
    NO_MOVE = "no_move"
    BAD_WINDOW = "bad_window"
    BAD_DURATION = "bad_duration"
    NOTE_TOO_LONG = "note_too_long"
    FULL = "full"
    NOT_FOUND = "not_found"
    NO_FUNDING = "no_funding"  # `funding` without a level or `flips`
    FUNDING_RANGE = "funding_range"  # a funding level past FUNDING_MAX


class RuleError(ValueError):
    """A request the bot cannot take, with what it needs to say so plainly."""

    def __init__(self, problem: Problem, value: str = "", **facts: object) -> None:
        self.problem = problem
        self.value = value
        self.facts = facts
        super().__init__(f"{problem.value}: {value!r}")


@dataclass
class RuleRequest:
    symbol: str  # as typed
    kind: RuleKind
    side: Side | None  # a level without one: the side away from the price now
    level: Decimal | None = None
    move_pct: Decimal | None = None
    window: str | None = None
    repeat: timedelta | None = None  # None: once
    expires_in: timedelta = EXPIRY_DEFAULT
    note: str = ""
    words: list[str] = field(default_factory=list)  # for the note: what the user typed
    metric: Metric = Metric.PRICE
    urgent: bool = False  # comes during the chat's quiet hours, silently


URGENT_WORDS = ("urgent", "penting")  # "penting": what Indonesian traders type


def price(text: str) -> Decimal:
    """190, 190.5, 95k, 1.2m, 95,000, $190."""
    match = _PRICE.fullmatch(text.strip().lower())
    if match is None:
        raise RuleError(Problem.BAD_PRICE, text)
    digits, unit = match.groups()
    try:
        value = Decimal(digits.replace("_", "").replace(",", ""))
    except InvalidOperation:
        raise RuleError(Problem.BAD_PRICE, text) from None
    if not value.is_finite():
        raise RuleError(Problem.BAD_PRICE, text)
    return value * {"": 1, "k": 1000, "m": 1_000_000}[unit]


def duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise RuleError(Problem.BAD_DURATION, text)
    amount, unit = match.groups()
    return timedelta(seconds=int(amount) * _UNITS[unit])


def parse_rule(text: str | None) -> RuleRequest:
    words = (text or "").split()
    if not words:
        raise RuleError(Problem.NO_SYMBOL)
    symbol, rest = words[0], words[1:]
    first = rest[0].lower() if rest else ""
    if first == "move":
        request = _move(symbol, rest[1:])
    elif first == "funding":
        request = _funding(symbol, rest[1:])
    elif first in ("oi", "open-interest"):
        request = _oi(symbol, rest[1:])
    else:
        request = _level(symbol, rest)
    _options(request)
    return request


def _side(rest: list[str]) -> tuple[Side | None, list[str]]:
    """`above 190`, `> 190`, `>190` (written together): the side asked, and what follows."""
    if rest and rest[0].lower() in SIDES:
        return SIDES[rest[0].lower()], rest[1:]
    if rest and rest[0][:1] in "<>" and len(rest[0]) > 1:
        glued = rest[0].lstrip("<>=")
        return SIDES[rest[0][: len(rest[0]) - len(glued)]], [glued, *rest[1:]]
    return None, rest


def _level(symbol: str, rest: list[str]) -> RuleRequest:
    side, rest = _side(rest)
    if not rest:
        raise RuleError(Problem.NO_PRICE, symbol)
    level = price(rest[0])
    if level <= 0:
        raise RuleError(Problem.NOT_POSITIVE, rest[0])
    return RuleRequest(symbol=symbol, kind=RuleKind.LEVEL, side=side, level=level, words=rest[1:])


def _move(symbol: str, rest: list[str], windows: Iterable[str] = WINDOWS) -> RuleRequest:
    if not rest:
        raise RuleError(Problem.NO_MOVE, symbol)
    text = rest[0].rstrip("%")
    try:
        pct = Decimal(text)
    except InvalidOperation:
        raise RuleError(Problem.NO_MOVE, rest[0]) from None
    if not pct.is_finite() or pct <= 0:
        raise RuleError(Problem.NO_MOVE, rest[0])
    if pct > MOVE_MAX:
        raise RuleError(Problem.MOVE_TOO_BIG, rest[0])
    rest = rest[1:]
    window = rest[0].lower() if rest else ""
    if window not in windows:
        raise RuleError(Problem.BAD_WINDOW, window, allowed=list(windows))
    rest = rest[1:]
    side = Side.BOTH
    if rest and rest[0].lower() in MOVE_SIDES:
        side, rest = MOVE_SIDES[rest[0].lower()], rest[1:]
    return RuleRequest(
        symbol=symbol,
        kind=RuleKind.MOVE,
        side=side,
        move_pct=pct,
        window=window,
        words=rest,
    )


def funding_level(text: str) -> Decimal:
    """0.05%, -0.01%, 0.05 (% per 8 h, as /funding shows it)."""
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise RuleError(Problem.NO_FUNDING, text) from None
    if not value.is_finite():
        raise RuleError(Problem.NO_FUNDING, text)
    if abs(value) > FUNDING_MAX:
        raise RuleError(Problem.FUNDING_RANGE, text, most=FUNDING_MAX)
    return value


def _funding(symbol: str, rest: list[str]) -> RuleRequest:
    if rest and rest[0].lower() in FLIP_WORDS:
        rest = rest[1:]
        if rest and rest[0].lower() == "sign":
            rest = rest[1:]
        way = Side.BOTH
        if rest and rest[0].lower() in FLIP_SIDES:
            way, rest = FLIP_SIDES[rest[0].lower()], rest[1:]
        return RuleRequest(
            symbol=symbol, kind=RuleKind.FLIP, metric=Metric.FUNDING, side=way, words=rest
        )
    side, rest = _side(rest)
    if not rest:
        raise RuleError(Problem.NO_FUNDING, symbol)
    level = funding_level(rest[0])
    return RuleRequest(
        symbol=symbol,
        kind=RuleKind.LEVEL,
        metric=Metric.FUNDING,
        side=side,
        level=level,
        words=rest[1:],
    )


def _oi(symbol: str, rest: list[str]) -> RuleRequest:
    """+5% 4h (up), -5% 4h (down), 5% 4h [up|down] (either way unless told)."""
    if not rest:
        raise RuleError(Problem.NO_MOVE, symbol, metric=Metric.OI)
    typed = rest[0]
    sign = typed[:1] if typed[:1] in "+-" else ""
    request = _move(symbol, [typed.lstrip("+-"), *rest[1:]], OI_WINDOWS)
    request.metric = Metric.OI
    if sign:
        request.side = Side.UP if sign == "+" else Side.DOWN
    return request


def _options(request: RuleRequest) -> None:
    """once / every DURATION / for DURATION / urgent, in any order; what is left is the
    note."""
    words, note = list(request.words), []
    while words:
        word = words.pop(0)
        lowered = word.lower()
        if lowered == "once":
            request.repeat = None
        elif lowered in URGENT_WORDS:
            request.urgent = True
        elif lowered in ("every", "for") and words and _DURATION.fullmatch(words[0].lower()):
            typed = words.pop(0)
            length = duration(typed)
            if lowered == "every":
                if not REPEAT_MIN <= length <= REPEAT_MAX:
                    raise RuleError(Problem.BAD_DURATION, f"every {typed}", low="5m", high="7d")
                request.repeat = length
            else:
                if not timedelta(hours=1) <= length <= EXPIRY_MAX:
                    raise RuleError(Problem.BAD_DURATION, f"for {typed}", low="1h", high="365d")
                request.expires_in = length
        elif lowered == "every" or (lowered == "for" and words and words[0][:1].isdigit()):
            # "every hour", "for 2 weeks": meant as an option, not a note, and not readable.
            low, high = ("5m", "7d") if lowered == "every" else ("1h", "365d")
            typed = f"{word} {words[0] if words else ''}".strip()
            raise RuleError(Problem.BAD_DURATION, typed, low=low, high=high)
        else:
            note.append(word)
    request.note = " ".join(note)
    if len(request.note) > NOTE_MAX:
        raise RuleError(Problem.NOTE_TOO_LONG, request.note[:20], most=NOTE_MAX)
