"""The Bot API methods the bot calls, one `_m_<method>` each (getUpdates is in updates.py).

A handler returns the call's `result`, or a `web.Response` for a refusal (checked like Telegram:
HTML, length, an edit that changes nothing)."""

from __future__ import annotations

import json
import time
from typing import Any

from aiohttp import web

from tests.fakes.telegram.calls import bad_request
from tests.fakes.telegram.fixtures import ADMIN_RIGHTS, BOT_ID, fixture
from tests.fakes.telegram.html import TEXT_LIMIT, check_text


class Methods:
    admins: set[tuple[int, int]]  # a field of FakeTelegram: (chat_id, user_id)
    _next_message_id: int  # shared with the updates a test pushes

    def _init_methods(self) -> None:
        self._contents: dict[tuple[str, str], tuple[str, str]] = {}
        self.menus: dict[str, list[Any]] = {}  # language code ("" for all) -> commands set

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return fixture("response_getMe_ok.json")["result"]

    async def _m_getChatMember(self, params: dict[str, Any]) -> Any:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = "administrator" if (chat_id, user_id) in self.admins else "member"
        member: dict[str, Any] = {
            "status": status,
            "user": {"id": user_id, "is_bot": False, "first_name": "Marco"},
        }
        if status == "administrator":
            member.update(ADMIN_RIGHTS)
        return member

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.menus[params.get("language_code") or ""] = list(params.get("commands") or [])
        return True

    async def _m_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.menus.get(params.get("language_code") or "", [])

    async def _m_setMessageReaction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    def _message(
        self, chat_id: Any, text: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The Message Telegram answers with: a new one, or (`params` of an edit) the one
        edited, its id kept. Either carries the keyboard it was given, as Telegram's does."""
        params = params or {}
        if "message_id" in params:
            message_id = int(params["message_id"])
        else:
            self._next_message_id += 1
            message_id = self._next_message_id
        chat_id = int(chat_id)
        chat = (
            {"id": chat_id, "first_name": "Rina", "type": "private"}
            if chat_id > 0
            else {"id": chat_id, "title": "SOL Traders", "type": "supergroup"}
        )
        found: dict[str, Any] = {
            "message_id": message_id,
            "from": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Crypto Intel",
                "username": "SomeBot",
            },
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            found["reply_markup"] = markup
        return found

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        checked = check_text(str(params.get("text", "")), params.get("parse_mode"), TEXT_LIMIT)
        if isinstance(checked, web.Response):
            return checked
        message = self._message(
            params["chat_id"], checked, {"reply_markup": params.get("reply_markup")}
        )
        key = (str(params["chat_id"]), str(message["message_id"]))
        self._contents[key] = (
            str(params.get("text")),
            json.dumps(params.get("reply_markup"), sort_keys=True),
        )
        return message

    def _edit(self, params: dict[str, Any], content: str) -> Any:
        """Telegram refuses an edit that changes nothing: text and keyboard as they were."""
        key = (str(params.get("chat_id")), str(params.get("message_id")))
        state = (content, json.dumps(params.get("reply_markup"), sort_keys=True))
        if key not in self._contents:
            return bad_request("message to edit not found")
        if self._contents.get(key) == state:
            return web.json_response(fixture("error_400_not_modified.json"), status=400)
        self._contents[key] = state
        return None

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        checked = check_text(str(params.get("text", "")), params.get("parse_mode"), TEXT_LIMIT)
        if isinstance(checked, web.Response):
            return checked
        refused = self._edit(params, str(params.get("text")))
        if refused is not None:
            return refused
        return self._message(params["chat_id"], checked, params)

    async def _m_editMessageCaption(self, params: dict[str, Any]) -> Any:
        refused = self._edit(params, str(params.get("caption")))
        if refused is not None:
            return refused
        result = fixture("response_sendPhoto_ok.json")["result"]
        result["chat"]["id"] = int(params["chat_id"])
        return result

    async def _m_editMessageMedia(self, params: dict[str, Any]) -> Any:
        media = params.get("media")
        media = json.loads(media) if isinstance(media, str) else media or {}
        caption = str(media.get("caption", ""))
        if caption:
            checked = check_text(caption, media.get("parse_mode"), 1024)
            if isinstance(checked, web.Response):
                return checked
        params["caption"] = caption  # recorded like sendPhoto's, for the tests
        self._edit(params, f"{caption}#{self._next_message_id}")  # a new image always differs
        result = fixture("response_sendPhoto_ok.json")["result"]
        result["chat"]["id"] = int(params["chat_id"])
        return result

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        caption = str(params.get("caption", ""))
        if caption:
            checked = check_text(caption, params.get("parse_mode"), 1024)
            if isinstance(checked, web.Response):
                return checked
        result = fixture("response_sendPhoto_ok.json")["result"]
        result["chat"]["id"] = int(params["chat_id"])
        return result
