"""The updates a test feeds the bot (messages, commands, button presses) and the long-polled
getUpdates that hands them out by offset."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from typing import Any

from tests.fakes.telegram.fixtures import fixture
from tests.fakes.telegram.html import utf16_len


class Updates:
    updates: list[dict[str, Any]]  # a field of FakeTelegram
    _next_message_id: int  # shared with the messages the bot sends

    def _init_updates(self) -> None:
        self._next_update_id = 1000
        self._new_update = asyncio.Event()

    def push(self, update: dict[str, Any]) -> int:
        update = copy.deepcopy(update)
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        self.updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def push_command(
        self,
        text: str,
        *,
        chat_id: int = 428756321,
        user_id: int | None = None,
        language_code: str = "en",
        chat_type: str = "private",
    ) -> int:
        base = fixture("update_command_private.json")
        message = base["message"]
        uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 935217486)
        message["from"].update(id=uid, language_code=language_code)
        if chat_type == "private":
            message["chat"] = {"id": chat_id, "first_name": "Rina", "type": "private"}
        else:
            message["chat"] = {"id": chat_id, "title": "SOL Traders", "type": chat_type}
        message["text"] = text
        command_length = len(text.split(" ")[0]) if text.startswith("/") else 0
        message["entities"] = (
            [{"offset": 0, "length": utf16_len(text[:command_length]), "type": "bot_command"}]
            if command_length
            else []
        )
        message["message_id"] = self._next_message_id
        self._next_message_id += 1
        return self.push(base)

    def push_callback(
        self,
        data: str,
        *,
        chat_id: int,
        user_id: int,
        message_id: int,
        language_code: str = "en",
        message: dict[str, Any] | None = None,
    ) -> int:
        """A press on an inline button under the bot's message `message_id`; pass the message
        as the bot sent it (a photo, say) when the handler looks at it."""
        base = fixture("update_callback_query.json")
        query = base["callback_query"]
        query["id"] = str(self._next_update_id * 7919)
        query["from"].update(id=user_id, language_code=language_code)
        if message is not None:
            query["message"] = copy.deepcopy(message)
        query["message"].update(message_id=message_id)
        query["message"]["chat"] = {"id": chat_id, "first_name": "Rina", "type": "private"}
        query["data"] = data
        return self.push(base)

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return self.updates[:100]
