"""/healthz and /metrics on HTTP_HOST:HTTP_PORT (aiohttp, same event loop as the bot)."""

from __future__ import annotations

from aiohttp import web

from bot.telegram_auth import TelegramAuth
from bot.telegram_conflict import PollingConflict
from services.container import Services
from services.kernel.status import Overall

SERVICES_KEY = web.AppKey("services", Services)
TELEGRAM_KEY = web.AppKey("telegram", TelegramAuth)
POLLING_KEY = web.AppKey("polling", PollingConflict)


async def healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES_KEY]
    overall = services.status.overall()
    jobs = services.job_health()
    if not all(job.healthy for job in jobs):
        overall = Overall.UNHEALTHY  # a signal job whose main modules all fail pushes nothing
    telegram = request.app.get(TELEGRAM_KEY)
    if telegram is not None and not telegram.authorized:
        overall = Overall.UNHEALTHY  # a refused token: the bot can neither answer nor push
    polling = request.app.get(POLLING_KEY)
    if polling is not None and polling.conflicted:
        overall = Overall.UNHEALTHY  # another poller takes turns at the updates: some are missed
    body = {
        "status": overall.value,
        "modules": {
            m.name: {
                "status": m.health.value,
                "reason": m.reason.value if m.reason else None,
                "source": m.source,
                "last_success": m.last_success.isoformat() if m.last_success else None,
            }
            for m in services.status.snapshot()
        },
        "breakers": {s.name: s.state.value for s in services.breakers.snapshots()},
        "jobs": {
            job.job: {
                "healthy": job.healthy,
                "failures": job.failures,
                "resume_at": job.resume_at.isoformat() if job.resume_at else None,
            }
            for job in jobs
        },
    }
    if telegram is not None:
        body["telegram"] = telegram.snapshot()
    if polling is not None:
        body["polling"] = polling.snapshot()
    return web.json_response(body, status=503 if overall is Overall.UNHEALTHY else 200)


async def metrics(request: web.Request) -> web.Response:
    payload = request.app[SERVICES_KEY].metrics.render()
    return web.Response(body=payload, headers={"Content-Type": "text/plain; version=0.0.4"})


def make_app(
    services: Services,
    telegram: TelegramAuth | None = None,
    polling: PollingConflict | None = None,
) -> web.Application:
    app = web.Application()
    app[SERVICES_KEY] = services
    if telegram is not None:
        app[TELEGRAM_KEY] = telegram
    if polling is not None:
        app[POLLING_KEY] = polling
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_http(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
