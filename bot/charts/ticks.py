"""Compact axis labels (800K, 35M): narrow enough for fixed margins, readable at a glance."""

from __future__ import annotations

from matplotlib.ticker import FuncFormatter


def _compact(value: float, _position: object = None) -> str:
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= threshold:
            return f"{value / threshold:g}{suffix}"
    return f"{value:g}"


COMPACT = FuncFormatter(_compact)
