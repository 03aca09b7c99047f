"""Request bodies and queries are strictly typed (tsp_auth.kit.strict, docs/security.md).

``{"valid": 0}``, ``1`` or ``"false"`` is not a boolean, ``"5"`` is not an integer in JSON, and
``?until=0.5`` is not a date: each is a 400 in the one error shape, and nothing is written.
The sweep runs every /v1 request schema through the validation FastAPI itself applies.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from httpx import AsyncClient, Response
from pydantic import AwareDatetime, BaseModel
from sqlalchemy import func, select

from tests.factories import Factory
from tsp_auth.kit.strict import RequestBody
from tsp_auth.models import AuditEvent, Grant, Service

# Values lax mode would coerce into the field's type, per type.
COERCED: dict[type, list[Any]] = {
    bool: [0, 1, "true", "false", "1", "yes"],
    int: ["5", 5.0, True],
    float: ["1.5", True],
    datetime: [0.5, 1_700_000_000, "0.5", "1700000000", "2026-01-01"],
    str: [5, True],
}


def _assert_refused(response: Response, field: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert {"type", "title", "status", "detail", "error", "request_id", "errors"} <= set(body)
    assert body["error"] == "invalid_request"
    assert f"{field}:" in body["detail"]
    assert any(field in e.get("pointer", e.get("parameter", "")) for e in body["errors"]), body


async def _service_state(factory: Factory, service: Service, grant: Grant) -> tuple[Any, ...]:
    async with factory.app.state.sessionmaker() as session:
        row = (
            await session.execute(
                select(Service.name, Service.valid, Service.partner_valid).where(
                    Service.id == service.id
                )
            )
        ).one()
        status = await session.scalar(select(Grant.status).where(Grant.id == grant.id))
        events = await session.scalar(select(func.count()).select_from(AuditEvent))
    return (*row, status, events)


@pytest.mark.parametrize("value", [0, 1, "false", "true", None])
async def test_a_coerced_boolean_is_refused_and_nothing_changes(
    client: AsyncClient, factory: Factory, value: Any
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, _ = await factory.seller("UK")
    grant = await factory.grant(seller, service)
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    before = await _service_state(factory, service, grant)
    body = {"valid": value, "name": "Renamed"}
    response = await client.patch(f"/v1/services/{service.id}", json=body, headers=admin)
    if value is None:  # JSON null: "no change" to validity, as documented; the control case
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "Renamed"
        return
    _assert_refused(response, "valid")
    assert await _service_state(factory, service, grant) == before


@pytest.mark.parametrize("until", ["0.5", "1700000000", "2026-01-01", "tomorrow"])
async def test_a_date_that_is_not_iso_8601_with_a_zone_is_refused(
    client: AsyncClient, factory: Factory, until: str
) -> None:
    _, main = await factory.seller("UK")
    headers = await factory.headers(main)
    response = await client.get("/v1/audit-events", params={"until": until}, headers=headers)
    _assert_refused(response, "until")
    async with factory.app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_an_iso_8601_date_is_taken(client: AsyncClient, factory: Factory) -> None:
    _, main = await factory.seller("UK")
    headers = await factory.headers(main)
    for until in ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00+02:00"):
        response = await client.get("/v1/audit-events", params={"until": until}, headers=headers)
        assert response.status_code == 200, response.text


async def test_an_integer_as_a_string_in_a_json_body_is_refused(
    client: AsyncClient, factory: Factory
) -> None:
    seller, main = await factory.seller("UK")
    service = await factory.service(await factory.partner())
    grant = await factory.grant(seller, service)
    response = await client.patch(
        f"/v1/grants/{grant.id}", json={"version": "1"}, headers=await factory.headers(main)
    )
    _assert_refused(response, "version")
    async with factory.app.state.sessionmaker() as session:
        version = await session.scalar(select(Grant.version).where(Grant.id == grant.id))
    assert version == 1


# The sweep -----------------------------------------------------------------------------------


def _leaf_type(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, …]`` to ``X``."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _leaf_type(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _leaf_type(args[0]) if len(args) == 1 else annotation
    return datetime if annotation is AwareDatetime else annotation


def _typed_fields(model: type[BaseModel], path: tuple[Any, ...] = ()) -> Iterator[Any]:
    """(path, type) of every bool/int/float/datetime/str field, nested models included."""
    for name, field in model.model_fields.items():
        kind = _leaf_type(field.annotation)
        if typing.get_origin(kind) is list:
            item = _leaf_type(typing.get_args(kind)[0])
            if inspect.isclass(item) and issubclass(item, BaseModel):
                yield from _typed_fields(item, (*path, name, 0))
            continue
        if inspect.isclass(kind) and issubclass(kind, BaseModel):
            yield from _typed_fields(kind, (*path, name))
        elif kind in COERCED:
            yield (*path, name), kind


def _nested(path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        return [_nested(rest, value)]
    return {head: _nested(rest, value)}


def _json_routes(app: FastAPI) -> list[APIRoute]:
    return [
        r
        for r in app.routes
        if isinstance(r, APIRoute) and r.path.startswith("/v1/") and r.dependant.body_params
    ]


def test_every_v1_json_body_is_a_strict_request_body(app: FastAPI) -> None:
    models = {route.dependant.body_params[0].field_info.annotation for route in _json_routes(app)}
    assert len(models) >= 20
    loose = sorted(
        m.__name__
        for m in models
        if not (issubclass(m, RequestBody) and m.model_config.get("strict") is True)
    )
    assert loose == []


def test_no_v1_request_schema_coerces_a_value_into_its_type(app: FastAPI) -> None:
    swept: set[str] = set()
    for route in _json_routes(app):
        (body,) = route.dependant.body_params
        for path, kind in _typed_fields(body.field_info.annotation):
            for value in COERCED[kind]:
                _, errors = body.validate(_nested(path, value), {}, loc=("body",))
                where = [tuple(e["loc"]) for e in errors]
                assert ("body", *path) in where, (route.path, path, value, errors)
            swept.add(".".join(str(p) for p in path))
    # The sweep saw the fields that matter, so it cannot pass by finding nothing.
    assert {"valid", "terms_accepted", "duration_days", "version", "name"} <= swept


def test_no_v1_query_takes_a_number_for_a_date(app: FastAPI) -> None:
    dates = 0
    for route in app.routes:
        if not (isinstance(route, APIRoute) and route.path.startswith("/v1/")):
            continue
        for query in route.dependant.query_params:
            model = query.field_info.annotation
            if not (inspect.isclass(model) and issubclass(model, BaseModel)):
                continue
            for (name,), kind in _typed_fields(model):
                if kind is not datetime:
                    continue
                dates += 1
                for value in ("0.5", "1700000000", "2026-01-01"):
                    _, errors = query.validate({name: value}, {}, loc=("query",))
                    assert ("query", name) in [tuple(e["loc"]) for e in errors], (name, value)
    assert dates >= 2  # the audit trail's since and until
