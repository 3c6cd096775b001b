"""How long the person waiting on an answer has left.

A chat command sets a deadline around its handler; every vendor call under it shortens its
timeout and its retries to what is left, a slow primary source gets a hedged fallback, and a
shared refresh is waited on only that long. Jobs set none and keep the long retry budget.
A context variable rather than a parameter: the deadline belongs to the request, and threading
it through every service signature would touch each call between the handler and the client.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic() by which the data must be in hand
    hedge_after: float  # a primary this slow gets its fallback started beside it

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())


_current: ContextVar[Deadline | None] = ContextVar("answer_deadline", default=None)


def current() -> Deadline | None:
    return _current.get()


def remaining() -> float | None:
    """Seconds left, or None when nobody is waiting (a job)."""
    deadline = _current.get()
    return None if deadline is None else deadline.remaining()


@contextmanager
def answer_within(seconds: float, hedge_after: float) -> Iterator[Deadline]:
    deadline = Deadline(time.monotonic() + seconds, hedge_after)
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


@contextmanager
def unbounded() -> Iterator[None]:
    """For work that outlives the answer (a catalogue refresh left running in the background)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)
