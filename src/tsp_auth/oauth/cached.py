"""Access tokens' revocation state from the process's cache (introspection; docs/coherence.md).

An entry is tagged by the token, its family and its client: a revocation (RFC 7009), a
family's end (refresh reuse, a cancelled authorization) or a client's change drops it on every
process before that change is answered.
"""

from __future__ import annotations

from tsp_auth.coherence import tags
from tsp_auth.coherence.cached import Sessions, read_through
from tsp_auth.coherence.process import coherence_of
from tsp_auth.oauth import repository
from tsp_auth.oauth.repository import AccessTokenState


async def access_token_state(
    sessionmaker: Sessions, *, jti: str, family_id: str | None, client_id: str
) -> AccessTokenState:
    """``repository.access_token_state``, from the cache while this process may serve."""
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return await repository.access_token_state(
            sessionmaker, jti=jti, family_id=family_id, client_id=client_id
        )
    key = (jti, family_id, client_id)
    state = await read_through(
        coherence,
        sessionmaker,
        "token",
        key,
        repository.token_states,
        lambda _: tags.of_token(*key),
    )
    assert state is not None  # every key has a state
    return state
