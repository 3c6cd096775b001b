"""The alert a job run produces: stored as JSON before delivery, rendered per chat at send time."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Self, get_args

from pydantic import BaseModel, Field, model_validator

from services.delivery.brief_models import Brief
from services.kernel.alerts import AlertType
from services.kernel.rule_model import RuleFire
from services.signals.bias.rule import BiasCall, Missing
from services.signals.sniper.rule import EntryMap
from services.signals.track_record import TrackLine


class Signal(BaseModel):
    """What edge-triggering and cooldowns compare: one symbol's call in one run."""

    symbol: str
    direction: str  # LONG / SHORT / NEUTRAL: a repeat is the same direction again
    strength: Decimal  # confidence 0..1: "materially stronger" is measured on it
    fingerprint: str  # bias: the direction; sniper: the setup's levels


class HealthNotice(BaseModel):
    job: str
    healthy: bool  # False: the warning; True: the recovery
    failing: list[Missing]  # the main modules that failed, with their reasons
    at: datetime
    # A backing store's outage instead of a job's ("redis", "database"); `job` is then unused.
    store: str | None = None


class Tracking(BaseModel):
    """Where a pushed sniper map stands against OKX's price."""

    call_id: int
    map: EntryMap
    status: str  # waiting, entered, tp1, tp2, stopped, breakeven, expired
    final: bool
    entered_at: datetime | None = None
    tp1_at: datetime | None = None
    closed_at: datetime | None = None
    r: Decimal | None = None  # realised, when final
    r_open: Decimal | None = None  # banked so far (half at TP1)
    expires_at: datetime | None = None  # without an entry by then, the map is void


class Withdrawal(BaseModel):
    symbol: str
    was: str  # the direction the chat was pushed: LONG / SHORT
    now: str  # NEUTRAL (withdrawn)
    # The pushed call (its time and price) and the price now; None where unknown (stored
    # before they were kept, or the database could not say).
    called_at: datetime | None = None
    called_price: Decimal | None = None
    price: Decimal | None = None


class Delivery(StrEnum):
    """How a push reaches a chat."""

    SEND = "send"  # a new message
    EDIT = "edit"  # the pushed message it follows, edited in place
    REPLY = "reply"  # a reply to the pushed message it follows


class Policy(StrEnum):
    """What keeps a push from repeating (the outbox applies it per chat and dedupe key)."""

    ONE_SHOT = "one_shot"  # each is news once: no cooldown
    COOLDOWN = "cooldown"  # the same call again waits ALERT_COOLDOWN_SECONDS unless stronger
    SAME_SETUP = "same_setup"  # skipped only while the chat holds the same setup


class Push(BaseModel):
    """One kind of push: what it carries (its items), how it repeats, how it is delivered.
    Its renderer is registered by its type (bot/render/pushes.py)."""

    delivery: ClassVar[Delivery] = Delivery.SEND
    policy: ClassVar[Policy] = Policy.ONE_SHOT

    def items(self) -> list[str]:
        """What the push is about, each a part of it a chat may get alone (a symbol)."""
        return []

    def only(self, items: list[str]) -> Self:
        """The part of it one chat gets (others of its items may be inside a cooldown)."""
        return self

    def coins(self) -> list[str]:
        """The coins it is about, which a chat may mute one by one."""
        return self.items()

    def urgent(self) -> bool:
        """Comes during the chat's quiet hours (silently) instead of being held."""
        return False

    @classmethod
    def dedupe_key(cls, item: str) -> str:
        """What a cooldown is kept under for one item: `bias:SOL`, `rule:1234`."""
        return f"{cls.model_fields['kind'].default}:{item}"


class BiasPush(Push):
    kind: Literal[AlertType.BIAS] = AlertType.BIAS
    calls: list[BiasCall]
    record: TrackLine | None = None
    policy: ClassVar[Policy] = Policy.COOLDOWN

    def items(self) -> list[str]:
        return [c.symbol for c in self.calls]

    def only(self, items: list[str]) -> Self:
        return self.model_copy(update={"calls": [c for c in self.calls if c.symbol in items]})


class SniperPush(Push):
    kind: Literal[AlertType.SNIPER] = AlertType.SNIPER
    maps: list[EntryMap]
    record: TrackLine | None = None
    policy: ClassVar[Policy] = Policy.SAME_SETUP

    def items(self) -> list[str]:
        return [m.symbol for m in self.maps]

    def only(self, items: list[str]) -> Self:
        return self.model_copy(update={"maps": [m for m in self.maps if m.symbol in items]})


