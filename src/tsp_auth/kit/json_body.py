"""A JSON request body read once, inside the route, for the hottest route (``/v1/decisions``).

FastAPI's body parameter costs its dependency solving and its response validation on every
call; this reads the body as FastAPI would (a JSON media type: ``application/json`` or
``*/*+json``; otherwise the raw bytes, which no model takes), validates it into the model with
the same error locations, so the one handler answers exactly as before (docs/performance.md,
"What was changed"). ``json_body`` documents the same request body in OpenAPI, and
``json_schemas`` the component schemas FastAPI would have generated.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

Body = TypeVar("Body", bound=BaseModel)
_JSON = "application/json"
_MODELS: dict[str, type[BaseModel]] = {}


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    main, _, sub = media.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


def _value_of(request: Request, body: bytes) -> Any:
    if not body:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    if not _is_json(request.headers.get("content-type")):
        return body
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        position = exc.pos if isinstance(exc, json.JSONDecodeError) else exc.start
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else exc.reason
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", position),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": reason},
                }
            ]
        ) from None


async def read_json(request: Request, model: type[Body]) -> Body:
    """The request's JSON body validated into ``model``, errors located under ``body``."""
    value = _value_of(request, await request.body())
    try:
        # from_attributes, as FastAPI validates a body: the same error for a non-object value.
        return model.model_validate(value, from_attributes=True)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in errors]
        ) from None


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` of a route reading ``model`` with ``read_json``."""
    _MODELS[model.__name__] = model
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"content": {_JSON: {"schema": schema}}, "required": True}}


def json_schemas() -> dict[str, Any]:
    """The component schemas of those models, as FastAPI generates them for a body."""
    routes = [_documenting_route(model) for model in _MODELS.values()]
    document = get_openapi(title="bodies", version="0", routes=routes)
    schemas: dict[str, Any] = document["components"]["schemas"]
    return {name: schemas[name] for name in _MODELS}


def _documenting_route(model: type[BaseModel]) -> APIRoute:
    async def endpoint(body: BaseModel) -> None:
        del body

    endpoint.__annotations__ = {"body": model, "return": None}
    return APIRoute(f"/{model.__name__}", endpoint, methods=["POST"])
