"""Helpers for consent tests: follow a link, build a decision, count what was written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select, update

from tsp_auth.models import AuthorizationRequest, Binding, Grant, Service

TERMS = "2025-12"


async def open_link(
    client: AsyncClient, service_id: str, *, state: str | None = "st-1", purpose: str | None = None
) -> str:
    """Follow an authorization link like a browser; return the stored request's id."""
    params = {"service_id": service_id}
    if state is not None:
        params["state"] = state
    if purpose is not None:
        params["purpose"] = purpose
    response = await client.get("/open/authorize", params=params)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/consent/azr_")
    return location.removeprefix("/consent/")


def pick(
    service: Service | str,
    items: Iterable[str] = ("data_compass",),
    *,
    roles: Iterable[str] = (),
    areas: Iterable[str] | None = None,
    authorized_object: str | None = None,
) -> dict[str, Any]:
    items = list(items)
    if areas is None:
        areas = ["live"] if "data_compass" in items else []
    return {
        "service_id": service if isinstance(service, str) else service.id,
        "items": items,
        "roles": list(roles),
        "areas": list(areas),
        "authorized_object": authorized_object,
    }


def decision(*picks: dict[str, Any], duration_days: int = 90, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "services": list(picks),
        "duration_days": duration_days,
        "contact_email": "owner@shop.example.com",
        "terms_version": TERMS,
        "terms_accepted": True,
    }
    body.update(overrides)
    return body


@dataclass(frozen=True)
class Snapshot:
    grants: tuple[tuple[str, str, int, datetime | None], ...]
    bindings: int
    requests: tuple[tuple[str, str], ...]


async def snapshot(app: FastAPI) -> Snapshot:
    """What a refusal must leave untouched: grants, bindings, request statuses."""
    async with app.state.sessionmaker() as session:
        grants = await session.execute(
            select(Grant.id, Grant.status, Grant.version, Grant.expires_at).order_by(Grant.id)
        )
        bindings = await session.scalar(select(func.count()).select_from(Binding))
        requests = await session.execute(
            select(AuthorizationRequest.id, AuthorizationRequest.status).order_by(
                AuthorizationRequest.id
            )
        )
        return Snapshot(
            grants=tuple((g[0], g[1], g[2], g[3]) for g in grants),
            bindings=int(bindings or 0),
            requests=tuple((r[0], r[1]) for r in requests),
        )


async def grants_of(app: FastAPI, seller_id: str) -> list[Grant]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(Grant).where(Grant.grantor_id == seller_id).order_by(Grant.created_at)
        )
        return list(rows.all())


async def bindings_of(app: FastAPI, seller_id: str) -> list[Binding]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(select(Binding).where(Binding.seller_id == seller_id))
        return list(rows.all())


async def get_request(app: FastAPI, request_id: str) -> AuthorizationRequest:
    async with app.state.sessionmaker() as session:
        row = await session.get(AuthorizationRequest, request_id)
        assert row is not None
        return row


async def set_row(app: FastAPI, model: type[Any], row_id: str, **values: Any) -> None:
    async with app.state.sessionmaker() as session:
        await session.execute(update(model).where(model.id == row_id).values(**values))
        await session.commit()
