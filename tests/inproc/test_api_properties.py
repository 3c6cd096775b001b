"""Property-based: any text a client may send in any documented parameter of any endpoint gets
an answer the OpenAPI document describes (its model on 200, a problem otherwise), never a 5xx
but 503 (a source failing). Hypothesis generates the values; the API runs in its own thread
with its own loop, as a server does."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.api.openapi import openapi_document
from bot.api.problems import Problem
from bot.api.routes import API_ROUTES
from bot.api.server import PREFIX
from bot.api.spec import ApiRoute
from tests.inproc.api_server import KEY

DOCUMENT = openapi_document(PREFIX)


def documented(route: ApiRoute) -> set[int]:
    return {int(code) for code in DOCUMENT["paths"][PREFIX + route.path]["get"]["responses"]}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(API_ROUTES),
    value=st.text(min_size=1, max_size=40),
    in_query=st.booleans(),
)
def test_any_parameter_value_gets_a_documented_answer(
    api: str, route: ApiRoute, value: str, in_query: bool
) -> None:
    path = PREFIX + route.path.replace("{symbol}", quote(value, safe=""))
    query = {p.name: value for p in route.params if p.where == "query" and in_query}
    answer = httpx.get(api + path, params=query, headers={"X-API-Key": KEY}, timeout=30)
    assert answer.status_code in documented(route), (path, query, answer.text[:200])
    assert answer.status_code < 500 or answer.status_code == 503
    if answer.status_code == 200:
        route.model.model_validate_json(answer.text)
    else:
        assert answer.headers["content-type"].startswith("application/problem+json")
        Problem.model_validate_json(answer.text)
