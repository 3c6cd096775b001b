"""What came of one try at a delivery: the single value a send turns into (bot/delivery/outcomes.py
reads Telegram's answer into it) and the outbox is then updated from, in one place (the sender's
`apply`). A new kind of answer from Telegram is a new case here and there, not a new except
clause with its own bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sent:
    """Accepted: the id of the (first) message made, which follow-ups edit or answer."""

    message_id: int | None


@dataclass(frozen=True)
class Paused:
    """429: the whole sender waits `seconds`; the delivery is due then, no try spent."""

    seconds: float


@dataclass(frozen=True)
class TokenRefused:
    """401: Telegram refuses the bot itself; nothing is sent until the token works again, and
    the delivery keeps its tries."""

    detail: str


@dataclass(frozen=True)
class Moved:
    """The group became a supergroup: the delivery (and the subscriptions) follow it there."""

    chat_id: int


@dataclass(frozen=True)
class Gone:
    """Blocked, removed, or the chat no longer exists: its subscriptions end and everything
    still queued for it is closed."""

    why: str


@dataclass(frozen=True)
class Refused:
    """Any other refusal (a 400): sending it again would only be refused again; closed."""

    why: str


@dataclass(frozen=True)
class Unsure:
    """Network trouble or a 5xx: tried again later, a bounded number of times."""

    error: str


Outcome = Sent | Paused | TokenRefused | Moved | Gone | Refused | Unsure
