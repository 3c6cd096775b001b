"""Setting and managing a chat's alerts: a request read, checked against the price now and the
chat's limit, stored; paused, deleted, edited, set again. The engine (engine.py, run by the
alerts job) watches them; review.py lists them and tells what they did or would have done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from services.kernel.bounds import PRICE_MAX
from services.kernel.rule_model import LIVE, Metric, Rule, RuleKind, RuleSpec, Side, Status
from services.kernel.symbols import Instrument, parse_symbol
from services.market.funding.service import FundingService
from services.market.instruments import InstrumentCatalog
from services.market.oi.service import OiService
from services.market.ticker.service import TickerService
from services.signals.rules.parse import (
    MOVE_MAX,
    Problem,
    RuleError,
    RuleRequest,
    funding_level,
    parse_rule,
    price,
)
from services.storage.rules import RuleStore
from services.vendors.okx_symbols import okx_inst_id

TOO_FAR = Decimal(100)  # a level 100 times away from the price is a typo, not a plan
SNOOZE = timedelta(hours=1)
LINES_LAST = timedelta(days=1)  # a sniper map's lines matter for hours, not weeks
# A map line's alert says which line it is (the same words in English and Indonesian).
LINE_NOTES = {
    "entry": "sniper entry",
    "invalidation": "sniper stop",
    "tp1": "sniper TP1",
    "tp2": "sniper TP2",
}


@dataclass(frozen=True)
class Created:
    rule: Rule
    # What the alert reads, when it was set: the price, funding's rate now (% per 8 h), or
    # open interest (coins).
    price: Decimal
    instrument: Instrument
    flipped_from: Side | None = None  # a draft: asked `above` while already above, say so


@dataclass(frozen=True)
class Limits:
    private: int = 30
    group: int = 50


class RuleService:
    def __init__(
        self,
        store: RuleStore,
        catalog: InstrumentCatalog,
        tickers: TickerService,
        limits: Limits,
        funding: FundingService,
        oi: OiService,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._tickers = tickers
        self._limits = limits
        self._funding = funding
        self._oi = oi

    @property
    def store(self) -> RuleStore:
        return self._store

    @property
    def tickers(self) -> TickerService:
        return self._tickers

    @property
    def funding(self) -> FundingService:
        return self._funding

    @property
    def oi(self) -> OiService:
        return self._oi

    def limit(self, group: bool) -> int:
        return self._limits.group if group else self._limits.private

    async def create(
        self, chat_id: int, user_id: int | None, group: bool, text: str | None
    ) -> Created:
        """Raises RuleError (a plain mistake), SymbolError (an unknown coin, with "did you
        mean"), or the price module's unavailable error (no price to check the level against);
        for funding or open interest, SymbolError when the coin has no perpetual, or that
        module's unavailable or switched-off error."""
        request = parse_rule(text)
        instrument = _reads(request.metric, await self._catalog.resolve(request.symbol))
        await self._room(chat_id, group)
        now_price = await self._now(request.metric, instrument)
        spec, flipped = self._spec(request, instrument, now_price)
        expires = datetime.now(UTC) + request.expires_in
        rule = await self._store.add(chat_id, user_id, spec, request.note, expires)
        if flipped is not None:
            await self._store.set_status(rule.id, chat_id, Status.DRAFT)
            rule = rule.model_copy(update={"status": Status.DRAFT})
        return Created(rule=rule, price=now_price, instrument=instrument, flipped_from=flipped)

    async def create_lines(
        self,
        chat_id: int,
        user_id: int | None,
        group: bool,
        symbol: str,
        lines: list[tuple[str, Decimal]],
    ) -> list[Created]:
        """A map's lines (entry, stop, targets) as level alerts for a day, each on the side away
        from the price now; a line the chat already watches is not set twice (a second tap
        sets nothing). Raises RuleError FULL when the new ones do not fit the chat's limit."""
        instrument = parse_symbol(symbol)
        now_price = (await self._tickers.ticker(instrument)).last
        inst_id = okx_inst_id(instrument)
        watched = {
            r.spec.level
            for r in await self._store.live(chat_id)
            if r.spec.symbol == inst_id and r.spec.kind is RuleKind.LEVEL
        }
        wanted = [(n, p) for n, p in lines if p not in watched and p != now_price]
        await self._room(chat_id, group, making=len(wanted))
        made = []
        for name, level in wanted:
            request = RuleRequest(
                symbol=inst_id, kind=RuleKind.LEVEL, side=None, level=level, note=LINE_NOTES[name]
            )
            spec, _flipped = self._spec(request, instrument, now_price)
            rule = await self._store.add(
                chat_id, user_id, spec, request.note, datetime.now(UTC) + LINES_LAST
            )
            made.append(Created(rule=rule, price=now_price, instrument=instrument))
        return made

    async def _room(self, chat_id: int, group: bool, making: int = 1) -> None:
        count = await self._store.count_live(chat_id)
        if count + making > self.limit(group):
            raise RuleError(Problem.FULL, str(count), limit=self.limit(group))

    async def _now(self, metric: Metric, instrument: Instrument) -> Decimal:
        """What the alert reads, now (a new alert is checked against it and shows it)."""
        if metric is Metric.FUNDING:
            return (await self._funding.rate(instrument)).rate_8h * 100
        if metric is Metric.OI:
            return (await self._oi.track(instrument)).now.coins
        return (await self._tickers.ticker(instrument)).last

    def _spec(
        self, request: RuleRequest, instrument: Instrument, now_price: Decimal
    ) -> tuple[RuleSpec, Side | None]:
        spec, flipped = self._watch(request, instrument, now_price)
        return spec.model_copy(update={"urgent": request.urgent}), flipped

    def _watch(
        self, request: RuleRequest, instrument: Instrument, now_price: Decimal
    ) -> tuple[RuleSpec, Side | None]:
        repeat = int(request.repeat.total_seconds()) if request.repeat else None
        symbol = okx_inst_id(instrument)
        if request.kind in (RuleKind.MOVE, RuleKind.FLIP):
            assert request.side is not None
            return RuleSpec(
                symbol=symbol,
                kind=request.kind,
                metric=request.metric,
                side=request.side,
                move_pct=request.move_pct,
                window=request.window,
                repeat_seconds=repeat,
            ), None
        level = request.level
        if request.metric is Metric.FUNDING:
            # Judged at each settlement on the rate paid, not on a crossing: one beyond the
            # level already fires at the next settlement, so either side is taken as asked.
            assert level is not None
            side = request.side or (Side.ABOVE if level >= now_price else Side.BELOW)
            return RuleSpec(
                symbol=symbol,
                kind=RuleKind.LEVEL,
                metric=Metric.FUNDING,
                side=side,
                level=level,
                repeat_seconds=repeat,
            ), None
        assert level is not None
        if level <= 0:
            raise RuleError(Problem.NOT_POSITIVE, str(level))
        if level >= PRICE_MAX or level > now_price * TOO_FAR or level < now_price / TOO_FAR:
            raise RuleError(Problem.ABSURD, str(level), price=now_price)
        if level == now_price:
            raise RuleError(Problem.AT_PRICE, str(level), price=now_price)
        side = request.side or (Side.ABOVE if level > now_price else Side.BELOW)
        flipped = None
        # Asked for the side the price is already on: an alert fires only on a crossing, so
        # it is offered the other way round ("alert when it falls back below?").
        if (side is Side.ABOVE and now_price > level) or (side is Side.BELOW and now_price < level):
            flipped = side
            side = Side.BELOW if side is Side.ABOVE else Side.ABOVE
        spec = RuleSpec(
            symbol=symbol, kind=RuleKind.LEVEL, side=side, level=level, repeat_seconds=repeat
        )
        return spec, flipped

    async def _own(self, chat_id: int, rule_id: int, *among: Status) -> Rule:
        """The chat's alert in one of these states; RuleError NOT_FOUND otherwise (gone, over,
        or a button of another chat's)."""
        rule = await self._store.get(rule_id)
        if rule is None or rule.chat_id != chat_id or rule.status not in among:
            raise RuleError(Problem.NOT_FOUND)
        return rule

    async def get(self, chat_id: int, rule_id: int) -> Rule:
        """One of the chat's alerts still set (to edit it); RuleError NOT_FOUND otherwise."""
        return await self._own(chat_id, rule_id, *LIVE, Status.DRAFT)

    async def delete(self, chat_id: int, rule_id: int) -> Rule:
        rule = await self._own(chat_id, rule_id, *LIVE, Status.DRAFT)
        await self._store.set_status(rule_id, chat_id, Status.DELETED)
        return rule.model_copy(update={"status": Status.DELETED})

    async def pause(self, chat_id: int, rule_id: int, snooze: bool = False) -> Rule:
        """Until it is resumed (a button), or for an hour (`snooze`)."""
        rule = await self._own(chat_id, rule_id, *LIVE)
        until = datetime.now(UTC) + SNOOZE if snooze else None
        await self._store.set_status(rule_id, chat_id, Status.PAUSED, until)
        return rule.model_copy(update={"status": Status.PAUSED, "paused_until": until})

    async def resume(self, chat_id: int, rule_id: int) -> Rule:
        """Watching again as it was left: a level it had fired on waits for the price to come
        back first, as it would have unpaused."""
        rule = await self._own(chat_id, rule_id, *LIVE)
        await self._store.set_status(rule_id, chat_id, Status.ACTIVE)
        return rule.model_copy(update={"status": Status.ACTIVE, "paused_until": None})

    async def again(self, chat_id: int, rule_id: int, group: bool) -> Created:
        """The same alert set anew after it ended (a `once` alert fired, or it expired), checked
        against the price now as a new one is: it never fires at being set."""
        rule = await self._own(chat_id, rule_id, Status.FIRED, Status.EXPIRED)
        await self._room(chat_id, group)
        request = _request_of(rule)
        instrument = parse_symbol(rule.spec.symbol)
        now_price = await self._now(rule.spec.metric, instrument)
        spec, flipped = self._spec(request, instrument, now_price)
        lasted = rule.expires_at - rule.created_at
        made = await self._store.add(
            chat_id, rule.created_by, spec, rule.note, datetime.now(UTC) + lasted
        )
        if flipped is not None:
            await self._store.set_status(made.id, chat_id, Status.DRAFT)
            made = made.model_copy(update={"status": Status.DRAFT})
        return Created(rule=made, price=now_price, instrument=instrument, flipped_from=flipped)

    async def flip(self, chat_id: int, rule_id: int, group: bool) -> Created:
        """A draft taken: the level watched from whichever side the price is on now."""
        rule = await self._own(chat_id, rule_id, Status.DRAFT)
        await self._room(chat_id, group)
        request = _request_of(rule)
        request.side = None
        return await self._change(rule, request)

    async def edit(self, chat_id: int, rule_id: int, text: str | None) -> Created:
        """A new level (a price), a new move (a percentage), or a whole new alert in its place
        ("SOL move 4% 1h"): it watches anew, keeping its options unless the text gives them."""
        rule = await self._own(chat_id, rule_id, *LIVE, Status.DRAFT)
        words = (text or "").strip()
        request = _request_of(rule)
        number = _number(words, rule.spec)
        if number is None and len(words.split()) <= 1 and rule.spec.kind is not RuleKind.FLIP:
            level = rule.spec.kind is RuleKind.LEVEL
            if level and rule.spec.metric is Metric.FUNDING:
                funding_level(words)  # one word meant as the rate: says what is wrong with it
            raise RuleError(Problem.BAD_PRICE if level else Problem.NO_MOVE, words)
        if number is not None and rule.spec.kind is RuleKind.LEVEL:
            request.level, request.side = number, None
        elif number is not None:
            if not 0 < number <= MOVE_MAX:
                raise RuleError(Problem.MOVE_TOO_BIG if number > 0 else Problem.NO_MOVE, words)
            request.move_pct = number
        else:
            request = parse_rule(words)
        return await self._change(rule, request)

    async def quieter(self, chat_id: int, rule_id: int, threshold: Decimal) -> Created:
        """A repeating alert's threshold moved to the one its dry-run offered."""
        rule = await self._own(chat_id, rule_id, *LIVE)
        request = _request_of(rule)
        if rule.spec.kind is RuleKind.LEVEL:
            request.level = threshold
        elif 0 < threshold <= MOVE_MAX:
            request.move_pct = threshold
        return await self._change(rule, request)

    async def _change(self, rule: Rule, request: RuleRequest) -> Created:
        instrument = (
            parse_symbol(rule.spec.symbol)
            if request.symbol == rule.spec.symbol
            else _reads(request.metric, await self._catalog.resolve(request.symbol))
        )
        now_price = await self._now(request.metric, instrument)
        spec, flipped = self._spec(request, instrument, now_price)
        status = Status.DRAFT if flipped is not None else Status.ACTIVE
        note = request.note if request.note or request.words else rule.note
        await self._store.replace(rule.id, rule.chat_id, spec, status, note)
        changed = rule.model_copy(
            update={"spec": spec, "status": status, "note": note, "paused_until": None}
        )
        return Created(rule=changed, price=now_price, instrument=instrument, flipped_from=flipped)


def _request_of(rule: Rule) -> RuleRequest:
    """A stored alert as the request that would set it (to set it again, or changed)."""
    spec = rule.spec
    return RuleRequest(
        symbol=spec.symbol,
        kind=spec.kind,
        metric=spec.metric,
        side=spec.side,
        level=spec.level,
        move_pct=spec.move_pct,
        window=spec.window,
        repeat=timedelta(seconds=spec.repeat_seconds) if spec.repeat_seconds else None,
        note=rule.note,
    )


def _number(words: str, spec: RuleSpec) -> Decimal | None:
    """An edit that is one number: a level's new price (95k) or funding rate (0.05%), a move's
    new % (4 or 4%)."""
    if not words or len(words.split()) > 1 or spec.kind is RuleKind.FLIP:
        return None  # a flip has no number: it is edited as a whole new alert
    try:
        if spec.kind is RuleKind.LEVEL and spec.metric is Metric.FUNDING:
            return funding_level(words)
        if spec.kind is not RuleKind.LEVEL:
            value = Decimal(words.rstrip("%").lstrip("+"))
            return value if value.is_finite() else None
        return price(words)
    except (RuleError, InvalidOperation):
        return None


def _reads(metric: Metric, instrument: Instrument) -> Instrument:
    """The instrument an alert reads: funding and open interest are a perpetual's."""
    return instrument if metric is Metric.PRICE else instrument.swap()
