"""Marks Bot API calls made by the alert sender, which handles 429 itself (by pausing)."""

from __future__ import annotations

from contextvars import ContextVar

IN_SENDER: ContextVar[bool] = ContextVar("in_sender", default=False)
