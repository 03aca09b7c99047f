"""Token introspection (RFC 7662): is this token active, and what does it say?

Introspection runs outside a unit of work: it only reads. An introspector gets the app's
sessionmaker and reads directly (``db.direct``) or opens a session of its own.

Introspection runs an ordered list of introspectors. Each one looks at a token and answers
``None`` ("not one of mine": the next one is asked), or the RFC 7662 answer for it (``{"active":
False}`` for one of its tokens that is dead). Ours come first: access tokens (JWT, ``at+jwt``)
and refresh tokens (opaque, looked up by hash). Other token kinds join with
``register_introspector`` (the TSP Access login tokens and console sessions, whose answers carry
``act``), e.g. at import of their module::

    @register_introspector(token_types=("login_token",))
    async def introspect_login_token(sessionmaker, keyring, settings, token): ...

Anything no introspector claims is ``{"active": false}``: a bad token is never an error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.clients import repository as clients
from tsp_auth.clients.scopes import format_scope
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.jwt import split_token
from tsp_auth.keys.ring import KeyRing
from tsp_auth.live.grant_state import live_grant
from tsp_auth.live.in_force import check_minted_version, grant_in_force
from tsp_auth.live.token_state import access_token_state
from tsp_auth.oauth import repository
from tsp_auth.oauth.opaque import digest
from tsp_auth.oauth.tokens import ACCESS_TOKEN_TYP, access_token_audience

Sessions = async_sessionmaker[AsyncSession]
Introspector = Callable[[Sessions, KeyRing, Settings, str], Awaitable[dict[str, Any] | None]]
INACTIVE: dict[str, Any] = {"active": False}
_ANSWERED_CLAIMS = (
    "scope",
    "client_id",
    "exp",
    "iat",
    "sub",
    "aud",
    "iss",
    "jti",
    "grant_id",
    "cnf",  # RFC 9449 §6.2: the resource server checks the proof's key against it
)


@dataclass(frozen=True, slots=True)
class _Registered:
    introspector: Introspector
    token_types: frozenset[str]


_REGISTRY: list[_Registered] = []


@overload
def register_introspector(
    introspector: Introspector, *, token_types: Iterable[str] = ()
) -> Introspector: ...


@overload
def register_introspector(
    introspector: None = None, *, token_types: Iterable[str] = ()
) -> Callable[[Introspector], Introspector]: ...


def register_introspector(
    introspector: Introspector | None = None, *, token_types: Iterable[str] = ()
) -> Introspector | Callable[[Introspector], Introspector]:
    """Add an introspector after those already registered (usable as a decorator).

    ``token_types``: the ``token_type_hint`` values it answers for; a hinted introspector is
    asked first. Registering the same function twice changes nothing.
    """

    def register(fn: Introspector) -> Introspector:
        if all(entry.introspector is not fn for entry in _REGISTRY):
            _REGISTRY.append(_Registered(fn, frozenset(token_types)))
        return fn

    return register if introspector is None else register(introspector)


def introspectors(hint: str | None = None) -> tuple[Introspector, ...]:
    """In registration order, those answering for ``hint`` first (RFC 7662 §2.1: a hint only
    speeds up the search, which still covers every token type)."""
    ordered = sorted(_REGISTRY, key=lambda entry: hint not in entry.token_types)
    return tuple(entry.introspector for entry in ordered)


async def introspect(
    sessionmaker: Sessions,
    keyring: KeyRing,
    settings: Settings,
    token: str,
    hint: str | None = None,
) -> dict[str, Any]:
    for introspector in introspectors(hint):
        answer = await introspector(sessionmaker, keyring, settings, token)
        if answer is not None:
            return answer
    return dict(INACTIVE)


def is_access_token(token: str, keyring: KeyRing | None = None) -> bool:
    """Does ``token`` say it is an access token (RFC 9068 ``typ``)? Not whether it is valid.

    A token the key ring remembers having verified as one (``remember=True`` below) passed
    ``split_token`` then, and its header is the one kept: no need to parse it again.
    """
    header = None if keyring is None else keyring.remembered_header(token, typ=ACCESS_TOKEN_TYP)
    if header is None:
        try:
            header, _ = split_token(token)
        except InvalidToken:
            return False
    return _says_access_token(header)


def _says_access_token(header: dict[str, Any]) -> bool:
    typ = header.get("typ")
    return isinstance(typ, str) and typ.lower().removeprefix("application/") == ACCESS_TOKEN_TYP


async def token_claims(
    sessionmaker: Sessions, keyring: KeyRing, settings: Settings, token: str, at: datetime
) -> dict[str, Any] | None:
    """The claims of an access token whose signature and registered claims check out at
    ``at`` and that nothing ended: its ``jti`` and family not revoked, its client not disabled.
    Its grant is not looked at (``verify_access_token`` does; partner-side decisions read it
    themselves, to say why a grant refuses)."""
    try:
        claims = await keyring.decode(
            token,
            typ=ACCESS_TOKEN_TYP,
            audience=access_token_audience(settings),
            now=at,
            remember=True,  # introspected again and again: one ES256 verification per token
        )
    except InvalidToken:
        return None
    jti, client_id = claims.get("jti"), claims.get("client_id")
    if not isinstance(jti, str) or not isinstance(client_id, str):
        return None  # RFC 9068 §2.2: both required; we never mint one without them
    family_id = claims.get("fam")
    state = await access_token_state(
        sessionmaker,
        jti=jti,
        family_id=None if family_id is None else str(family_id),
        client_id=client_id,
    )
    if state.jti_revoked or state.family_revoked or state.client_status in (None, "disabled"):
        return None
    return claims


async def verify_access_token(
    sessionmaker: Sessions, keyring: KeyRing, settings: Settings, token: str, at: datetime
) -> dict[str, Any] | None:
    """The claims of an access token that is active at ``at``, else None.

    Active: ``token_claims`` says so, and a grant-backed token's grant is active with the
    version the token was minted from (``gv``; DESIGN §2: any change kills the token).
    """
    claims = await token_claims(sessionmaker, keyring, settings, token, at)
    if claims is None:
        return None
    grant_id = claims.get("grant_id")
    if grant_id is not None and not await _minted_grant_in_force(
        sessionmaker, str(grant_id), claims.get("gv"), at
    ):
        return None
    return claims


async def _minted_grant_in_force(
    sessionmaker: Sessions, grant_id: str, minted_version: Any, at: datetime
) -> bool:
    """The token's grant, read now, is in force at the version the token carries (``gv``)."""
    async with sessionmaker() as session:
        live = await live_grant(session, grant_id)
    if live is None:
        return False
    return check_minted_version(live.facts, live.version, minted_version, at).allow


