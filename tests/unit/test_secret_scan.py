"""The e2e harness fails a test whose bot logged a secret it was given (checked on every stop)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import COINAPI_TEST_KEY, BotProcess
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors


def bot(tmp_path: Path) -> BotProcess:
    return BotProcess(
        FakeTelegram(),
        FakeVendors(),
        tmp_path,
        COINAPI_API_KEY=COINAPI_TEST_KEY,
        DATABASE_URL="postgresql+asyncpg://bot:db-pass-1234@127.0.0.1:5432/bot",
    )


def test_a_clean_log_passes(tmp_path: Path) -> None:
    process = bot(tmp_path)
    process.log_path.write_text("INFO | webhook mode: http://127.0.0.1/tg/***\n")
    process.assert_no_secrets()


@pytest.mark.parametrize("leak", ["token", "key", "password"])
def test_a_secret_anywhere_in_the_log_fails(tmp_path: Path, leak: str) -> None:
    process = bot(tmp_path)
    value = {
        "token": process.telegram.token,
        "key": COINAPI_TEST_KEY,
        "password": "db-pass-1234",
    }[leak]
    process.log_path.write_text(f"INFO | started\nTraceback ...\n  url=http://x/{value}/getMe\n")
    with pytest.raises(AssertionError, match="the bot logged"):
        process.assert_no_secrets()
