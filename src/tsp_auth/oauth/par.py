"""Pushed authorization requests (RFC 9126): the client posts its authorization request to us,
authenticated, and sends the browser to ``/open/authorize`` with ``client_id`` and the
``request_uri`` we answered.

The pushed parameters are checked at once exactly as the authorization endpoint checks them
(``oauth.authorize.check_client_link``, §2.1), and their errors answer the client as JSON
(§2.3) instead of a redirect. The request_uri is 256 random bits (only its hash is stored), for
the pushing client only, used once and within ``TSP_AUTH_PUSHED_AUTHORIZATION_REQUEST_TTL``
(≤ 60 s, §2.2; FAPI 2.0 §5.3.2.2: less than 600 s).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.db import rows
from tsp_auth.kit.errors import BadRequest
from tsp_auth.models import PushedAuthorizationRequest
from tsp_auth.models.base import new_id
from tsp_auth.oauth import par_repository
from tsp_auth.oauth.authorize import check_client_link
from tsp_auth.oauth.authorize_query import (
    OAUTH_PARAMETERS,
    AuthorizeParams,
    QueryParams,
    parse_authorize_query,
)
from tsp_auth.oauth.client_authentication import AuthenticatedClient
from tsp_auth.oauth.errors import AuthorizationErrorRedirect, InvalidRequest, OAuthError
from tsp_auth.oauth.opaque import digest, new_opaque
from tsp_auth.policy import Reason

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
# What we keep of a pushed request: the authorization request's own parameters.
PUSHED_PARAMETERS = (*OAUTH_PARAMETERS, "state", "service_id")


@dataclass(frozen=True, slots=True)
class PushedRequest:
    request_uri: str
    expires_in: int


class _Given:
    """Stored or posted parameters, read as the authorization endpoint reads a query."""

    def __init__(self, values: Mapping[str, Sequence[str]]) -> None:
        self._values = values

    def getlist(self, key: str) -> Sequence[str]:
        return self._values.get(key, ())


async def push(
    session: AsyncSession,
    settings: Settings,
    client: AuthenticatedClient,
    fields: Mapping[str, str],
    at: datetime,
) -> PushedRequest:
    """Check and store an authorization request pushed by an authenticated client."""
    if "request_uri" in fields:
        raise InvalidRequest("request_uri cannot be pushed (RFC 9126 §2.1)")
    if fields.get("client_id", client.id) != client.id:
        raise InvalidRequest("client_id differs from the authenticated client")
    parameters = {name: [fields[name]] for name in PUSHED_PARAMETERS if name in fields}
    parameters["client_id"] = [client.id]
    await _check(session, settings, parameters)
    value = new_opaque()
    row = PushedAuthorizationRequest(
        id=new_id("par"),
        request_uri_hash=digest(value),
        client_id=client.id,
        parameters=parameters,
        created_at=at,
        expires_at=at + settings.pushed_authorization_request_ttl,
    )
    await rows.add(session, row)
    ttl = int(settings.pushed_authorization_request_ttl.total_seconds())
    return PushedRequest(REQUEST_URI_PREFIX + value, ttl)


async def _check(
    session: AsyncSession, settings: Settings, parameters: Mapping[str, Sequence[str]]
) -> None:
    """§2.1: validate as an authorization request; every refusal is a JSON error (§2.3)."""
    try:
        params = _pushed(parse_authorize_query(_Given(parameters)))
        await check_client_link(session, settings, params)
    except AuthorizationErrorRedirect as exc:
        raise OAuthError(exc.description, error=exc.error) from None
    except BadRequest as exc:
        raise InvalidRequest(exc.description) from None


def _pushed(params: AuthorizeParams) -> AuthorizeParams:
    return dataclasses.replace(params, pushed=True)


async def pushed_params(
    sessionmaker: async_sessionmaker[AsyncSession],
    query: QueryParams,
    host: str | None,
    at: datetime,
) -> AuthorizeParams | None:
    """``/open/authorize?client_id=…&request_uri=…``: the pushed request, spent; None when
    the link has no request_uri. §4: every other parameter of the link is ignored.

    Spent in a transaction of its own, committed before the request goes on: the row lock
    lasts one statement, so a burst of uses of one request_uri never holds connections
    waiting behind a request that is still working (and a spent one stays spent).
    """
    given = [v for v in query.getlist("request_uri") if v]
    if not given:
        return None
    client_ids = [v for v in query.getlist("client_id") if v]
    if len(given) > 1 or len(client_ids) != 1:
        raise BadRequest("a request_uri needs exactly one client_id", error=Reason.INVALID_REQUEST)
    request_uri = given[0]
    parameters = None
    if request_uri.startswith(REQUEST_URI_PREFIX):
        hashed = digest(request_uri.removeprefix(REQUEST_URI_PREFIX))
        async with sessionmaker() as session, session.begin():
            parameters = await par_repository.use_request_uri(session, hashed, client_ids[0], at)
    if parameters is None:
        raise BadRequest(
            "request_uri is unknown, used, expired or not this client's",
            error=Reason.INVALID_REQUEST_URI,
        )
    return _pushed(parse_authorize_query(_Given(parameters), host))
