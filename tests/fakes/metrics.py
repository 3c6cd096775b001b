"""Reading one sample out of Prometheus' text format, for tests of the bot's /metrics."""

from __future__ import annotations

import re


def sample(text: str, name: str, **labels: str) -> float:
    """The first line of `name` carrying `labels` (0 when absent)."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match[3])
    return 0.0
