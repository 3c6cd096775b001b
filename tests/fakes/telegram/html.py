"""Telegram's HTML validation: allowed tags, balanced, escaped `<`/`&`, length after parsing."""

from __future__ import annotations

import html
import re

from aiohttp import web

from tests.fakes.telegram.calls import bad_request

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_TAG_NAME = re.compile(r"/?\s*([a-zA-Z][a-zA-Z0-9-]*)")
TEXT_LIMIT = 4096


class HtmlError(ValueError):
    pass


def parse_html(text: str) -> str:
    """The visible text of a Telegram HTML message, or HtmlError with Telegram's wording."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            end = text.find(">", i)
            match = _TAG_NAME.match(text, i + 1)
            if end == -1 or match is None:
                offset = len(text[:i].encode())
                raise HtmlError(f'Unsupported start tag "" at byte offset {offset}')
            name = match.group(1).lower()
            if text[i + 1 : end].lstrip().startswith("/"):
                if not stack or stack[-1] != name:
                    raise HtmlError(
                        f"Unmatched end tag at byte offset {len(text[:i].encode())}, "
                        f'expected "</{stack[-1] if stack else ""}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                if name not in ALLOWED_TAGS:
                    offset = len(text[:i].encode())
                    raise HtmlError(f'Unsupported start tag "{name}" at byte offset {offset}')
                stack.append(name)
            i = end + 1
        elif char == "&":
            match = _ENTITY.match(text, i)
            if match:
                out.append(html.unescape(match.group(0)))
                i = match.end()
            else:
                out.append("&")
                i += 1
        else:
            out.append(char)
            i += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_text(text: str, parse_mode: str | None, limit: int) -> str | web.Response:
    """The visible text, or the 400 Telegram answers for bad HTML, empty or too long text."""
    visible = text
    if parse_mode and parse_mode.upper() == "HTML":
        try:
            visible = parse_html(text)
        except HtmlError as exc:
            return bad_request(f"can't parse entities: {exc}")
    if not visible.strip():
        return bad_request("message text is empty")
    if utf16_len(visible) > limit:
        return bad_request("message is too long")
    return visible
