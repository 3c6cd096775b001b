"""Message filters that run in place.

aiogram runs a plain callable filter (a magic `F.text` among them) in a worker thread, one
thread hop per update for a check of a few attributes; wrapped in a `Filter` it is awaited on
the event loop like the bot's own filters.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.utils.magic_filter import MagicFilter


class InPlace(Filter):
    def __init__(self, magic: MagicFilter) -> None:
        self._magic = magic

    async def __call__(self, event: Any) -> bool:
        return bool(self._magic.resolve(event))
