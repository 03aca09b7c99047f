"""Access tokens' revocation state as introspection reads it (docs/coherence.md).

A cache entry is tagged by the token, its family and its client: a revocation (RFC 7009), a
family's end (refresh reuse, a cancelled authorization) or a client's change drops it on every
process before that change is answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ARRAY, String, bindparam, exists, select, text

from tsp_auth.coherence import tags
from tsp_auth.db.batched import Sessions, is_postgresql
from tsp_auth.db.direct import DirectQuery, SessionSource
from tsp_auth.live.read_through import read_through
from tsp_auth.models import Client, RevokedToken, TokenFamily


async def access_token_state(
    sessionmaker: Sessions, *, jti: str, family_id: str | None, client_id: str
) -> AccessTokenState:
    """What ends an access token early, as it is now: from the process's cache while it may
    serve from it, else from the database."""
    key = (jti, family_id, client_id)
    state = await read_through(
        sessionmaker, "token", key, _read_one, token_states, lambda _: tags.of_token(*key)
    )
    assert state is not None  # every key has a state
    return state


async def _read_one(source: SessionSource, key: TokenKey) -> AccessTokenState:
    jti, family_id, client_id = key
    return await read_access_token_state(source, jti=jti, family_id=family_id, client_id=client_id)


@dataclass(frozen=True, slots=True)
class AccessTokenState:
    """What the database says of a signed access token: anything here can end it early."""

    jti_revoked: bool
    family_revoked: bool
    client_status: str | None  # None: the client is gone


# Introspection's one read for an access token (hot path): its revocation, its family's, and
# its client's status, each by primary key, in one round trip.
_ACCESS_TOKEN_STATE = DirectQuery(
    AccessTokenState,
    select(
        exists().where(RevokedToken.jti == bindparam("jti")).label("jti_revoked"),
        exists()
        .where(TokenFamily.id == bindparam("family_id"), TokenFamily.revoked_at.is_not(None))
        .label("family_revoked"),
        select(Client.status)
        .where(Client.id == bindparam("client_id"))
        .scalar_subquery()
        .label("client_status"),
    ),
)


async def read_access_token_state(
    source: SessionSource,
    *,
    jti: str,
    family_id: str | None,
    client_id: str,
) -> AccessTokenState:
    state = await _ACCESS_TOKEN_STATE.first(
        source, {"jti": jti, "family_id": family_id, "client_id": client_id}
    )
    assert state is not None  # a SELECT without FROM always answers one row
    return state


TokenKey = tuple[str, str | None, str]  # jti, family id, client id

# ``_ACCESS_TOKEN_STATE`` for a batch of tokens (PostgreSQL: the keys as three arrays).
_TOKEN_STATES = text(
    """
SELECT key.jti, key.family_id, key.client_id,
       EXISTS (SELECT 1 FROM revoked_tokens AS r WHERE r.jti = key.jti),
       EXISTS (SELECT 1 FROM token_families AS f
               WHERE f.id = key.family_id AND f.revoked_at IS NOT NULL),
       (SELECT c.status FROM clients AS c WHERE c.id = key.client_id)
FROM unnest(:jtis, :families, :clients) AS key(jti, family_id, client_id)
"""
).bindparams(
    bindparam("jtis", type_=ARRAY(String)),
    bindparam("families", type_=ARRAY(String)),
    bindparam("clients", type_=ARRAY(String)),
)


async def token_states(
    sessionmaker: Sessions, keys: Sequence[TokenKey]
) -> dict[TokenKey, AccessTokenState]:
    """``read_access_token_state`` for a batch of tokens, in one round trip (the cache's
    misses)."""
    if not is_postgresql(sessionmaker):  # one process, no pool to spare: one by one
        return {
            key: await read_access_token_state(
                sessionmaker, jti=key[0], family_id=key[1], client_id=key[2]
            )
            for key in keys
        }
    params = {
        name: [key[i] for key in keys] for i, name in enumerate(("jtis", "families", "clients"))
    }
    async with sessionmaker() as session:
        rows = (await session.execute(_TOKEN_STATES, params)).all()
    return {
        (jti, family, client): AccessTokenState(
            jti_revoked=bool(revoked), family_revoked=bool(family_revoked), client_status=status
        )
        for jti, family, client, revoked, family_revoked, status in rows
    }
