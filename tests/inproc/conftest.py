"""In-process end-to-end tests: the real Dispatcher, Bot, services, scheduler jobs, alert Sender
and HTTP endpoints, in the test's own event loop, against the fake Bot API and fake vendors.
They cover what tests/e2e covered with one `python -m bot` process per test (3-5 s of imports
each); tests/e2e keeps only what needs the process itself (exits, start-up failures, webhook
mode, SIGKILL, restarts). Helpers: tests/inproc/helpers.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.inproc.api_server import api  # noqa: F401  (the API in its own thread)
from tests.inproc.helpers import FullLog

# The in-process harness's fixtures (tests/unit/dispatch.py), shared rather than copied.
from tests.unit.conftest import (  # noqa: F401
    build,
    dispatch,
    en,
    fast_backoff,
    i18n,
    make_dispatch,
    wired,
)


@pytest.fixture
def log() -> Iterator[FullLog]:
    """Every log line at every level, as the bot process's log file held them (LOG_LEVEL=DEBUG);
    `dispatch.logs` keeps WARNING and above only."""
    capture = FullLog()
    yield capture
    capture.close()
