"""Schemathesis against the running API: values generated from the OpenAPI document itself,
both what it allows and what it does not, in every parameter of every operation, and every
answer checked against the document (status code, content type, body schema, headers)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from bot.api.openapi import openapi_document
from bot.api.server import PREFIX
from tests.inproc.api_server import KEY

CONFIG = SchemathesisConfig.from_dict(
    {
        # Parameters the document does not name are ignored, as most APIs do, not refused.
        "generation": {"mode": "all", "allow-extra-parameters": False},
        "checks": {
            # A symbol is free text the way traders type it: a text that is no symbol at all
            # ("0") is a documented 400, one that is no listed coin a documented 404, and a
            # source failing (the test has no ETF key) a documented 503.
            "positive_data_acceptance": {"expected-statuses": ["2XX", "400", "404", "503"]},
            # Only a source failing may be a 5xx, and it is documented (503).
            "not_a_server_error": {"expected-statuses": ["2XX", "3XX", "4XX", "503"]},
        },
    }
)
pytestmark = pytest.mark.slow  # ~10 s: in `make test`, not in `make check`
schema = schemathesis.openapi.from_dict(openapi_document(PREFIX), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,  # the same cases every run: CI fails on a change, not on a new draw
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_is_what_the_document_says(case: schemathesis.Case, api: str) -> None:
    case.call_and_validate(base_url=api, headers={"X-API-Key": KEY})
