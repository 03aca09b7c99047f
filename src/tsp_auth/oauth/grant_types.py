"""The token endpoint's grant types (RFC 6749 §4.1.3, §4.4, §6), one function each.

Everything a grant writes happens in the request's transaction: a code is consumed if and only
if its tokens are stored. Refusals raise and write nothing, except replay and reuse
(``TokenReuse``), whose family revocation must stay. Database errors are never caught here:
they are an outage (503), not a bad grant.

Each grant opens the unit of work it needs (``GRANT_TYPES``): the code and refresh grants
run in one (``TokenContext``); ``client_credentials`` opens none, since it writes nothing but its
group-committed audit event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.audit.service import record_event, record_event_alone
from tsp_auth.clients.scopes import parse_scope
from tsp_auth.config import Settings
from tsp_auth.db import rows
from tsp_auth.db.unit_of_work import unit_of_work
from tsp_auth.keys.ring import KeyRing
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.live.grant_state import LiveGrant, live_grant
from tsp_auth.live.in_force import grant_in_force
from tsp_auth.models import AuthorizationCode, RefreshToken, TokenFamily
from tsp_auth.oauth import repository
from tsp_auth.oauth.client_authentication import AuthenticatedClient
from tsp_auth.oauth.errors import (
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    TokenReuse,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from tsp_auth.oauth.opaque import digest
from tsp_auth.oauth.pkce import verifier_matches
from tsp_auth.oauth.schemas import TokenForm, TokenResponse
from tsp_auth.oauth.tokens import (
    check_refresh_binding,
    mint_access_token,
    new_refresh_token,
    token_type,
)


@dataclass(frozen=True, slots=True)
class TokenContext:
    session: AsyncSession  # the grant's unit of work
    keyring: KeyRing
    settings: Settings
    at: datetime
    dpop_jkt: str | None = None  # the DPoP key the tokens are bound to (oauth.dpop)


@dataclass(frozen=True, slots=True)
class Issuing:
    """What the token endpoint issues with, before any unit of work is opened (``issue``)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    keyring: KeyRing
    settings: Settings
    at: datetime
    dpop_jkt: str | None = None


Grant = Callable[[Issuing, AuthenticatedClient, TokenForm], Awaitable[TokenResponse]]
GrantInUnitOfWork = Callable[
    [TokenContext, AuthenticatedClient, TokenForm], Awaitable[TokenResponse]
]


def grant_handler(grant_type: str) -> Grant:
    """RFC 6749 §5.2 ``unsupported_grant_type`` for everything but our three.

    Not offered, on purpose: ``password`` and the implicit grant (RFC 9700 §2.4, §2.1.2), and
    token exchange (RFC 8693): a token carrying ``act`` is never exchanged for one without it
    (DESIGN §3), and nothing else needs exchanging.
    """
    handler = GRANT_TYPES.get(grant_type)
    if handler is None:
        raise UnsupportedGrantType(f"grant_type {grant_type!r} is not supported")
    return handler


def _required(value: str | None, name: str) -> str:
    if value is None:
        raise InvalidRequest(f"{name} is required")
    return value


def _narrowed(held: frozenset[str], requested: str | None) -> frozenset[str]:
    """RFC 6749 §6 / §4.4.2: a request may narrow the scope, never widen it."""
    wanted = parse_scope(requested)
    if wanted is None:
        return held
    if not wanted or not wanted <= held:
        raise InvalidScope("scope may only narrow what is held")
    return wanted


async def _live(session: AsyncSession, grant_id: str, at: datetime) -> LiveGrant:
    """The grant behind a code or refresh token, if still active (DESIGN §2)."""
    live = await live_grant(session, grant_id)
    if live is None or not grant_in_force(live, at):
        raise InvalidGrant("the authorization behind this grant is no longer active")
    return live


def _note(
    action: str, client: AuthenticatedClient, family: TokenFamily | None, **detail: str
) -> AuditNote:
    return AuditNote(
        action=action,
        actor_id=client.id,
        actor_type="client",
        on_behalf_of=family.subject if family else None,
        partner_id=client.partner_id,
        seller_id=family.subject if family and family.grant_id else None,
        grant_id=family.grant_id if family else None,
        detail=detail,
    )


