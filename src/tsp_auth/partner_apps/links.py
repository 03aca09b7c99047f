"""The authorization link of a partner app (seed 004 "Copy authorization link").

``https://{host}/open/authorize?service_id={app service_id}&state=…`` on the US host for a US
app owner and the rest-of-world host otherwise, with the OAuth parameters the app's flow
needs (``client_id``, ``redirect_uri``, ``response_type=code``). The app adds its own PKCE
``code_challenge`` (and ``scope`` to narrow) before sending the partner there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clients import repository as clients
from tsp_auth.config import Settings
from tsp_auth.identity.callers import Caller
from tsp_auth.kit import urls
from tsp_auth.kit.errors import BadRequest, Forbidden, NotFound
from tsp_auth.oauth.authorize_query import is_valid_state, new_state
from tsp_auth.partner_apps.rules import check_app_usable, check_partner_account
from tsp_auth.partner_apps.schemas import AppAuthorizationLinkCreate
from tsp_auth.policy import Reason
from tsp_auth.registry import repository as registry


@dataclass(frozen=True, slots=True)
class AppLink:
    url: str
    state: str


async def app_authorization_link(
    session: AsyncSession, settings: Settings, caller: Caller, body: AppAuthorizationLinkCreate
) -> AppLink:
    """The owner's accounts (admin or member) copy the link of one of its apps."""
    decision = check_partner_account(caller)
    if not decision.allow:
        raise Forbidden("only a partner's accounts make links", error=decision.reason)
    client = await clients.get(session, body.client_id)
    if client is None or client.partner_id is None or client.partner_id != caller.partner_id:
        raise NotFound("no such client")
    usable = check_app_usable(client)
    if not usable.allow or client.service_id is None:
        raise BadRequest("this client is not an app partners can authorize", error=usable.reason)
    redirect_uri = body.redirect_uri or client.redirect_uris[0]
    if redirect_uri not in client.redirect_uris:
        raise BadRequest("redirect_uri is not registered", error=Reason.INVALID_REDIRECT_URI)
    state = body.state or new_state()
    if not is_valid_state(state):
        raise BadRequest("state must be URL-safe characters", error=Reason.INVALID_STATE)
    owner = await registry.get_partner(session, client.partner_id)
    assert owner is not None  # foreign key
    link = urls.authorization_link(
        settings, region=owner.region, service_id=client.service_id, state=state
    )
    oauth = {"client_id": client.id, "redirect_uri": redirect_uri, "response_type": "code"}
    return AppLink(urls.with_query(link, oauth), state)
