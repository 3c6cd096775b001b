"""Setting and managing a chat's alerts: a request read, checked against the price now and the
chat's limit, stored; listed, paused, deleted, set again. The engine (engine.py, run by the
alerts job) watches them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from services.kernel.bounds import PRICE_MAX
from services.kernel.rule_model import LIVE, Rule, RuleKind, RuleSpec, Side, Status
from services.kernel.symbols import Instrument, okx_inst_id, parse_symbol
from services.market.instruments import InstrumentCatalog
from services.market.ticker.service import TickerService
from services.signals.rules.parse import Problem, RuleError, RuleRequest, parse_rule
from services.storage.rules import RuleStore

TOO_FAR = Decimal(100)  # a level 100 times away from the price is a typo, not a plan
SNOOZE = timedelta(hours=1)


@dataclass(frozen=True)
class Created:
    rule: Rule
    price: Decimal  # the price when it was set
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
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._tickers = tickers
        self._limits = limits

    @property
    def store(self) -> RuleStore:
        return self._store

    def limit(self, group: bool) -> int:
        return self._limits.group if group else self._limits.private

    async def create(
        self, chat_id: int, user_id: int | None, group: bool, text: str | None
    ) -> Created:
        """Raises RuleError (a plain mistake), SymbolError (an unknown coin, with "did you
        mean"), or the price module's unavailable error (no price to check the level against)."""
        request = parse_rule(text)
        instrument = await self._catalog.resolve(request.symbol)
        price = (await self._tickers.ticker(instrument)).last
        count = await self._store.count_live(chat_id)
        if count >= self.limit(group):
            raise RuleError(Problem.FULL, str(count), limit=self.limit(group))
        spec, flipped = self._spec(request, instrument, price)
        expires = datetime.now(UTC) + request.expires_in
        rule = await self._store.add(chat_id, user_id, spec, request.note, expires)
        if flipped is not None:
            await self._store.set_status(rule.id, chat_id, Status.DRAFT)
            rule = rule.model_copy(update={"status": Status.DRAFT})
        return Created(rule=rule, price=price, instrument=instrument, flipped_from=flipped)

    def _spec(
        self, request: RuleRequest, instrument: Instrument, price: Decimal
    ) -> tuple[RuleSpec, Side | None]:
        repeat = int(request.repeat.total_seconds()) if request.repeat else None
        symbol = okx_inst_id(instrument)
        if request.kind is RuleKind.MOVE:
            assert request.side is not None
            return RuleSpec(
                symbol=symbol,
                kind=RuleKind.MOVE,
                side=request.side,
                move_pct=request.move_pct,
                window=request.window,
                repeat_seconds=repeat,
            ), None
        level = request.level
        assert level is not None
        if (
            not level.is_finite()
            or level >= PRICE_MAX
            or level > price * TOO_FAR
            or (level < price / TOO_FAR)
        ):
            raise RuleError(Problem.ABSURD, str(level), price=price)
        side = request.side or (Side.ABOVE if level > price else Side.BELOW)
        flipped = None
        # Asked for the side the price is already on: an alert can only fire on a crossing,
        # so it is offered the other way round ("alert when it falls back below?").
        if (side is Side.ABOVE and price >= level) or (side is Side.BELOW and price <= level):
            flipped = side
            side = Side.BELOW if side is Side.ABOVE else Side.ABOVE
        spec = RuleSpec(
            symbol=symbol, kind=RuleKind.LEVEL, side=side, level=level, repeat_seconds=repeat
        )
        return spec, flipped

    async def live(self, chat_id: int) -> list[Rule]:
        return await self._store.live(chat_id)

    async def act(self, chat_id: int, rule_id: int, status: Status) -> Rule | None:
        """Deletes, pauses or resumes one of the chat's alerts; None when it has no such alert
        (gone, or a button of another chat's)."""
        rule = await self._store.get(rule_id)
        if rule is None or rule.chat_id != chat_id:
            return None
        if status is Status.ACTIVE and rule.status not in (*LIVE, Status.DRAFT):
            return None  # over (fired, expired, deleted): `again` makes a new one
        until = datetime.now(UTC) + SNOOZE if status is Status.PAUSED else None
        await self._store.set_status(rule_id, chat_id, status, until)
        return rule.model_copy(update={"status": status, "paused_until": until})

    async def pause(self, chat_id: int, rule_id: int) -> Rule | None:
        """Until it is resumed (a button), not for an hour."""
        rule = await self._store.get(rule_id)
        if rule is None or rule.chat_id != chat_id or rule.status not in LIVE:
            return None
        await self._store.set_status(rule_id, chat_id, Status.PAUSED)
        return rule.model_copy(update={"status": Status.PAUSED, "paused_until": None})

    async def again(self, chat_id: int, rule_id: int, group: bool) -> Rule | None:
        """The same alert set anew (a `once` alert that fired); None when it is not the chat's
        or the chat's list is full (raises RuleError FULL then)."""
        rule = await self._store.get(rule_id)
        if rule is None or rule.chat_id != chat_id:
            return None
        count = await self._store.count_live(chat_id)
        if count >= self.limit(group):
            raise RuleError(Problem.FULL, str(count), limit=self.limit(group))
        # Checked against the price now, as a new one is: it never fires at being set, and a
        # level the price has gone past is offered the other way round.
        instrument = parse_symbol(rule.spec.symbol)
        price = (await self._tickers.ticker(instrument)).last
        request = RuleRequest(
            symbol=rule.spec.symbol,
            kind=rule.spec.kind,
            side=rule.spec.side,
            level=rule.spec.level,
            move_pct=rule.spec.move_pct,
            window=rule.spec.window,
            repeat=timedelta(seconds=rule.spec.repeat_seconds)
            if rule.spec.repeat_seconds
            else None,
        )
        spec, flipped = self._spec(request, instrument, price)
        lasted = rule.expires_at - rule.created_at
        made = await self._store.add(
            chat_id, rule.created_by, spec, rule.note, datetime.now(UTC) + lasted
        )
        if flipped is not None:
            await self._store.set_status(made.id, chat_id, Status.DRAFT)
            made = made.model_copy(update={"status": Status.DRAFT})
        return made
