"""The alert engine: every live alert indexed by instrument, so a pass over the prices costs
O(instruments + alerts that fire), not O(alerts).

Per instrument, armed level alerts sit in two lists sorted by level: those waiting for the price
to rise to them, those waiting for it to fall. A price finds the ones it reached with one
bisection each. Move alerts sit in lists sorted by their threshold, one per window: the move
since the window's start finds the ones it met the same way. What the index cannot sort (a
repeating alert waiting to re-arm, a move that fired and measures from its own anchor) is
looked at each pass; there are few. Whatever the index offers, `condition.step` decides: the
same code the dry-run replays.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from services.kernel.rule_model import LIVE, Rule, RuleKind, Side, Status
from services.signals.rules.condition import Hit, Stretch, step

REMIND_BEFORE = timedelta(days=1)


@dataclass
class Decision:
    """What a pass does to one alert: its new state and status, and what the chat is told."""

    rule: Rule
    status: Status
    hit: Hit | None = None
    at: datetime | None = None
    expired: bool = False
    reminder: bool = False

    @property
    def ended(self) -> bool:
        return self.status not in LIVE


@dataclass
class _Sorted:
    """(key, rule id) kept sorted by key; found by bisection, changed rarely."""

    keys: list[Decimal] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)

    def add(self, key: Decimal, rule_id: int) -> None:
        at = bisect.bisect_right(self.keys, key)
        self.keys.insert(at, key)
        self.ids.insert(at, rule_id)

    def remove(self, key: Decimal, rule_id: int) -> None:
        at = bisect.bisect_left(self.keys, key)
        while at < len(self.keys) and self.keys[at] == key:
            if self.ids[at] == rule_id:
                del self.keys[at], self.ids[at]
                return
            at += 1

    def upto(self, key: Decimal) -> list[int]:
        """The rules whose key is at most `key`."""
        return self.ids[: bisect.bisect_right(self.keys, key)]


@dataclass
class _Instrument:
    rises: _Sorted = field(default_factory=_Sorted)  # armed `above` levels, by level
    falls: _Sorted = field(default_factory=_Sorted)  # armed `below` levels, by -level
    moves: dict[str, _Sorted] = field(default_factory=dict)  # by window, by threshold
    watched: set[int] = field(default_factory=set)  # looked at every pass


class RuleEngine:
    def __init__(self) -> None:
        self._rules: dict[int, Rule] = {}
        self._where: dict[int, tuple[str, str]] = {}  # rule -> (instrument, which list)
        self._instruments: dict[str, _Instrument] = {}
        # Heaps by time; an entry whose alert has gone or changed is skipped when it comes up.
        self._expiries: list[tuple[datetime, int]] = []
        self._reminders: list[tuple[datetime, int]] = []
        self._wakes: list[tuple[datetime, int]] = []  # paused until
        self._windows: dict[str, Counter[str]] = {}  # instrument -> move alerts per window

    def __len__(self) -> int:
        return len(self._rules)

    def rule(self, rule_id: int) -> Rule | None:
        return self._rules.get(rule_id)

    def symbols(self) -> set[str]:
        return {
            symbol
            for symbol, place in self._instruments.items()
            if place.rises.ids
            or place.falls.ids
            or place.watched
            or any(m.ids for m in place.moves.values())
        }

    def windows(self) -> dict[str, set[str]]:
        """For each instrument with move alerts watching, the windows they measure over (kept
        as counts as alerts come and go: a pass must not walk every alert)."""
        return {
            symbol: {w for w, n in counts.items() if n > 0}
            for symbol, counts in self._windows.items()
            if any(counts.values())
        }

    def load(self, rules: Iterable[Rule]) -> None:
        """Alerts new or changed (by a chat, or another replica): the index takes what is live
        and lets go of the rest."""
        for rule in rules:
            self._drop(rule.id)
            if rule.status in LIVE:
                self._put(rule)

    def _put(self, rule: Rule) -> None:
        self._rules[rule.id] = rule
        heapq.heappush(self._expiries, (rule.expires_at, rule.id))
        # A reminder a day before the end, for an alert set to last longer than two days (one
        # set for hours is not worth a message about its end before it ends).
        if not rule.reminded and rule.expires_at - rule.created_at > 2 * REMIND_BEFORE:
            heapq.heappush(self._reminders, (rule.expires_at - REMIND_BEFORE, rule.id))
        if rule.status is Status.PAUSED:
            if rule.paused_until is not None:
                heapq.heappush(self._wakes, (rule.paused_until, rule.id))
            return
        spec, state = rule.spec, rule.state
        key = spec.key
        place = self._instruments.setdefault(key, _Instrument())
        if spec.kind is RuleKind.MOVE:
            self._windows.setdefault(key, Counter())[spec.window or "1h"] += 1
        if spec.kind is RuleKind.LEVEL and state.armed:
            assert spec.level is not None
            if spec.side is Side.ABOVE:
                place.rises.add(spec.level, rule.id)
                self._where[rule.id] = (key, "rises")
            else:
                place.falls.add(-spec.level, rule.id)
                self._where[rule.id] = (key, "falls")
        elif spec.kind is RuleKind.MOVE and state.anchor_at is None:
            assert spec.move_pct is not None
            window = spec.window or "1h"
            place.moves.setdefault(window, _Sorted()).add(spec.move_pct, rule.id)
            self._where[rule.id] = (key, f"move:{window}")
        else:
            place.watched.add(rule.id)
            self._where[rule.id] = (key, "watched")

    def _drop(self, rule_id: int) -> None:
        rule = self._rules.pop(rule_id, None)
        where = self._where.pop(rule_id, None)
        if rule is None or where is None:
            return
        place = self._instruments[where[0]]
        spec = rule.spec
        if spec.kind is RuleKind.MOVE:
            self._windows[spec.key][spec.window or "1h"] -= 1
        if where[1] == "rises" and spec.level is not None:
            place.rises.remove(spec.level, rule_id)
        elif where[1] == "falls" and spec.level is not None:
            place.falls.remove(-spec.level, rule_id)
        elif where[1].startswith("move:") and spec.move_pct is not None:
            place.moves[where[1][5:]].remove(spec.move_pct, rule_id)
        else:
            place.watched.discard(rule_id)

    def evaluate(
        self,
        prices: dict[str, tuple[Decimal, Decimal, Decimal]],
        now: datetime,
        starts: dict[tuple[str, str], Decimal] | None = None,
        at: datetime | None = None,
    ) -> list[Decision]:
        """One pass: `prices` gives each key's (low, high, last) since the last pass (a key is
        an instrument's price, or its funding or open interest: RuleSpec.key), `starts` the
        value at the start of each (key, window) a move reads, or (key, PREVIOUS) a flip.
        `at`: when the values were read, if not now (a settlement of funding); an alert set
        after it is not judged on it."""
        starts = starts or {}
        decisions = self._timers(now)
        for symbol, (low, high, last) in prices.items():
            place = self._instruments.get(symbol)
            if place is None:
                continue
            offered = set(place.rises.upto(high)) | set(place.falls.upto(-low)) | place.watched
            for window, sorted_moves in place.moves.items():
                start = starts.get((symbol, window))
                if start:
                    reach = max(high - start, start - low) / start * 100
                    offered.update(sorted_moves.upto(reach))
            for rule_id in sorted(offered):
                rule = self._rules.get(rule_id)
                if rule is None or (at is not None and rule.created_at > at):
                    continue
                begin = rule.spec.start_key
                start = starts.get((symbol, begin)) if begin is not None else None
                stretch = Stretch(at=at or now, low=low, high=high, last=last, start=start)
                decision = self._step(rule, stretch)
                if decision is not None:
                    decisions.append(decision)
        return decisions

    def _step(self, rule: Rule, stretch: Stretch) -> Decision | None:
        state, hit = step(rule.spec, rule.state, stretch)
        if hit is None and state == rule.state:
            return None
        fires = rule.fires + (1 if hit is not None else 0)
        ended = hit is not None and rule.spec.repeat_seconds is None
        status = Status.FIRED if ended else rule.status
        changed = rule.model_copy(update={"state": state, "fires": fires, "status": status})
        self._drop(rule.id)
        if status in LIVE:
            self._put(changed)
        return Decision(rule=changed, status=status, hit=hit, at=stretch.at)

    def _timers(self, now: datetime) -> list[Decision]:
        """Alerts whose expiry came (ended, with one message), whose reminder is due (a day
        before), and paused ones whose pause is over."""
        decisions = []
        while self._wakes and self._wakes[0][0] <= now:
            _at, rule_id = heapq.heappop(self._wakes)
            rule = self._rules.get(rule_id)
            paused = rule is not None and rule.status is Status.PAUSED
            if paused and rule is not None and rule.paused_until and rule.paused_until <= now:
                awake = rule.model_copy(update={"status": Status.ACTIVE, "paused_until": None})
                self._drop(rule_id)
                self._put(awake)
                decisions.append(Decision(rule=awake, status=Status.ACTIVE, at=now))
        while self._reminders and self._reminders[0][0] <= now:
            due, rule_id = heapq.heappop(self._reminders)
            rule = self._rules.get(rule_id)
            if rule is None or rule.reminded or rule.expires_at - REMIND_BEFORE != due:
                continue  # gone, told, or its expiry moved since
            if rule.expires_at > now:
                told = rule.model_copy(update={"reminded": True})
                self._rules[rule_id] = told
                decisions.append(Decision(rule=told, status=told.status, at=now, reminder=True))
        while self._expiries and self._expiries[0][0] <= now:
            expires_at, rule_id = heapq.heappop(self._expiries)
            rule = self._rules.get(rule_id)
            if rule is None or rule.expires_at != expires_at:
                continue
            self._drop(rule_id)
            done = rule.model_copy(update={"status": Status.EXPIRED})
            decisions.append(Decision(rule=done, status=Status.EXPIRED, at=now, expired=True))
        return decisions
