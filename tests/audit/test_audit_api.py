"""`GET /v1/audit-events`: who reads what, filters, pages, and the CSV export."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from httpx import AsyncClient

from tests.factories import Factory
from tests.webhooks.helpers import OpsWorld
from tsp_auth.audit.schemas import CSV_COLUMNS
from tsp_auth.audit.service import record_event
from tsp_auth.clock import now
from tsp_auth.kit.audit_note import AuditNote


async def _activity(client: AsyncClient, factory: Factory, world: OpsWorld) -> None:
    """An edit, a refused edit and a cancel of ``world``'s grant."""
    main = await factory.headers(world.main)
    url = f"/v1/grants/{world.grant.id}"
    assert (await client.patch(url, json={"roles": ["orders"]}, headers=main)).is_success
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    refused = await client.patch(url, json={"roles": []}, headers=await factory.headers(sub))
    assert refused.status_code == 403
    assert (await client.post(url + "/cancel", headers=main)).is_success


async def _read(
    client: AsyncClient, headers: dict[str, str], **params: object
) -> dict[str, object]:
    response = await client.get("/v1/audit-events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _actions(page: dict[str, object]) -> list[str]:
    items = page["items"]
    assert isinstance(items, list)
    return [item["action"] for item in items]


async def test_each_reader_sees_its_own_scope(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    await _activity(client, factory, world)
    other_world_seller, other_main = await factory.seller("UK")
    await factory.grant(other_world_seller, world.service)
    expected = ["grant.updated", "grant.updated", "grant.cancelled"]

    seller_page = await _read(client, await factory.headers(world.main))
    assert _actions(seller_page) == expected
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    assert _actions(await _read(client, await factory.headers(sub))) == expected
    assert _actions(await _read(client, world.admin)) == expected
    assert (
        _actions(await _read(client, await factory.headers(await factory.operator()))) == expected
    )

    # Another seller, another partner: nothing, whatever the filters say.
    stranger = await factory.headers(other_main)
    assert _actions(await _read(client, stranger)) == []
    assert _actions(await _read(client, stranger, grant_id=world.grant.id)) == []
    other_admin = await factory.headers(
        await factory.account("partner", "admin", partner_id=(await factory.partner()).id)
    )
    assert _actions(await _read(client, other_admin)) == []
    member = await factory.account("partner", "member", partner_id=world.partner.id)
    refused = await client.get("/v1/audit-events", headers=await factory.headers(member))
    assert (refused.status_code, refused.json()["error"]) == (403, "partner_admin_required")
    assert (await client.get("/v1/audit-events")).status_code == 401


async def test_filters_narrow_the_trail(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    await _activity(client, factory, world)
    main = await factory.headers(world.main)
    assert _actions(await _read(client, main, outcome="denied")) == ["grant.updated"]
    assert _actions(await _read(client, main, action="grant.cancelled")) == ["grant.cancelled"]
    assert len(_actions(await _read(client, main, grant_id=world.grant.id))) == 3
    assert _actions(await _read(client, main, grant_id="grt_other")) == []
    future = (now() + timedelta(hours=1)).isoformat()
    assert _actions(await _read(client, main, since=future)) == []
    assert len(_actions(await _read(client, main, until=future))) == 3
    naive = await client.get(
        "/v1/audit-events", params={"since": "2026-01-01T00:00:00"}, headers=main
    )
    assert naive.status_code == 400


async def test_pages_follow_the_cursor_both_ways(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    async with factory.app.state.sessionmaker() as session, session.begin():
        for n in range(5):
            record_event(
                session,
                AuditNote(action=f"test.{n}", seller_id=world.seller.id, detail={"n": n}),
            )
    main = await factory.headers(world.main)
    walked = {}
    for order in ("asc", "desc"):
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, object] = {"limit": 2, "order": order}
            if cursor:
                params["cursor"] = cursor
            page = await _read(client, main, **params)
            seen += _actions(page)
            cursor = page["next_cursor"]
            if cursor is None:
                break
        walked[order] = seen
    assert sorted(walked["asc"]) == [f"test.{n}" for n in range(5)]
    assert walked["desc"] == list(reversed(walked["asc"]))
    asc_cursor = (await _read(client, main, limit=2))["next_cursor"]
    mixed = await client.get(
        "/v1/audit-events", params={"cursor": asc_cursor, "order": "desc"}, headers=main
    )
    assert mixed.status_code == 400
    for bad in ("not-a-cursor", "eyJ4IjoxfQ"):
        response = await client.get("/v1/audit-events", params={"cursor": bad}, headers=main)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_cursor")
    too_many = await client.get("/v1/audit-events", params={"limit": 201}, headers=main)
    assert too_many.status_code == 400


async def test_csv_export_streams_the_whole_filtered_set(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    await _activity(client, factory, world)
    main = await factory.headers(world.main)
    response = await client.get(
        "/v1/audit-events", params={"format": "csv", "limit": 1}, headers=main
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="audit-events.csv"'
    header, *lines = list(csv.reader(io.StringIO(response.text)))
    assert tuple(header) == CSV_COLUMNS
    rows = [dict(zip(header, line, strict=True)) for line in lines]
    assert [r["action"] for r in rows] == ["grant.updated", "grant.updated", "grant.cancelled"]
    assert {r["seller_id"] for r in rows} == {world.seller.id}
    assert [r["outcome"] for r in rows] == ["success", "denied", "success"]
    assert rows[1]["reason"] == "not_main_account"
    assert json.loads(rows[2]["detail"])["status"] == "cancelled"
    denied_only = await client.get(
        "/v1/audit-events", params={"format": "csv", "outcome": "denied"}, headers=main
    )
    assert len(list(csv.reader(io.StringIO(denied_only.text)))) == 2
    # Another seller's export holds only its header.
    _, stranger = await factory.seller("UK")
    theirs = await client.get(
        "/v1/audit-events", params={"format": "csv"}, headers=await factory.headers(stranger)
    )
    assert theirs.status_code == 200 and theirs.text.strip() == ",".join(CSV_COLUMNS)


async def test_csv_cells_never_start_a_spreadsheet_formula(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    async with factory.app.state.sessionmaker() as session, session.begin():
        record_event(session, AuditNote(action="=HYPERLINK(1)", seller_id=world.seller.id))
    response = await client.get(
        "/v1/audit-events", params={"format": "csv"}, headers=await factory.headers(world.main)
    )
    [_, line] = list(csv.reader(io.StringIO(response.text)))
    assert line[2] == "'=HYPERLINK(1)"


async def test_json_page_shape(client: AsyncClient, factory: Factory, world: OpsWorld) -> None:
    await _activity(client, factory, world)
    page = await _read(client, await factory.headers(world.main), limit=1)
    items = page["items"]
    assert isinstance(items, list) and len(items) == 1 and page["next_cursor"]
    assert set(items[0]) == set(CSV_COLUMNS)
    assert items[0]["request_id"]