async def _revoke_for_reuse(
    ctx: TokenContext, client: AuthenticatedClient, family_id: str, action: str
) -> TokenReuse:
    """RFC 6749 §4.1.2 / RFC 9700 §4.14.2: a second use revokes everything of the family."""
    await repository.revoke_family(ctx.session, family_id, ctx.at, action)
    family = await repository.family(ctx.session, family_id)
    record_event(ctx.session, _note(action, client, family, family_id=family_id))
    return TokenReuse("this grant was already used; every token issued from it is revoked")


def _check_code(
    code: AuthorizationCode, client: AuthenticatedClient, form: TokenForm, at: datetime
) -> None:
    """RFC 6749 §4.1.3 and RFC 7636 §4.6; every refusal leaves the code unused."""
    if code.client_id != client.id:
        raise InvalidGrant("the code was issued to another client")
    if form.redirect_uri is None or form.redirect_uri != code.redirect_uri:
        raise InvalidGrant("redirect_uri differs from the authorization request's")
    if code.expires_at <= at:
        raise InvalidGrant("the authorization code has expired")
    if code.code_challenge is None:
        if form.code_verifier is not None:
            # RFC 9700 §4.8.2: a verifier without a challenge is a PKCE downgrade attempt.
            raise InvalidGrant("code_verifier given, but the authorization used no PKCE")
        return
    if form.code_verifier is None:
        raise InvalidGrant("code_verifier is required")
    if not verifier_matches(form.code_verifier, code.code_challenge):
        raise InvalidGrant("code_verifier does not match the code_challenge")


async def authorization_code(
    ctx: TokenContext, client: AuthenticatedClient, form: TokenForm
) -> TokenResponse:
    """RFC 6749 §4.1.3: exchange a code, once, for an access and a refresh token."""
    code = await repository.code_by_hash(ctx.session, digest(_required(form.code, "code")))
    if code is None:
        raise InvalidGrant("unknown authorization code")
    if code.used_at is not None:
        raise await _revoke_for_reuse(ctx, client, code.family_id, "code.replayed")
    _check_code(code, client, form, ctx.at)
    live = await _live(ctx.session, code.grant_id, ctx.at)
    if not await repository.redeem_code(ctx.session, code.id, ctx.at):
        if await repository.code_was_used(ctx.session, code.id):
            raise await _revoke_for_reuse(ctx, client, code.family_id, "code.replayed")
        raise InvalidGrant("the authorization code has expired")
    family = await repository.family(ctx.session, code.family_id)
    assert family is not None  # foreign key of every code's refresh tokens
    if client.client_type == "public" and ctx.dpop_jkt is not None:
        # RFC 9449 §5: a public client's refresh tokens are bound to its DPoP key.
        family.dpop_jkt = ctx.dpop_jkt
    return await _issue(ctx, client, family, live, code.scopes, code.scopes, "authorization_code")


async def refresh_token(
    ctx: TokenContext, client: AuthenticatedClient, form: TokenForm
) -> TokenResponse:
    """RFC 6749 §6 with rotation: the presented token is used up, a new one is issued in the
    same family; presenting a used one revokes the family (RFC 9700 §4.14.2)."""
    value = _required(form.refresh_token, "refresh_token")
    token = await repository.refresh_by_hash(ctx.session, digest(value))
    if token is None or token.client_id != client.id:
        raise InvalidGrant("unknown refresh token")
    if token.used_at is not None:
        raise await _revoke_for_reuse(ctx, client, token.family_id, "refresh_token.reused")
    family = await repository.family(ctx.session, token.family_id)
    assert family is not None  # foreign key
    _check_refresh(token, family, ctx.at)
    check_refresh_binding(family.dpop_jkt, ctx.dpop_jkt)
    scopes = _narrowed(token.scopes, form.scope)
    live = await _live(ctx.session, family.grant_id, ctx.at) if family.grant_id else None
    if not await repository.use_refresh_token(ctx.session, token.id, ctx.at):
        if await repository.refresh_was_used(ctx.session, token.id):
            raise await _revoke_for_reuse(ctx, client, token.family_id, "refresh_token.reused")
        raise InvalidGrant("the refresh token has expired")
    return await _issue(ctx, client, family, live, scopes, token.scopes, "refresh_token")


