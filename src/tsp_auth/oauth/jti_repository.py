"""SQL of single-use ``jti``s (client assertions, DPoP proofs): one ``INSERT … ON CONFLICT DO
NOTHING RETURNING`` into the primary key (STYLE §11). Of any number of requests presenting
the same ``jti``, in any number of processes, exactly one inserts the row.

The insert commits on its own, before the request goes on: a ``jti`` once presented is spent
whatever happens next, and the paths that check one (introspection) have no unit of work.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.db.batched import is_postgresql
from tsp_auth.models import UsedJti

JtiKind = Literal["client_assertion", "dpop_proof"]


def jti_key(issuer: str, jti: str) -> str:
    """Who issued it and the ``jti``: two clients (or keys) may pick the same ``jti``."""
    return hashlib.sha256(f"{issuer}\n{jti}".encode()).hexdigest()


async def spend_jti(
    sessionmaker: async_sessionmaker[AsyncSession],
    kind: JtiKind,
    key: str,
    expires_at: datetime,
) -> bool:
    """True the first time ``(kind, key)`` is presented, False ever after (until cleanup,
    after ``expires_at``, when a token carrying it can no longer be accepted anyway)."""
    insert = pg_insert if is_postgresql(sessionmaker) else sqlite_insert
    statement = (
        insert(UsedJti)
        .values(kind=kind, key=key, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=[UsedJti.kind, UsedJti.key])
        .returning(UsedJti.key)
    )
    async with sessionmaker() as session, session.begin():
        inserted = (await session.execute(statement)).scalar_one_or_none()
    return inserted is not None
