"""The OpenAPI 3.1 document, generated from API_ROUTES and the models they answer with (a
custom GPT action imports it as is)."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from bot.api.problems import Problem
from bot.api.routes import API_ROUTES

REF = "#/components/schemas/{model}"
ERRORS = {
    "401": "No valid API key (X-API-Key or Authorization: Bearer)",
    "429": "Over this key's requests per minute (Retry-After says when to ask again)",
    "503": "Every source of the data failed (`failures` says which and why)",
}


def openapi_document(prefix: str) -> dict[str, Any]:
    models = {route.model for route in API_ROUTES} | {Problem}
    refs, document = models_json_schema(
        [(m, "serialization") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template=REF,
    )
    problem_ref = {"$ref": REF.format(model="Problem")}
    paths: dict[str, Any] = {}
    for route in API_ROUTES:
        errors = {
            code: {
                "description": text,
                "content": {"application/problem+json": {"schema": problem_ref}},
            }
            for code, text in ERRORS.items()
        }
        if route.params:
            errors["400"] = {
                "description": "A symbol that is no symbol, or a value not among those allowed",
                "content": {"application/problem+json": {"schema": problem_ref}},
            }
            errors["404"] = {
                "description": "Unknown symbol (with a suggestion when one is close)",
                "content": {"application/problem+json": {"schema": problem_ref}},
            }
        paths[prefix + route.path] = {
            "get": {
                "operationId": route.operation_id,
                "summary": route.summary,
                "parameters": [
                    {
                        "name": p.name,
                        "in": p.where,
                        "required": p.where == "path",
                        "description": p.description,
                        "schema": p.schema(),
                    }
                    for p in route.params
                ],
                "responses": {
                    "200": {
                        "description": route.summary,
                        "content": {
                            "application/json": {"schema": refs[(route.model, "serialization")]}
                        },
                    },
                    **errors,
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Crypto market intelligence (read-only)", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": document.get("$defs", {}),
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
        "security": [{"key": []}],
    }
