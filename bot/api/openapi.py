"""The OpenAPI 3.1 document, generated from API_ROUTES and the models they answer with (a
custom GPT action imports it as is)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from bot.api.compat import ALIASES, Alias, GptsBatch, GptsBatchResult, GptsOperation, GptsResult
from bot.api.problems import Problem
from bot.api.routes import API_ROUTES
from bot.api.spec import Param

REF = "#/components/schemas/{model}"
ERRORS = {
    "401": "No valid API key (X-API-Key or Authorization: Bearer)",
    "429": "Over this key's requests per minute (Retry-After says when to ask again)",
    "503": "Every source of the data failed (`failures` says which and why)",
}


def _errors(with_params: bool) -> dict[str, Any]:
    problem_ref = {"$ref": REF.format(model="Problem")}
    errors = {
        code: {
            "description": text,
            "content": {"application/problem+json": {"schema": problem_ref}},
        }
        for code, text in ERRORS.items()
    }
    if with_params:
        errors["400"] = {
            "description": "A symbol that is no symbol, or a value not among those allowed",
            "content": {"application/problem+json": {"schema": problem_ref}},
        }
        errors["404"] = {
            "description": "Unknown symbol (with a suggestion when one is close)",
            "content": {"application/problem+json": {"schema": problem_ref}},
        }
    return errors


def _get(
    operation_id: str, summary: str, params: list[Param], schema: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [
                {
                    "name": p.name,
                    "in": p.where,
                    "required": p.where == "path",
                    "description": p.description,
                    "schema": p.schema(),
                }
                for p in params
            ],
            "responses": {
                "200": {
                    "description": summary,
                    "content": {"application/json": {"schema": schema}},
                },
                **_errors(bool(params)),
            },
            **extra,
        }
    }


def _alias_params(alias: Alias) -> list[Param]:
    """The endpoint's parameters under the earlier names, and those that take one value."""
    theirs = {ours: name for name, ours in alias.renames.items()}
    params = [replace(p, name=theirs.get(p.name, p.name)) for p in alias.route.params]
    params += [
        Param(name, "Only this value is served", "query", values)
        for name, values in alias.only.items()
    ]
    return params


def _gpts(refs: dict[Any, Any]) -> dict[str, Any]:
    one_of = {"oneOf": [refs[(GptsOperation, "validation")], refs[(GptsBatch, "validation")]]}
    answer = {
        "oneOf": [refs[(GptsResult, "serialization")], refs[(GptsBatchResult, "serialization")]]
    }
    errors = _errors(False)
    for code, text in (("400", "A body that is no operation"), ("413", "A body over 16 KB")):
        errors[code] = {
            "description": text,
            "content": {
                "application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}
            },
        }
    return {
        "post": {
            "operationId": "gptsAdvanced",
            "summary": "Compatibility: one operation, or up to ten, in the earlier envelope",
            "tags": ["compatibility"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": one_of}}},
            "responses": {
                "200": {
                    "description": "Each operation's outcome (`ok`, `data` or `error`)",
                    "content": {"application/json": {"schema": answer}},
                },
                **errors,
            },
        }
    }


def openapi_document(prefix: str) -> dict[str, Any]:
    models = {route.model for route in API_ROUTES} | {Problem}
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (m, "serialization") for m in sorted(models, key=lambda m: m.__name__)
    ]
    wanted += [(GptsOperation, "validation"), (GptsBatch, "validation")]
    wanted += [(GptsResult, "serialization"), (GptsBatchResult, "serialization")]
    refs, document = models_json_schema(wanted, ref_template=REF)
    paths: dict[str, Any] = {}
    for route in API_ROUTES:
        schema = refs[(route.model, "serialization")]
        paths[prefix + route.path] = _get(
            route.operation_id, route.summary, list(route.params), schema
        )
    for alias in ALIASES:
        route = alias.route
        paths[alias.path] = _get(
            "compat"
            + route.operation_id[0].upper()
            + route.operation_id[1:]
            + str(ALIASES.index(alias)),
            f"Compatibility: as {prefix}{route.path}",
            _alias_params(alias),
            refs[(route.model, "serialization")],
            tags=["compatibility"],
        )
    paths["/gpts/advanced"] = _gpts(refs)
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
