"""A start at the newest schema imports neither matplotlib (charts are drawn on demand) nor
alembic (migrations run only when the schema is behind): both cost start-up time for nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import sqlite_copy

PROBE = """
import asyncio, sys
import bot.app, bot.__main__
from services.storage.db import Database

async def main():
    db = Database(sys.argv[1])
    await db.migrate()
    await db.close()

asyncio.run(main())
print(sorted(m for m in ("matplotlib", "alembic") if m in sys.modules))
"""


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
def test_a_start_at_the_newest_schema_imports_no_charts_and_no_migrations(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    at_head = sqlite_copy(migrated_sqlite, tmp_path / "head.db")
    empty = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    lines = []
    for url in (at_head, empty):
        done = subprocess.run(
            [sys.executable, "-c", PROBE, url], capture_output=True, text=True, check=True
        )
        lines.append(done.stdout.strip().splitlines()[-1])
    assert lines[0] == "[]"  # at head: neither is needed
    assert lines[1] == "['alembic']"  # a new database is migrated by alembic, as always
