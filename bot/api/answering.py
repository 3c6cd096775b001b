"""An endpoint's answer to its arguments: held to what the document says of them, under the
chat's deadline, a service's refusal as its problem."""

from __future__ import annotations

from aiohttp import web
from loguru import logger
from pydantic import BaseModel

from bot.api.args import Args
from bot.api.problems import Problem, from_error, respond
from bot.api.spec import ApiRoute
from services.container import Services
from services.kernel.deadline import answer_within
from services.kernel.settings import Settings


def bad_query(route: ApiRoute, args: Args) -> Problem | None:
    """The documented query parameters, held to what the document says of them (a value given
    is not blank; one with listed values is one of them, exactly), so a client built from the
    document is never answered for something other than what it asked."""
    for param in route.params:
        if param.where != "query" or param.name not in args:
            continue
        value = args[param.name]
        if not value.strip():
            return Problem(
                status=400,
                title="empty parameter",
                detail=f"{param.name}: a value, or leave it out",
            )
        if param.values and value not in param.values:
            allowed = ", ".join(param.values)
            return Problem(
                status=400, title="argument not allowed", detail=f"{value!r}: one of {allowed}"
            )
    return None


async def answered(
    route: ApiRoute, args: Args, services: Services, settings: Settings
) -> BaseModel | Problem:
    """The route's model for these arguments, under the chat's deadline; or the problem: a
    parameter not as documented, a service's refusal, anything unexpected as a 500 that tells
    nothing internal."""
    bad = bad_query(route, args)
    if bad is not None:
        return bad
    try:
        with answer_within(settings.chat_deadline_seconds, settings.hedge_after_seconds):
            return await route.handler(args, services)
    except Exception as exc:
        refused = from_error(exc)
        if refused is not None:
            return refused
        logger.exception("api {} failed", route.operation_id)
        return Problem(status=500, title="internal error")


async def answer(
    route: ApiRoute, args: Args, services: Services, settings: Settings
) -> web.Response:
    got = await answered(route, args, services, settings)
    if isinstance(got, Problem):
        return respond(got)
    return web.Response(text=got.model_dump_json(), content_type="application/json")
