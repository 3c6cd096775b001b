"""An answer that cannot be delivered (the user blocked the bot) is one warning, never an
ERROR with a traceback stacked on the failure it was answering."""

from __future__ import annotations

import pytest

from tests.fakes.vendors import FakeVendors, Fault
from tests.unit.dispatch import Dispatch


@pytest.mark.parametrize(
    ("command", "fault"),
    [
        ("/ticker NOPECOIN", None),  # a symbol error's answer
        ("/ticker SOL", Fault(status=500)),  # an "unavailable" answer
    ],
)
async def test_an_error_answer_to_a_chat_that_blocked_the_bot_is_one_warning(
    dispatch: Dispatch, vendors: FakeVendors, command: str, fault: Fault | None, fast_backoff: None
) -> None:
    if fault is not None:
        vendors.fail("/api/v5/market/tickers", fault)
    dispatch.refuse("sendMessage", "Forbidden: bot was blocked by the user", code=403)
    await dispatch.command(command)
    assert dispatch.telegram.calls_to("sendMessage")  # it tried to answer
    assert not dispatch.logs.errors and not dispatch.logs.tracebacks
    assert any("could not tell the user" in line.message for line in dispatch.logs.warnings)