def _check_refresh(token: RefreshToken, family: TokenFamily, at: datetime) -> None:
    if family.revoked_at is not None:
        raise InvalidGrant("the refresh token was revoked")
    if token.expires_at <= at:
        raise InvalidGrant("the refresh token has expired")


async def client_credentials(
    issuing: Issuing, client: AuthenticatedClient, form: TokenForm
) -> TokenResponse:
    """RFC 6749 §4.4: first-party clients only, for themselves; no refresh token (§4.4.3)."""
    if client.client_type != "first_party":
        raise UnauthorizedClient("only first-party clients may use client_credentials")
    scopes = _narrowed(client.scopes, form.scope)
    # Nothing to change but the trail: no unit of work, the key ring reloads (when due) and the
    # event is written each on its own (audit.record_event_alone).
    access = await mint_access_token(
        issuing.keyring,
        issuing.settings,
        subject=client.id,
        client_id=client.id,
        scopes=scopes,
        family_id=None,
        grant=None,
        at=issuing.at,
        jkt=issuing.dpop_jkt,
    )
    note = _note("token.issued", client, None, grant_type="client_credentials", jti=access.jti)
    await record_event_alone(issuing.sessionmaker, note)
    return TokenResponse(
        access_token=access.token,
        token_type=token_type(issuing.dpop_jkt),
        expires_in=access.expires_in,
        scope=access.scope,
    )


async def _issue(
    ctx: TokenContext,
    client: AuthenticatedClient,
    family: TokenFamily,
    live: LiveGrant | None,
    scopes: frozenset[str],
    refresh_scopes: frozenset[str],
    grant_type: str,
) -> TokenResponse:
    """An access token with ``scopes`` and a refresh token with ``refresh_scopes`` (RFC 6749
    §6: a rotated refresh token keeps the scope of the one it replaces)."""
    # Scopes the client lost since the code or refresh token was issued are not granted.
    scopes = scopes & client.scopes
    access = await mint_access_token(
        ctx.keyring,
        ctx.settings,
        subject=family.subject,
        client_id=client.id,
        scopes=scopes,
        family_id=family.id,
        grant=live,
        at=ctx.at,
        jkt=ctx.dpop_jkt,
        session=ctx.session,  # a due key reload reads in the grant's write transaction
    )
    refresh, row = new_refresh_token(
        ctx.settings, family_id=family.id, client_id=client.id, scopes=refresh_scopes, at=ctx.at
    )
    await rows.add(ctx.session, row)
    note = _note("token.issued", client, family, grant_type=grant_type, jti=access.jti)
    record_event(ctx.session, note)
    return TokenResponse(
        access_token=access.token,
        token_type=token_type(ctx.dpop_jkt),
        expires_in=access.expires_in,
        refresh_token=refresh,
        scope=access.scope,
    )


def in_unit_of_work(handler: GrantInUnitOfWork) -> Grant:
    """``handler`` in a unit of work of its own (``unit_of_work``): it commits when the handler
    returns, and also when it refuses with ``TokenReuse``, raised again once the family's
    revocation is committed (the route answers it as an error); any other refusal rolls back.
    """

    async def grant(
        issuing: Issuing, client: AuthenticatedClient, form: TokenForm
    ) -> TokenResponse:
        async with unit_of_work(issuing.sessionmaker) as session:
            context = TokenContext(
                session, issuing.keyring, issuing.settings, issuing.at, issuing.dpop_jkt
            )
            try:
                return await handler(context, client, form)
            except TokenReuse as refusal:
                reuse = refusal
        raise reuse

    return grant


GRANT_TYPES: dict[str, Grant] = {
    "authorization_code": in_unit_of_work(authorization_code),
    "refresh_token": in_unit_of_work(refresh_token),
    "client_credentials": client_credentials,  # no session: see its body
}
