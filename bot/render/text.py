"""HTML helpers and the one splitter every reply goes through."""

from __future__ import annotations

import html
import re

TELEGRAM_LIMIT = 4096
CAPTION_LIMIT = 1024


def esc(value: object) -> str:
    """Escape anything that came from a user or a vendor."""
    return html.escape(str(value), quote=False)


def b(text: str) -> str:
    return f"<b>{text}</b>"


def code(text: str) -> str:
    return f"<code>{text}</code>"


def i(text: str) -> str:
    return f"<i>{text}</i>"


def clip(value: str, limit: int = 32) -> str:
    """Shorten user text before echoing it back."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _safe_cut(line: str, limit: int) -> int:
    """A cut position <= limit that is not inside a tag or an entity."""
    cut = limit
    lt, gt = line.rfind("<", 0, cut), line.rfind(">", 0, cut)
    if lt > gt:
        cut = lt
    amp, semi = line.rfind("&", 0, cut), line.rfind(";", 0, cut)
    if amp > semi and cut - amp <= 10:
        cut = amp
    return cut if cut > 0 else limit


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split on line boundaries into parts of at most `limit` characters.

    Renderers open and close every tag on one line, so a line boundary never cuts a tag pair.
    Length is counted on the HTML source, which is never shorter than what Telegram counts.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [p for p in parts if p.strip()]


def html_to_plain(text: str) -> str:
    """For places without HTML (button alerts): tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
