"""Helpers for the consent page: sign in like a browser, read the form, post it back."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from typing import Any

from httpx import AsyncClient, Response

from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.models import Account, Service

TERMS = "2025-12"
SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def sign_in(client: AsyncClient, account: Account, return_to: str = "/") -> Response:
    """The development sign-in page sets the identity cookie, as for a seller's browser:
    open the page (its nonce cookie and CSRF token), then post the form."""
    page = await client.get("/dev/login")
    assert page.status_code == 200, page.text
    body = {"account_id": account.id, "return_to": return_to, "csrf_token": csrf_of(page.text)}
    response = await client.post("/dev/login", data=body)
    assert response.status_code == 303, response.text
    assert client.cookies.get(IDENTITY_COOKIE)
    return response


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no CSRF token in the page"
    return found.group(1)


async def open_form(client: AsyncClient, request_id: str) -> tuple[Response, str]:
    page = await client.get(f"/consent/{request_id}")
    assert page.status_code == 200, page.text
    return page, csrf_of(page.text)


def service_fields(
    service: Service | str,
    items: Iterable[str] = ("data_compass",),
    *,
    roles: Iterable[str] = (),
    areas: Iterable[str] | None = None,
    authorized_object: str | None = None,
) -> dict[str, list[str]]:
    sid = service if isinstance(service, str) else service.id
    items = list(items)
    if areas is None:
        areas = ["live"] if "data_compass" in items else []
    fields = {
        "service": [sid],
        f"items:{sid}": items,
        f"roles:{sid}": list(roles),
        f"areas:{sid}": list(areas),
    }
    if authorized_object is not None:
        fields[f"object:{sid}"] = [authorized_object]
    return fields


def form(
    csrf: str | None,
    *services: Mapping[str, list[str]],
    decision: str = "accept",
    duration: str = "90",
    email: str = "owner@shop.example.com",
    terms: bool = True,
) -> dict[str, Any]:
    """The body a browser posts (x-www-form-urlencoded; httpx repeats list values)."""
    body: dict[str, Any] = {"decision": decision, "duration_days": duration}
    body.update(contact_email=email, terms_version=TERMS)
    if terms:
        body["terms_accepted"] = "yes"
    if csrf is not None:
        body["csrf_token"] = csrf
    for fields in services:
        for name, values in fields.items():
            body.setdefault(name, []).extend(values)
    return body


async def submit(
    client: AsyncClient, request_id: str, body: Mapping[str, Any], **headers: str
) -> Response:
    return await client.post(f"/consent/{request_id}", data=body, headers=headers)


def assert_page_headers(response: Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["content-security-policy"]
    for directive in (
        "default-src 'none'",
        "style-src 'self' 'unsafe-inline'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "frame-ancestors 'none'" in csp


class FormShape(HTMLParser):
    """Ids, label targets and controls of a page, to check every control has its label."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append(found)
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href", "action"):
            value = found.get(name) or ""
            if value.startswith(("http:", "https:", "//")):
                self.external.append(value)


def form_shape(html: str) -> FormShape:
    shape = FormShape()
    shape.feed(html)
    return shape


def checked(html: str, control_id: str) -> bool:
    tag = re.search(rf'<input[^>]*id="{re.escape(control_id)}"[^>]*>', html)
    assert tag is not None, control_id
    return " checked" in tag.group(0)
