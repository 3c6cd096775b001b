"""What an endpoint is asked: its path and query parameters by name, as one mapping. The
handlers read this, not the HTTP request, so one handler answers its own route, a
compatibility route that names a parameter otherwise, and an operation of POST /gpts/advanced."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

Args = Mapping[str, str]


def args_of(request: web.Request) -> dict[str, str]:
    """A request's query and path parameters; the path's win over a query of the same name."""
    return {**request.query, **request.match_info}