class HealthPush(Push):
    kind: Literal[AlertType.HEALTH] = AlertType.HEALTH
    notice: HealthNotice


class EditPush(Push):
    """A pushed sniper map, edited in place with its live state."""

    kind: Literal[AlertType.SNIPER_EDIT] = AlertType.SNIPER_EDIT
    track: Tracking
    delivery: ClassVar[Delivery] = Delivery.EDIT

    def coins(self) -> list[str]:
        return [self.track.map.symbol]


class OutcomePush(Push):
    """A short reply to a pushed sniper map on its final outcome."""

    kind: Literal[AlertType.SNIPER_OUTCOME] = AlertType.SNIPER_OUTCOME
    track: Tracking
    delivery: ClassVar[Delivery] = Delivery.REPLY

    def coins(self) -> list[str]:
        return [self.track.map.symbol]


class WithdrawnPush(Push):
    kind: Literal[AlertType.BIAS_WITHDRAWN] = AlertType.BIAS_WITHDRAWN
    withdrawn: list[Withdrawal]
    delivery: ClassVar[Delivery] = Delivery.REPLY

    def items(self) -> list[str]:
        return [w.symbol for w in self.withdrawn]

    def only(self, items: list[str]) -> Self:
        return self.model_copy(
            update={"withdrawn": [w for w in self.withdrawn if w.symbol in items]}
        )


class RulePush(Push):
    """The alerts of one chat that fired in one pass: one message."""

    kind: Literal[AlertType.RULE] = AlertType.RULE
    fires: list[RuleFire]

    def items(self) -> list[str]:
        return [str(f.rule_id) for f in self.fires]

    def coins(self) -> list[str]:
        return sorted({f.symbol.split("-")[0] for f in self.fires})

    def urgent(self) -> bool:
        return any(f.urgent for f in self.fires)


# What quiet hours may hold (the away summary and the brief themselves are never held).
HeldPayload = Annotated[
    BiasPush | SniperPush | HealthPush | EditPush | OutcomePush | WithdrawnPush | RulePush,
    Field(discriminator="kind"),
]


class Held(BaseModel):
    at: datetime  # when its job made it
    payload: HeldPayload


class AwayPush(Push):
    """What the chat's quiet hours held, as one message when they ended: each push as it was,
    with each coin's price now (what happened since)."""

    kind: Literal[AlertType.AWAY] = AlertType.AWAY
    held: list[Held]
    prices: dict[str, Decimal] = Field(default_factory=dict)
    source: str = "OKX"


class BriefPush(Push):
    """A chat's daily brief, at the time it set."""

    kind: Literal[AlertType.BRIEF] = AlertType.BRIEF
    brief: Brief


Payload = Annotated[
    BiasPush
    | SniperPush
    | HealthPush
    | EditPush
    | OutcomePush
    | WithdrawnPush
    | RulePush
    | AwayPush
    | BriefPush,
    Field(discriminator="kind"),
]
PUSH_KINDS: tuple[type[Push], ...] = get_args(get_args(Payload)[0])
# Alerts whose message is later edited or answered: the id Telegram gave it is kept.
FOLLOWED = frozenset({AlertType.SNIPER})


class Alert(BaseModel):
    """What one job run (or one alert pass) pushes: when it started and one kind's payload.
    Stored as JSON before delivery, rendered per chat at send time."""

    started_at: datetime  # when the job run started: alert lag is measured from here
    payload: Payload

    @property
    def type(self) -> AlertType:
        return self.payload.kind

    def only(self, items: list[str]) -> Alert:
        """The part of this alert one chat receives (a push with no items stays whole)."""
        if not self.payload.items():
            return self
        return self.model_copy(update={"payload": self.payload.only(items)})

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """Alerts stored before the payload union (`type` and one field per kind) still read:
        an outbox may hold them across the upgrade."""
        if not isinstance(data, dict) or "payload" in data or "type" not in data:
            return data
        kind = AlertType(data["type"])
        fields = {
            AlertType.BIAS: lambda d: {"calls": d.get("bias", []), "record": d.get("record")},
            AlertType.SNIPER: lambda d: {"maps": d.get("sniper", []), "record": d.get("record")},
            AlertType.HEALTH: lambda d: {"notice": d.get("health")},
            AlertType.SNIPER_EDIT: lambda d: {"track": d.get("track")},
            AlertType.SNIPER_OUTCOME: lambda d: {"track": d.get("track")},
            AlertType.BIAS_WITHDRAWN: lambda d: {"withdrawn": d.get("withdrawn", [])},
        }[kind](data)
        return {"started_at": data["started_at"], "payload": {"kind": kind.value, **fields}}
