"""HTTP details every OAuth endpoint shares: form bodies only, one value each (their answers
are never cached: ``tsp_auth.kit.no_store``)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from tsp_auth.oauth.errors import InvalidRequest

FORM_TYPE = "application/x-www-form-urlencoded"
# Starlette's form parser refused more fields than this; the answer to a flood stays the same.
MAX_FIELDS = 1000

FormModel = TypeVar("FormModel", bound=BaseModel)


async def read_form(request: Request, model: type[FormModel]) -> FormModel:
    """The request's form, parsed once and validated into ``model``.

    RFC 6749 §3.2 / §4.1.3: ``application/x-www-form-urlencoded`` bodies, each parameter at
    most once (§3.2: "MUST NOT be included more than once"). An empty value counts as absent,
    as FastAPI's ``Form`` parameters had it. Field errors are a ``RequestValidationError``
    with the locations FastAPI gave them, so the one handler words them as before.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        raise InvalidRequest(f"the body must be {FORM_TYPE}")
    fields = form_fields(await request.body())
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in errors]
        ) from None


def form_fields(body: bytes) -> dict[str, str]:
    """Name → value of a urlencoded body, each name at most once, empty values left out.

    Decoded as Starlette's form parser did: bytes as latin-1, then percent-escapes as UTF-8
    (undecodable ones replaced), ``+`` as a space.
    """
    pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, errors="replace")
    if len(pairs) > MAX_FIELDS:
        raise InvalidRequest(f"Too many fields. Maximum number of fields is {MAX_FIELDS}.")
    fields = dict(pairs)
    if len(fields) != len(pairs):
        counts = Counter(name for name, _ in pairs)
        repeated = sorted(name for name, count in counts.items() if count > 1)
        raise InvalidRequest(f"parameters given more than once: {', '.join(repeated)}")
    return {name: value for name, value in fields.items() if value}


def form_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` of a route reading ``model`` with ``read_form``: the request body
    FastAPI documents for a ``Form`` model parameter (its schema: ``form_schemas``)."""
    _FORM_MODELS[model.__name__] = model
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"content": {FORM_TYPE: {"schema": schema}}, "required": True}}


_FORM_MODELS: dict[str, type[BaseModel]] = {}


def form_schemas() -> dict[str, Any]:
    """The component schemas of the form models, as FastAPI itself generates them.

    Worked out by FastAPI from a route per model that takes it as ``Form``, so the document
    says exactly what it said when the OAuth routes declared those parameters.
    """
    routes = [_documenting_route(model) for model in _FORM_MODELS.values()]
    document = get_openapi(title="forms", version="0", routes=routes)
    schemas: dict[str, Any] = document["components"]["schemas"]
    return {name: schemas[name] for name in _FORM_MODELS}


def _documenting_route(model: type[BaseModel]) -> APIRoute:
    async def endpoint(form: BaseModel) -> None:
        del form

    # The annotation as an object: under ``from __future__ import annotations`` a string
    # naming the local ``model`` could not be resolved.
    endpoint.__annotations__ = {"form": Annotated[model, Form()], "return": None}
    return APIRoute(f"/{model.__name__}", endpoint, methods=["POST"])
