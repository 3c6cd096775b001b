"""What a chat's settings make of one push at the moment it is delivered: sent, sent without
sound, held until its quiet hours end, muted (counted, not sent) or dropped (its kind switched
off since it was queued). Pure: the sender applies the verdict in the outbox (a held or muted
delivery is a row in that state, so it is never lost and never sent twice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.chats.desk import ChatSettings, Defaults, Mode
from services.kernel.alerts import AlertType


class Action(StrEnum):
    SEND = "send"
    SILENT = "silent"
    HOLD = "hold"
    MUTE = "mute"
    DROP = "drop"


@dataclass(frozen=True)
class Verdict:
    action: Action
    until: datetime | None = None  # a hold's end: when the chat's quiet hours end

    @property
    def sends(self) -> bool:
        return self.action in (Action.SEND, Action.SILENT)


# Edits of a map already pushed make no sound and keep its message true: never held or cut.
ALWAYS = frozenset({AlertType.SNIPER_EDIT})
# What quiet hours never hold (sent silently instead): the bot admins' job health, the away
# summary and the brief themselves.
NOT_HELD = frozenset({AlertType.HEALTH, AlertType.AWAY, AlertType.BRIEF})


def decide(
    desk: ChatSettings,
    defaults: Defaults,
    kind: AlertType,
    items: list[str],
    now: datetime,
    *,
    urgent: bool = False,
) -> Verdict:
    """`items` are the coins the push is about (empty: not about coins); `urgent` is a chat's
    own alert it marked urgent: it still comes during quiet hours, silently."""
    if kind in ALWAYS:
        return Verdict(Action.SEND)
    if desk.switched_off(kind):
        return Verdict(Action.DROP)
    mode = desk.mode(kind)
    if desk.muted(kind, items, now):
        return Verdict(Action.MUTE)
    until = desk.quiet_until(defaults, now)
    if until is not None:
        if urgent or kind in NOT_HELD:
            return Verdict(Action.SILENT)
        return Verdict(Action.HOLD, until)
    return Verdict(Action.SILENT if mode is Mode.SILENT else Action.SEND)
