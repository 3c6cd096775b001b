"""The one enum of what the bot pushes: the alert types a job produces and the kinds a chat
subscribes to are its members (`SUBSCRIBABLE` names the ones a chat can switch)."""

from __future__ import annotations

from enum import StrEnum


class AlertType(StrEnum):
    BIAS = "bias"
    SNIPER = "sniper"
    HEALTH = "health"  # to the bot admins only, never to subscribers
    # Follow-ups on what a chat was pushed before:
    SNIPER_EDIT = "sniper_edit"  # the pushed map edited in place with its live state
    SNIPER_OUTCOME = "sniper_outcome"  # a short reply to it on the final outcome
    BIAS_WITHDRAWN = "bias_withdrawn"  # a pushed LONG/SHORT the bot no longer makes
    # The subscription to those replies (on unless muted with /unsubscribe followups); the
    # silent edits of a pushed map always happen.
    FOLLOWUPS = "followups"


SUBSCRIBABLE: tuple[AlertType, ...] = (AlertType.BIAS, AlertType.SNIPER, AlertType.FOLLOWUPS)
PUSHES: tuple[AlertType, ...] = (AlertType.BIAS, AlertType.SNIPER)  # what `all` subscribes to