async def introspect_access_token(
    sessionmaker: Sessions, keyring: KeyRing, settings: Settings, token: str
) -> dict[str, Any] | None:
    if not is_access_token(token, keyring):
        return None
    claims = await verify_access_token(sessionmaker, keyring, settings, token, now())
    if claims is None:
        return dict(INACTIVE)
    answer = {name: claims[name] for name in _ANSWERED_CLAIMS if name in claims}
    return {"active": True, "token_type": "DPoP" if "cnf" in claims else "Bearer", **answer}


async def introspect_refresh_token(
    sessionmaker: Sessions, keyring: KeyRing, settings: Settings, token: str
) -> dict[str, Any] | None:
    """Opaque refresh tokens, by hash: active while unused, unexpired and not revoked."""
    del keyring, settings
    async with sessionmaker() as session:
        return await _refresh_token_answer(session, token)


async def _refresh_token_answer(session: AsyncSession, token: str) -> dict[str, Any] | None:
    row = await repository.refresh_by_hash(session, digest(token))
    if row is None:
        return None
    at = now()
    family = await repository.family(session, row.family_id)
    client = await clients.get(session, row.client_id)
    alive = (
        row.used_at is None
        and row.expires_at > at
        and family is not None
        and family.revoked_at is None
        and client is not None
        and client.status != "disabled"
    )
    if not alive or family is None:
        return dict(INACTIVE)
    if family.grant_id is not None and not grant_in_force(
        await live_grant(session, family.grant_id), at
    ):
        return dict(INACTIVE)
    return {
        "active": True,
        "client_id": row.client_id,
        "scope": format_scope(row.scopes),
        "sub": family.subject,
        "exp": int(row.expires_at.timestamp()),
        "iat": int(row.created_at.timestamp()),
        "grant_id": family.grant_id,
        "cnf": {"jkt": family.dpop_jkt} if family.dpop_jkt else None,
    }


register_introspector(introspect_access_token, token_types=("access_token",))
register_introspector(introspect_refresh_token, token_types=("refresh_token",))
