"""Development-only pages: a sign-in page for the built-in consent UI, and a stand-in partner
callback that shows what a partner's return URL receives. Never mounted in production."""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tsp_auth.clock import now
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.db import SessionDep
from tsp_auth.errors import NotFound
from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.rate_limits import limit_attempt
from tsp_auth.registry import repository

router = APIRouter(tags=["development"], include_in_schema=False)

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"""


def _local_path(target: str) -> str:
    """Only same-site paths: the sign-in page must not become an open redirect."""
    parts = urlsplit(target)
    foreign = parts.scheme or parts.netloc or not target.startswith("/") or target[1:2] == "/"
    # Browsers read "\" as "/", so "/\evil.example" would name another host.
    if foreign or "\\" in target or any(ord(c) < 0x20 for c in target):
        return "/"
    return target


@router.get("/dev/login", response_class=HTMLResponse)
async def login_page(return_to: str = "/") -> HTMLResponse:
    body = (
        '<form method="post" action="/dev/login">'
        f'<input type="hidden" name="return_to" value="{escape(_local_path(return_to))}">'
        '<label for="account_id">Account id</label> '
        '<input id="account_id" name="account_id" required maxlength="40" autofocus>'
        ' <button type="submit">Sign in</button></form>'
        "<p>Development sign-in: the demo accounts are listed in var/demo.json.</p>"
    )
    return HTMLResponse(_PAGE.format(title="Development sign-in", body=body))


@router.post("/dev/login")
async def login(
    request: Request,
    session: SessionDep,
    account_id: str = Form(max_length=40),
    return_to: str = Form(default="/", max_length=2048),
) -> RedirectResponse:
    await limit_attempt(request, "sign_in", account_id)
    account = await repository.get_account(session, account_id)
    if account is None:
        raise NotFound("no such account", error="unknown_account")
    codec: IdentityCodec = request.app.state.identity_codec
    ttl = request.app.state.settings.identity_token_ttl
    response = RedirectResponse(_local_path(return_to), status_code=303)
    response.set_cookie(
        IDENTITY_COOKIE,
        codec.encode(account.id, now=now(), lifetime=ttl),
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.get("/demo/partner-callback", response_class=HTMLResponse)
async def partner_callback(request: Request) -> HTMLResponse:
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td id='{escape(k)}'>{escape(v)}</td></tr>"
        for k, v in request.query_params.items()
    )
    body = f"<p>The partner received:</p><table>{rows}</table>"
    return HTMLResponse(_PAGE.format(title="Partner callback (demo)", body=body))
