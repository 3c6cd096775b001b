"""Who reads the answer being rendered: the bot's operator (an admin of ADMIN_IDS in a private
chat) or anyone else. Operator details (setting names, store engines, breaker ids) are shown to
the first only; everyone else reads plain words ("ask the bot's operator").

A context variable, as aiogram's i18n keeps the reader's language: set once per update by the
view middleware, read by the renderers that phrase a reason, without threading a flag through
every renderer that may name one. Pushes render with it unset: for anyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_operator: ContextVar[bool] = ContextVar("reader_is_operator", default=False)


def for_operator() -> bool:
    return _operator.get()


def set_operator(operator: bool) -> None:
    """For the rest of this update. Not reset when the handler returns: aiogram's error
    handlers run after the handler's middlewares have unwound, and they phrase the reasons of
    failures too. Each update sets it afresh (a task per update; in-process tests feed updates
    one after another, each setting it again)."""
    _operator.set(operator)


@contextmanager
def operator_reading(operator: bool) -> Iterator[None]:
    """For renders outside an update (tests, the console)."""
    token = _operator.set(operator)
    try:
        yield
    finally:
        _operator.reset(token)
