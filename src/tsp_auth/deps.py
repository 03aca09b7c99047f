"""Every typed route dependency (DESIGN §5): what a route reads from its app, and its caller.

``app.py`` fills ``app.state`` (the lifespan); this module is the only other reader of it, so
services take plain values and never a ``Request``. Each getter reads one attribute and has no
sub-dependency: cheap enough for the hot paths (decisions, introspection, token).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.db.unit_of_work import request_read_session, request_session
from tsp_auth.identity.callers import (
    BEARER_CHALLENGE,
    IDENTITY_COOKIE,
    Caller,
    account_id_of,
    bearer_token,
    known_caller,
)
from tsp_auth.keys.ring import KeyRing
from tsp_auth.kit.errors import Unauthorized
from tsp_auth.kit.rate_limits import Endpoint, RateLimits
from tsp_auth.live.caller_state import caller_account


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_keyring(request: Request) -> KeyRing:
    keyring: KeyRing = request.app.state.keyring
    return keyring


async def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    return _sessionmaker_of(request)


async def get_identity_codec(request: Request) -> IdentityCodec:
    codec: IdentityCodec = request.app.state.identity_codec
    return codec


async def get_rate_limits(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


SettingsDep = Annotated[Settings, Depends(get_settings)]
KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
IdentityCodecDep = Annotated[IdentityCodec, Depends(get_identity_codec)]
RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]


def _sessionmaker_of(request: Request) -> async_sessionmaker[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return sessionmaker


# The request's unit of work (db.unit_of_work); this module only says where its sessionmaker is.
get_session = request_session(_sessionmaker_of)

# scope="function": the commit runs before the response is sent, so a failed commit is
# answered as an error and never as a success the database does not hold.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

# For routes that only read: no commit, and READ ONLY on PostgreSQL (db.unit_of_work).
get_read_session = request_read_session(_sessionmaker_of)
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]


async def _caller_for(request: Request, token: str | None) -> Caller:
    if not token:
        raise Unauthorized("an identity token is required", headers=BEARER_CHALLENGE)
    state = request.app.state
    account_id = account_id_of(state.identity_codec, token)
    return known_caller(await caller_account(state.sessionmaker, account_id))


async def current_caller(request: Request) -> Caller:
    """The route's caller, resolved as a dependency: before its unit of work begins."""
    return await _caller_for(request, bearer_token(request))


CallerDep = Annotated[Caller, Depends(current_caller)]


async def bearer_or_cookie_caller(request: Request) -> Caller:
    """For a GET a browser makes by itself (an ``<img>`` on our own page): the identity token,
    or else the sign-in cookie. Only for reads: a cookie never authorizes a change here."""
    return await _caller_for(request, bearer_token(request) or request.cookies.get(IDENTITY_COOKIE))


BrowserCallerDep = Annotated[Caller, Depends(bearer_or_cookie_caller)]


def client_address(request: Request) -> str:
    """The peer as the server sees it (behind a proxy: as its forwarded-allow rules set it)."""
    return request.client.host if request.client else "unknown"


async def limit_attempt(request: Request, endpoint: Endpoint, account: str) -> None:
    """For handlers that learn the account themselves (sign-in forms, HTML pages)."""
    limits = await get_rate_limits(request)
    await limits.attempt(endpoint, account=account, address=client_address(request))


def caller_attempt(endpoint: Endpoint) -> Any:
    """A route dependency: one attempt of the calling account, from its address."""

    async def dependency(request: Request, caller: CallerDep) -> None:
        await limit_attempt(request, endpoint, caller.account_id)

    return Depends(dependency)


async def _link_created(request: Request, caller: CallerDep) -> None:
    if caller.partner_id is not None:  # anyone else is refused by the service (403)
        await (await get_rate_limits(request)).link(caller.partner_id)


link_creation: Any = Depends(_link_created)
