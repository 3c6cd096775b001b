"""PostgreSQL refused, hung or cut (a TCP proxy between the bot and the real server), in
process: commands that write nothing answer within a few seconds (defaults for language, the
chat-seen write skipped, flags as last read); writes answer plainly that nothing was saved;
the outage is logged once and shown in /status; everything works again once it answers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot import scheduler
from bot.keyboards import FlagToggle
from services.container import build_services
from services.kernel.alerts import Job
from services.market.flags import Flag
from services.storage.leases import Leases
from tests.conftest import vendor_settings
from tests.fakes.outage_matrix import Matrix, matrix_fixture, seconds
from tests.fakes.stores import proxied_postgres, until
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vendors import FakeVendors
from tests.unit.dispatch import ADMIN, GROUP, USER, Dispatch

pytestmark = pytest.mark.postgres

matrix = matrix_fixture("PostgreSQL outages: outcome per check (DATABASE_URL behind a TCP proxy)")
NOT_SAVED = "Couldn't save that right now; please try again in a minute."
FAILED = "Something went wrong"
MakeBot = Callable[..., Awaitable[Dispatch]]


@pytest.fixture
async def pg_proxy(database_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    async with proxied_postgres(database_url) as proxied:
        yield proxied


@pytest.fixture
async def make_bot(telegram: FakeTelegram, vendors: FakeVendors) -> AsyncIterator[MakeBot]:
    made: list[Dispatch] = []

    async def make(url: str, **overrides: Any) -> Dispatch:
        settings = vendor_settings(
            vendors.base_url,
            database_url=url,
            bot_token=telegram.token,
            telegram_api_base=telegram.base_url,
            admin_ids=[ADMIN],
            **{
                "database_timeout_seconds": 1.0,
                "database_statement_timeout_seconds": 2.0,
                "store_probe_seconds": 0.3,
                **overrides,
            },
        )
        services = build_services(settings)
        await services.start()
        bot = await Dispatch.create(telegram, services)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        await bot.close()
        await bot.services.aclose()


async def ask(bot: Dispatch, text: str, **fields: Any) -> tuple[float, str]:
    before = len(bot.texts())
    started = time.monotonic()
    await bot.command(text, **fields)
    took = time.monotonic() - started
    answers = bot.texts()[before:]
    assert answers, f"{text}: no answer"
    return took, answers[-1]


async def press_toggle(bot: Dispatch) -> str:
    before = len(bot.answers())
    await bot.press(FlagToggle(name=Flag.WHALE, on=False).pack(), chat_id=ADMIN, user_id=ADMIN)
    [answer] = bot.answers()[before:]
    return str(answer.params.get("text", ""))


def db_warnings(bot: Dispatch) -> list[str]:
    return [w.message for w in bot.logs.warnings if "database is not answering" in w.message]


@pytest.mark.slow  # a second or more on its own: in `make test`, not in `make check`
@pytest.mark.parametrize("mode", ["refuse", "hang"])
async def test_reads_answer_from_caches_and_writes_say_plainly_nothing_was_saved(
    mode: str, pg_proxy: tuple[TcpProxy, str], make_bot: MakeBot, matrix: Matrix
) -> None:
    proxy, url = pg_proxy
    bot = await make_bot(url)
    await ask(bot, "/ticker SOL")  # pools warm, the user's chat recorded
    await proxy.set_mode(mode)
    # A group never seen: its language is looked up and it would be recorded.
    first, ticker = await ask(bot, "/ticker SOL", chat_id=GROUP)
    second, ticker2 = await ask(bot, "/ticker BTC", chat_id=GROUP)
    help_took, help_text = await ask(bot, "/help", chat_id=USER + 1)
    status_took, status = await ask(bot, "/status", chat_id=ADMIN)
    for text in (ticker, ticker2, help_text, status):
        assert FAILED not in text
    assert "SOL" in ticker and "BTC" in ticker2
    assert first < 3.0 and second < 1.0 and help_took < 1.0 and status_took < 1.0
    assert "database</b>: unavailable" in status
    sub_took, subscribed = await ask(bot, "/subscribe")
    _, lang = await ask(bot, "/lang id")
    toggled = await press_toggle(bot)
    assert subscribed == lang == toggled == NOT_SAVED
    assert sub_took < 1.0
    assert not bot.logs.tracebacks and not bot.logs.errors
    assert len(db_warnings(bot)) == 1  # the outage, once; not one per command

    await proxy.set_mode("pass")
    outage = bot.services.db.outage
    back = await until(lambda: not outage.down)
    _, subscribed = await ask(bot, "/subscribe")
    assert "This chat receives" in subscribed
    _, status = await ask(bot, "/status", chat_id=ADMIN)
    assert "database</b>: ok" in status
    matrix.record(mode, "/ticker new chat", seconds(first))
    matrix.record(mode, "/ticker, /help, /status", f"{seconds(second)}, {seconds(help_took)}")
    matrix.record(mode, "/subscribe /lang toggle", "couldn't save")
    matrix.record(mode, "logged", f"{len(db_warnings(bot))} warning")
    matrix.record(mode, "back", f"{seconds(back)} after heal")


async def test_connections_cut_while_idle_cost_nobody_an_error(
    pg_proxy: tuple[TcpProxy, str], make_bot: MakeBot, matrix: Matrix
) -> None:
    proxy, url = pg_proxy
    # The point is that a reconnect costs no error, not how fast it is: on a loaded CI machine
    # a new connection through the proxy can take longer than the 1 s the other cases use.
    bot = await make_bot(url, database_timeout_seconds=5.0)
    await ask(bot, "/subscribe")
    await bot.services.seen_chats.flush()  # idle: the chat's record is written, nothing runs
    await proxy.set_mode("cut")  # e.g. PostgreSQL restarted: every pooled connection is dead
    took, subscribed = await ask(bot, "/unsubscribe")
    assert "receives no pushes" in subscribed
    assert not bot.services.db.outage.down and not db_warnings(bot)
    matrix.record("cut", "/ticker new chat", "-")
    matrix.record("cut", "/subscribe /lang toggle", f"saved ({seconds(took)})")
    matrix.record("cut", "logged", "nothing (pre-ping reconnects)")


async def test_jobs_skip_their_runs_while_the_database_is_away_and_run_once_it_is_back(
    pg_proxy: tuple[TcpProxy, str], make_bot: MakeBot, matrix: Matrix
) -> None:
    proxy, url = pg_proxy
    bot = await make_bot(url)
    services = bot.services
    await proxy.set_mode("refuse")
    for job in (Job.BIAS, Job.SNIPER, Job.GRADING):
        await scheduler.run_job(services, job)  # returns: a run skipped, the schedule goes on
    assert not bot.logs.errors and not bot.logs.tracebacks
    skipped = [w for w in bot.logs.warnings if "skipped: storage unavailable" in w.message]
    assert len(skipped) == 3
    await proxy.set_mode("pass")
    await until(lambda: not services.db.outage.down)
    await scheduler.run_job(services, Job.GRADING)
    assert not await Leases(services.db, "another-replica:8080").take("grading", 60)  # ran here
    assert not bot.logs.errors
    matrix.record("refuse", "jobs", "skip a run, then run")
